import 'reflect-metadata';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type mongoose from 'mongoose';
import { createPipelineApp } from '../bootstrap.js';
import { loadConfig, processEnvWithDotenv } from '../config/load-config.js';
import type { Settings } from '../config/settings.js';
import { createLogger } from '../logging/logger.js';
import { PipelineChain } from '../pipeline/pipeline-chain.service.js';
import { JobName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { finalizeJobId } from '../recommendations/run-keys.js';
import { seedSyntheticCatalogue } from '../tools/synthetic-catalogue.js';
import { freePort } from './support/free-port.js';
import { clearPrefix } from './support/redis-prefix.js';
import { ROLE_PRESETS } from '../roles.js';

/**
 * bench:serve: load on GET /users/:id/recommendations for random users whose playlist is cached,
 * against the real API process (`node dist/main.js`, APP_ROLE=api), and in the same run the same
 * load on a bare Fastify hello-world process as the baseline, alternating baseline and API rounds.
 *
 *   npm run bench:serve -- [--users 5000] [--tracks 2000] [--duration 10] [--connections 10] [--rounds 2] [--profile DIR]
 */

interface Flags {
  users: number;
  tracks: number;
  duration: number;
  connections: number;
  rounds: number;
  /** Write a V8 CPU profile of the API process into this folder (node --cpu-prof). */
  profile?: string;
  /** Internal: run the baseline server on this port (a child process of the bench). */
  baselineServer?: number;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { users: 5000, tracks: 2000, duration: 10, connections: 10, rounds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} expects a positive integer, got ${argv[i]}`);
      return v;
    };
    if (a === '--users') f.users = num();
    else if (a === '--tracks') f.tracks = num();
    else if (a === '--duration') f.duration = num();
    else if (a === '--connections') f.connections = num();
    else if (a === '--rounds') f.rounds = num();
    else if (a === '--profile') {
      f.profile = argv[++i];
      if (!f.profile) throw new Error('--profile expects a folder');
    } else if (a === '--baseline-server') f.baselineServer = num();
    else throw new Error(`unknown flag ${a} (flags: --users --tracks --duration --connections --rounds --profile DIR)`);
  }
  return f;
}

/** What this bench reads of an autocannon result. */
interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests?: Array<{ method: string; path: string }>;
}) => Promise<LoadResult>;
/** Requests drawn for the API rounds; each connection cycles through them. */
const REQUEST_SAMPLE = 20_000;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

function startChild(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** The baseline: Fastify answering a constant JSON, nothing else. */
async function baselineServer(port: number): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** Seeds the store and computes every playlist with a worker in this process, then lets the worker go. */
async function prepare(settings: Settings, flags: Flags): Promise<void> {
  const app: INestApplication = await createPipelineApp(settings, ROLE_PRESETS.worker, createLogger('warn', { stderr: true }));
  try {
    await app.init();
    const db = app.get<mongoose.Connection>(getConnectionToken()).db!;
    await db.dropDatabase();
    await seedSyntheticCatalogue(db, { users: flags.users, tracks: flags.tracks, listensPerUser: 20, seed: 11, newUserShare: 0 });
    const { jobId } = await app.get(PipelineChain).startRecommendations('2026-11-26', 'cli', { force: true, reason: 'bench:serve' });
    const jobs = app.get(JobQueue);
    if ((await jobs.waitForJob(JobName.RecommendationRun, jobId, 600_000, 100)) !== 'completed')
      throw new Error('the recommendation run did not plan');
    if ((await jobs.waitForJob(JobName.RecommendationFinalize, finalizeJobId(jobId), 600_000, 100)) !== 'completed')
      throw new Error('the recommendation run did not finish');
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.baselineServer) return baselineServer(flags.baselineServer);
  execFileSync('bash', ['scripts/services.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = processEnvWithDotenv();
  const mongoBase = (env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/moovitamix').replace(/\/[^/]*$/, '');
  const overrides = {
    MONGODB_URI: `${mongoBase}/bench_serve_${process.pid}`,
    REDIS_PREFIX: `bench-serve-${process.pid}`,
    LOG_LEVEL: 'warn',
    EXPERIMENTS: env.EXPERIMENTS ?? '[]',
  };
  const settings = loadConfig({ ...env, ...overrides });
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: 2 });
  let api: ChildProcess | undefined;
  let baseline: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    await prepare(settings, flags);
    const prepared = (performance.now() - t0) / 1000;
    const cached = (await redis.keys(`${settings.REDIS_PREFIX}:rec:user:*`)).map((k) => Number(k.slice(k.lastIndexOf(':') + 1)));
    if (cached.length === 0) throw new Error('no cached playlist to read');

    const apiPort = await freePort();
    const basePort = await freePort();
    api = startChild([...(flags.profile ? ['--cpu-prof', '--cpu-prof-dir', flags.profile] : []), 'dist/main.js'], {
      ...overrides,
      ADMIN_TOKEN: settings.ADMIN_TOKEN,
      APP_ROLE: 'api',
      HTTP_PORT: String(apiPort),
      HTTP_HOST: '127.0.0.1',
    });
    baseline = startChild([process.argv[1]!, '--baseline-server', String(basePort)], {});
    await waitForHttp(`http://127.0.0.1:${apiPort}/health/live`, api);
    await waitForHttp(`http://127.0.0.1:${basePort}/`, baseline);
    const randomUser = () => cached[Math.floor(Math.random() * cached.length)]!;
    // Random cached users, drawn once: autocannon builds each request's bytes up front, as it does
    // for the baseline's single request. A setupRequest callback would rebuild every request in the
    // load tool, which shares the two cores with the server and would be charged to the API.
    const userRequests = Array.from({ length: Math.min(REQUEST_SAMPLE, cached.length * 4) }, () => ({
      method: 'GET',
      path: `/users/${randomUser()}/recommendations`,
    }));
    const check = await fetch(`http://127.0.0.1:${apiPort}/users/${randomUser()}/recommendations`);
    if (check.status !== 200 || check.headers.get('x-recommendation-source') !== 'cache')
      throw new Error(`warm-up answer: ${check.status} from ${check.headers.get('x-recommendation-source')}`);
    // Warm both servers (JIT, connection pools) before measuring.
    await autocannon({ url: `http://127.0.0.1:${basePort}/`, connections: flags.connections, duration: 2 });
    await autocannon({ url: `http://127.0.0.1:${apiPort}`, connections: flags.connections, duration: 2, requests: userRequests });

    const rounds: Array<{ round: number; target: 'baseline' | 'api'; r: LoadResult }> = [];
    for (let round = 1; round <= flags.rounds; round++) {
      rounds.push({
        round,
        target: 'baseline',
        r: await autocannon({ url: `http://127.0.0.1:${basePort}/`, connections: flags.connections, duration: flags.duration }),
      });
      rounds.push({
        round,
        target: 'api',
        r: await autocannon({
          url: `http://127.0.0.1:${apiPort}`,
          connections: flags.connections,
          duration: flags.duration,
          requests: userRequests,
        }),
      });
    }
    const mean = (target: 'baseline' | 'api', f: (r: LoadResult) => number) => {
      const xs = rounds.filter((x) => x.target === target).map((x) => f(x.r));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const errorsOf = (r: LoadResult) => r.errors + r.timeouts + r.non2xx;
    process.stdout.write(
      `bench:serve: ${cached.length} cached users, ${flags.connections} connections, ${flags.rounds} x ${flags.duration} s per target (prepared in ${prepared.toFixed(1)} s)\n`,
    );
    process.stdout.write(
      `  ${'round'.padEnd(6)}${'target'.padEnd(10)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}\n`,
    );
    for (const x of rounds) {
      process.stdout.write(
        `  ${String(x.round).padEnd(6)}${x.target.padEnd(10)}${x.r.requests.average.toFixed(0).padStart(10)}${String(x.r.latency.p50).padStart(9)}${String(x.r.latency.p99).padStart(9)}${String(errorsOf(x.r)).padStart(8)}\n`,
      );
    }
    const rps = mean('api', (r) => r.requests.average);
    const baselineRps = mean('baseline', (r) => r.requests.average);
    const result = {
      rps: Math.round(rps),
      p50_ms: Math.round(mean('api', (r) => r.latency.p50) * 100) / 100,
      p99_ms: Math.round(mean('api', (r) => r.latency.p99) * 100) / 100,
      errors: rounds.filter((x) => x.target === 'api').reduce((n, x) => n + errorsOf(x.r), 0),
      baseline_rps: Math.round(baselineRps),
      ratio_to_baseline: Math.round((rps / baselineRps) * 1000) / 1000,
      baseline_p99_ms: Math.round(mean('baseline', (r) => r.latency.p99) * 100) / 100,
      cached_users: cached.length,
      connections: flags.connections,
      duration_s: flags.duration,
      rounds: flags.rounds,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await stopChild(api);
    await stopChild(baseline);
    const conn = await import('mongoose').then((m) => m.default.createConnection(settings.MONGODB_URI).asPromise());
    await conn.db!.dropDatabase().catch(() => undefined);
    await conn.close();
    await clearPrefix(redis, settings.REDIS_PREFIX).catch(() => undefined);
    redis.disconnect();
  }
}

main().then(
  () => {
    if (!parseFlags(process.argv.slice(2)).baselineServer) process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench:serve failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
