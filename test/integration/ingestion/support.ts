import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { createMockApiApp, createPipelineApp } from '../../../src/bootstrap.js';
import type { Settings } from '../../../src/config/settings.js';
import { IngestionService, type RunSummary } from '../../../src/ingestion/ingestion.service.js';
import { createLogger } from '../../../src/logging/logger.js';
import { ROLE_PRESETS, type RoleParts } from '../../../src/roles.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { clearPrefix } from '../../../src/cli/support/redis-prefix.js';

export const NO_PARTS: RoleParts = ROLE_PRESETS.none;

export interface Mock {
  app: INestApplication;
  url: string;
  json<T = any>(path: string): Promise<T>;
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** The mock source API on a free loopback port. */
export async function startMock(suite: string, overrides: Record<string, string>): Promise<Mock> {
  const app = await createMockApiApp(testSettings(`${suite}_mock`, overrides), createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    url,
    json: async <T>(path: string): Promise<T> => {
      const res = await fetch(url + path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      return (await res.json()) as T;
    },
    admin: async (method, path, body) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    close: () => app.close(),
  };
}

export interface Pipeline {
  app: INestApplication;
  settings: Settings;
  ingestion: IngestionService;
  db: mongoose.mongo.Db;
  /** Runs one ingestion in-process, as the job handler does. */
  run(runId: string, runDate?: string): Promise<RunSummary>;
  close(): Promise<void>;
}

/** The pipeline application (no HTTP listener unless parts.api), its database and Redis prefix its own. */
export async function startPipeline(
  suite: string,
  mockUrl: string,
  overrides: Record<string, string> = {},
  parts: RoleParts = NO_PARTS,
): Promise<Pipeline> {
  const settings = testSettings(suite, {
    MOCK_API_URL: mockUrl,
    INGESTION_RETRY_BASE_MS: '5',
    INGESTION_RETRY_MAX_MS: '200',
    ...overrides,
  });
  const app = await createPipelineApp(settings, parts, createLogger('warn'));
  await app.init();
  const ingestion = app.get(IngestionService);
  const conn = app.get<mongoose.Connection>(getConnectionToken());
  const db = conn.db!;
  return {
    app,
    settings,
    ingestion,
    db,
    run: (runId, runDate = '2026-11-26') =>
      ingestion.execute({ runId, runDate, trigger: 'api', attempt: 1, maxAttempts: 1, finalAttempt: true }),
    close: async () => {
      await app.close();
      await dropDatabase(settings);
      await clearRedisPrefix(settings);
      await rm(settings.RAW_EXPORT_DIR, { recursive: true, force: true });
    },
  };
}

/** Drops a suite's database, once nothing of the suite's own can write to it any more. */
export async function dropDatabase(settings: Settings): Promise<void> {
  const conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  await conn.dropDatabase();
  await conn.close();
}

export async function clearRedisPrefix(settings: Settings): Promise<void> {
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await clearPrefix(redis, settings.REDIS_PREFIX);
  } finally {
    redis.disconnect();
  }
}

/** Documents of a collection, all of them (test sizes are small). */
export async function all<T = any>(db: mongoose.mongo.Db, collection: string): Promise<T[]> {
  return (await db.collection(collection).find({}).toArray()) as T[];
}
