import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { TestProject } from 'vitest/node';
import { madeByRun, testServers } from './servers.js';

/** Where the teardown writes what it found (scripts/test.sh counts it as one check). */
const LEFTOVERS_REPORT = process.env.TEST_LEFTOVERS_REPORT ?? '.data/test-leftovers.json';

/** Shared by the projects' instances of this file (each project loads it anew) within one vitest process. */
const state: { run?: string; checked?: boolean } = ((globalThis as Record<symbol, unknown>)[Symbol.for('moovitamix.test-run')] ??=
  {}) as never;

/**
 * The integration and end-to-end projects' global setup, once per test run whichever of them run:
 * the real services (Redis, and MongoDB or FerretDB) up, and the build fresh (end-to-end tests
 * start `node dist/main.js`, and worker threads run compiled scripts). The teardown fails the run
 * when this run left a test database (`t_...`) or Redis key (`t-...`) on the servers.
 */
export default function setup(project: TestProject): () => Promise<void> {
  if (!state.run) {
    const opts = { stdio: 'inherit' as const, cwd: process.cwd() };
    execFileSync('bash', ['scripts/services.sh', 'up'], opts);
    if (process.env.SKIP_BUILD !== '1') execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], opts);
    state.run = randomBytes(2).toString('hex');
  }
  const run = state.run;
  project.provide('testRunTag', run);
  return async () => {
    if (state.checked) return;
    state.checked = true;
    try {
      await checkLeftovers(run);
    } catch (err) {
      process.exitCode = 1; // vitest only logs an error thrown by a teardown
      throw err;
    }
  };
}

interface Leftover {
  /** `mongodb <database>` or `redis <key prefix>` */
  what: string;
  /** bytes on disk for a database, keys for a prefix */
  size: number;
}

async function checkLeftovers(run: string): Promise<void> {
  const all = await leftovers();
  const ours = all.filter((l) => madeByRun(l.what.split(' ')[1]!, run));
  const others = all.filter((l) => !ours.includes(l));
  const show = (ls: Leftover[]) =>
    ls.map((l) => `  ${l.what} (${l.what.startsWith('redis') ? `${l.size} keys` : `${(l.size / 1e6).toFixed(1)} MB`})`).join('\n');
  mkdirSync(dirname(LEFTOVERS_REPORT), { recursive: true });
  writeFileSync(LEFTOVERS_REPORT, `${JSON.stringify({ run, leftovers: ours, others }, null, 2)}\n`);
  if (others.length > 0) {
    console.warn(`[leftovers] on the test servers, not from this run (earlier runs, or a run in progress elsewhere):\n${show(others)}`);
  }
  if (ours.length > 0) {
    const err = new Error(
      `this test run (tag ${run}) left on the test servers:\n${show(ours)}\n(test/support/drop-after-file.ts removes what testSettings() made once the file's hooks ran: something wrote after them, or made its own names)`,
    );
    err.stack = err.message; // where the teardown threw says nothing about the leak
    throw err;
  }
  console.log(`[leftovers] none: this run (tag ${run}) left no test database or Redis key`);
}

/** Every test database and Redis key prefix (up to the first `:`) on the test servers. */
async function leftovers(): Promise<Leftover[]> {
  const servers = testServers();
  const found: Leftover[] = [];
  const conn = await mongoose.createConnection(`${servers.mongodb}/admin`, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    const { databases } = await conn.db!.admin().listDatabases();
    for (const d of databases) if (d.name.startsWith('t_')) found.push({ what: `mongodb ${d.name}`, size: d.sizeOnDisk ?? 0 });
  } finally {
    await conn.close();
  }
  const redis = new Redis(servers.redis, { maxRetriesPerRequest: 2 });
  try {
    const prefixes = new Map<string, number>();
    for await (const batch of redis.scanStream({ match: 't-*', count: 1000 })) {
      for (const key of batch as string[]) {
        const prefix = key.split(':')[0]!;
        prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
      }
    }
    for (const [prefix, n] of prefixes) found.push({ what: `redis ${prefix}`, size: n });
  } finally {
    redis.disconnect();
  }
  return found.sort((a, b) => a.what.localeCompare(b.what));
}
