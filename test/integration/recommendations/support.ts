import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import { Redis } from 'ioredis';
import type mongoose from 'mongoose';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { COLLECTIONS } from '../../../src/catalog/catalog.schemas.js';
import type { Settings } from '../../../src/config/settings.js';
import { createLogger } from '../../../src/logging/logger.js';
import { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import { JobName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { RecommendationRunsRepository } from '../../../src/recommendations/recommendation-runs.repository.js';
import type { RecommendationRunDoc } from '../../../src/recommendations/recommendation.schemas.js';
import { finalizeJobId } from '../../../src/recommendations/run-keys.js';
import { listenEventsOf, type SyntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { combineRoles, type RoleParts } from '../../../src/roles.js';
import { dropTestData, TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

export const API_AND_WORKER: RoleParts = combineRoles('api', 'worker');

export interface HttpAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export interface RecApp {
  app: NestFastifyApplication;
  base: string;
  settings: Settings;
  db: mongoose.mongo.Db;
  redis: Redis;
  seed(data: SyntheticCatalogue): Promise<void>;
  /** Enqueues a run as the CLI does, waits for its finalize job, returns the closed run record. */
  runAndWait(opts?: { force?: boolean; runDate?: string }): Promise<RecommendationRunDoc>;
  get(path: string): Promise<HttpAnswer>;
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/** The pipeline app with the API and the workers in one process, on a free port, with its own database and Redis prefix. */
export async function startRecApp(
  suite: string,
  overrides: Record<string, string> = {},
  parts: RoleParts = API_AND_WORKER,
): Promise<RecApp> {
  const settings = testSettings(suite, { RECOMMENDATION_BATCH_SIZE: '50', ...overrides });
  const app = (await createPipelineApp(settings, parts, createLogger(settings.LOG_LEVEL))) as NestFastifyApplication;
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const db = app.get<mongoose.Connection>(getConnectionToken()).db!;
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: 2 });
  const request = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<HttpAnswer> => {
    const res = await fetch(base + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  let day = 0;
  return {
    app,
    base,
    settings,
    db,
    redis,
    async seed(data) {
      await db.collection(COLLECTIONS.tracks).insertMany(data.tracks as never[]);
      await db.collection(COLLECTIONS.users).insertMany(data.users as never[]);
      await db.collection(COLLECTIONS.listenHistory).insertMany(data.histories as never[]);
      const events = listenEventsOf(data.histories, new Date(Date.UTC(2026, 10, 25)));
      if (events.length > 0) await db.collection(COLLECTIONS.listenEvents).insertMany(events as never[]);
    },
    async runAndWait(opts = {}) {
      const runDate = opts.runDate ?? `2026-11-${String(10 + day++).padStart(2, '0')}`;
      const { jobId } = await app.get(PipelineChain).startRecommendations(runDate, 'cli', opts.force ? { force: true } : {});
      const jobs = app.get(JobQueue);
      const planned = await jobs.waitForJob(JobName.RecommendationRun, jobId, 60_000, 100);
      if (planned !== 'completed') throw new Error(`run ${jobId} plan ended ${planned}`);
      const finished = await jobs.waitForJob(JobName.RecommendationFinalize, finalizeJobId(jobId), 120_000, 100);
      if (finished !== 'completed') throw new Error(`run ${jobId} finalize ended ${finished}`);
      return (await app.get(RecommendationRunsRepository).get(jobId))!;
    },
    get: (path) => request('GET', path, {}),
    admin: (method, path, body) => request(method, path, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body),
    async close() {
      // The app first: a job still running when the database was dropped wrote it back.
      await app.close();
      await redis.quit();
      await dropTestData(settings);
    },
  };
}

/** The value of one sample of the app's /metrics, 0 when absent. */
export async function metricValue(rec: RecApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await rec.get('/metrics')).body as string;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Deletes this suite's cache entries in Redis (what a flush does to it, without touching other suites' keys). */
export async function flushCache(rec: RecApp): Promise<number> {
  const keys = await rec.redis.keys(`${rec.settings.REDIS_PREFIX}:rec:*`);
  if (keys.length > 0) await rec.redis.del(...keys);
  return keys.length;
}

/** A LoadedModel for tests: ranks tracks by descending id. */
export function descendingIdModel(version: string, trackIds: number[]) {
  const ranked = [...trackIds].sort((a, b) => b - a);
  return {
    version,
    recommend(_userId: number, _listened: readonly number[], k: number, exclude: ReadonlySet<number>) {
      return ranked
        .filter((t) => !exclude.has(t))
        .slice(0, k)
        .map((trackId, i) => ({ trackId, score: 1 - i / 10_000 }));
    },
  };
}
