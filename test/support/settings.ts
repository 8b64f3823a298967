import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { Settings } from '../../src/config/settings.js';
import { testServers } from './servers.js';

export { madeByRun, testServers } from './servers.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * `<suite>_<run><random>`: four hex digits of the test run (given by the global setup; random where
 * there is none) then four of this call, so the global teardown finds what this run left behind
 * without mistaking what another run, in progress on the same servers, still uses.
 */
export function testId(suite: string): string {
  const run = inject('testRunTag') ?? randomBytes(2).toString('hex');
  return `${suite.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${run}${randomBytes(2).toString('hex')}`;
}

type Made = Pick<Settings, 'MONGODB_URI' | 'REDIS_URL' | 'REDIS_PREFIX' | 'RAW_EXPORT_DIR'>;
const made: Made[] = [];

/**
 * Settings for one test suite: its own database (`t_<id>`), Redis prefix (`t-<id>`) and raw-export
 * folder, so suites never see each other's data, on the same servers that `npm run services:up` started.
 * In the integration and end-to-end projects all three are removed after the file's own afterAll
 * hooks (test/support/drop-after-file.ts), whatever the suite did.
 */
export function testSettings(suite: string, overrides: Record<string, string> = {}): Settings {
  const id = testId(suite);
  const servers = testServers();
  const settings = loadConfig({
    MONGODB_URI: `${servers.mongodb}/t_${id}`,
    REDIS_URL: servers.redis,
    REDIS_PREFIX: `t-${id}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    RAW_EXPORT_DIR: `.data/test-raw/${id}`,
    ...overrides,
  });
  made.push(settings);
  return settings;
}

/**
 * Drops a suite's database, deletes its Redis keys (`<prefix>*`) and removes its raw-export folder,
 * by name on the test servers: a suite that reaches them through a proxy is cleaned all the same, and
 * only test names (`t_`, `t-`) are touched (a suite may point a setting at a closed port, `.../none`).
 */
export async function dropTestData(settings: Made): Promise<void> {
  const servers = testServers();
  const db = new URL(settings.MONGODB_URI.replace(/^mongodb(\+srv)?:/, 'http:')).pathname.slice(1);
  if (db.startsWith('t_')) {
    const conn = await mongoose.createConnection(`${servers.mongodb}/${db}`, { serverSelectionTimeoutMS: 5000 }).asPromise();
    try {
      await conn.db!.dropDatabase();
    } finally {
      await conn.close();
    }
  }
  if (settings.REDIS_PREFIX.startsWith('t-')) {
    const redis = new Redis(servers.redis, { maxRetriesPerRequest: 2, lazyConnect: true });
    try {
      await redis.connect();
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${settings.REDIS_PREFIX}*`, count: 1000 })) keys.push(...(batch as string[]));
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    } finally {
      redis.disconnect();
    }
  }
  if (settings.RAW_EXPORT_DIR.startsWith('.data/test-raw/')) await rm(settings.RAW_EXPORT_DIR, { recursive: true, force: true });
}

/** Drops what every testSettings() of this test file made (see dropTestData). */
export async function dropMadeInThisFile(): Promise<void> {
  for (const s of made.splice(0)) await dropTestData(s);
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Four hex digits naming this test run (see testId). */
    testRunTag?: string;
  }
}
