/**
 * npm run bench:ingest -- [--users 20000] [--tracks 10000] [--listens 200000] ...
 * Ingests a living mock (its own process, over HTTP) into a fresh database and, in the same run and
 * on the same data and store, measures two baselines: the store's ceiling for this work (the same
 * write operations sent from memory: no HTTP, no validation, no checkpoints) and the naive way
 * (one page at a time, one write per record and per listen). Prints a table, then a RESULT line.
 */
import { freePort } from './support/free-port.js';
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { AppModule } from '../app.module.js';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { loadConfig } from '../config/load-config.js';
import type { Settings } from '../config/settings.js';
import { ENDPOINTS, type Endpoint } from '../ingestion/endpoints.js';
import { IngestionRunsRepository } from '../ingestion/ingestion-runs.repository.js';
import { IngestionService } from '../ingestion/ingestion.service.js';
import { INSERT_ONLY_FIELDS, planPage, type PagePlan } from '../ingestion/page-plan.js';
import { createLogger } from '../logging/logger.js';
import { clearPrefix } from './support/redis-prefix.js';
import { ROLE_PRESETS } from '../roles.js';

const USAGE = `Usage: npm run bench:ingest -- [options]

  --users N           users of the living mock (20000)
  --tracks N          tracks of the living mock (10000)
  --listens N         listens in the starting history (200000), served as
                      MOCK_INITIAL_LISTENS = listens / users (a mean per user)
  --concurrency N     pages in flight (INGESTION_CONCURRENCY, 8)
  --naive-seconds N   time the naive baseline may take per endpoint; its rate is measured on the
                      pages it stored by then (20)
  --rounds N          rounds of (ours, ceiling), alternating which goes first; the figures are
                      the means (1)
  --seed N            seed of the mock (42)
  --help

Uses MONGODB_URI's server and REDIS_URL (npm run services:up), three throw-away databases and a
Redis prefix of its own, all removed at the end.`;

interface Options {
  users: number;
  tracks: number;
  listens: number;
  concurrency: number;
  naiveSeconds: number;
  rounds: number;
  seed: number;
}

function options(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      users: { type: 'string' },
      tracks: { type: 'string' },
      listens: { type: 'string' },
      concurrency: { type: 'string' },
      'naive-seconds': { type: 'string' },
      rounds: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  const int = (name: keyof typeof values, def: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${String(raw)}`);
    return n;
  };
  const o = {
    users: int('users', 20_000, 1, 5_000_000),
    tracks: int('tracks', 10_000, 1, 5_000_000),
    listens: int('listens', 200_000, 1, 1_000_000_000),
    concurrency: int('concurrency', 8, 1, 64),
    naiveSeconds: int('naive-seconds', 20, 1, 3600),
    rounds: int('rounds', 1, 1, 20),
    seed: int('seed', 42, 0, 2 ** 31 - 1),
  };
  if (o.listens / o.users > 1000) throw new Error('--listens / --users must be at most 1000 (MOCK_INITIAL_LISTENS)');
  return o;
}

/** The living mock in its own process, so this process's memory is the ingestion's alone. */
async function startMock(o: Options, base: Settings): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      APP_ROLE: 'mock-api',
      MOCK_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      MOCK_MODE: 'living',
      MOCK_SEED: String(o.seed),
      MOCK_USERS: String(o.users),
      MOCK_TRACKS: String(o.tracks),
      MOCK_INITIAL_LISTENS: String(Math.max(1, Math.round(o.listens / o.users))),
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: base.ADMIN_TOKEN,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the mock API exited with code ${proc.exitCode}`);
    const ok = await fetch(`${url}/mock/state`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 250));
  }
  proc.kill('SIGKILL');
  throw new Error('the mock API did not answer within 120 s');
}

async function boot(settings: Settings): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(settings, ROLE_PRESETS.none), {
    logger: createLogger('warn', { stderr: true }),
  });
  // Collections and their indexes exist before anything is timed, as in a deployed store.
  const conn = app.get<Connection>(getConnectionToken());
  await Promise.all(Object.values(conn.models).map((m) => m.init()));
  return app;
}

/** Peak RSS while `fn` runs, sampled every 25 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakMb: Math.round(peak / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

interface SourcePage {
  endpoint: Endpoint;
  page: number;
  items: unknown[];
}

/** Every page of the mock, read once before the baselines (not timed). */
async function readSource(url: string): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for (const endpoint of ENDPOINTS) {
    for (let page = 1, pages = 1; page <= pages; page++) {
      const body = (await (await fetch(`${url}/${endpoint}?page=${page}&size=100`)).json()) as { items: unknown[]; pages: number };
      pages = body.pages;
      out.push({ endpoint, page, items: body.items });
    }
  }
  return out;
}

/** The ceiling: the ingestion's own write operations for these pages, sent from memory with the same concurrency. */
async function ceiling(
  app: INestApplicationContext,
  plans: Array<{ endpoint: Endpoint; plan: PagePlan }>,
  concurrency: number,
): Promise<number> {
  const catalog = app.get(CatalogRepository);
  const runs = app.get(IngestionRunsRepository);
  const started = performance.now();
  for (const endpoint of ENDPOINTS) {
    const mine = plans.filter((p) => p.endpoint === endpoint);
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < mine.length; i = next++) {
        const { plan } = mine[i]!;
        await Promise.all([runs.insertRejected(plan.rejects), catalog.insertEvents(plan.events)]);
        await catalog.writeRecords(endpoint, plan.inserts, plan.updates);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }
  return (performance.now() - started) / 1000;
}

interface NaiveSample {
  endpoint: Endpoint;
  records: number;
  documents: number;
  seconds: number;
}

/**
 * The naive way of the published answers: a page at a time, and an upsert per record and per
 * listen, stopped after `budgetS` per endpoint (its rate on an emptier store flatters it).
 */
async function naive(app: INestApplicationContext, url: string, budgetS: number): Promise<NaiveSample[]> {
  const db = app.get<Connection>(getConnectionToken()).db!;
  const out: NaiveSample[] = [];
  const now = new Date();
  for (const endpoint of ENDPOINTS) {
    const coll = db.collection(endpoint);
    const events = db.collection('listen_events');
    const sample: NaiveSample = { endpoint, records: 0, documents: 0, seconds: 0 };
    const started = performance.now();
    for (let page = 1, pages = 1; page <= pages && performance.now() - started < budgetS * 1000; page++) {
      const body = (await (await fetch(`${url}/${endpoint}?page=${page}&size=100`)).json()) as { items: unknown[]; pages: number };
      pages = body.pages;
      const plan = planPage(body.items, { endpoint, runId: 'bench-naive', page, pass: 1, now, index: new Map() });
      for (const doc of plan.inserts) {
        const { _id, ...fields } = doc as unknown as Record<string, unknown>;
        for (const f of INSERT_ONLY_FIELDS) delete fields[f];
        await coll.updateOne({ _id } as never, { $set: fields }, { upsert: true });
        sample.records++;
        sample.documents++;
      }
      for (const e of plan.events) {
        const { _id, ...fields } = e;
        await events.updateOne({ _id } as never, { $set: fields }, { upsert: true });
        sample.documents++;
      }
    }
    sample.seconds = (performance.now() - started) / 1000;
    out.push(sample);
  }
  return out;
}

async function drop(s: Settings): Promise<void> {
  const conn = await mongoose.createConnection(s.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  await conn.dropDatabase();
  await conn.close();
}

async function dropAll(settings: Settings[], prefix: string, redisUrl: string, rawDir: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await clearPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
  for (const s of settings) await drop(s);
  await rm(rawDir, { recursive: true, force: true });
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  if (!o) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const base = loadConfig();
  const id = randomBytes(3).toString('hex');
  const server = base.MONGODB_URI.replace(/\/[^/?]*(\?.*)?$/, '');
  const prefix = `bench-ingest-${id}`;
  const rawDir = join(tmpdir(), `moovitamix-bench-ingest-${id}`);
  process.stderr.write(`starting a living mock: ${o.users} users, ${o.tracks} tracks, ~${o.listens} listens\n`);
  const mock = await startMock(o, base);
  const settingsFor = (name: string): Settings =>
    loadConfig({
      ...process.env,
      MONGODB_URI: `${server}/bench_ingest_${id}_${name}`,
      REDIS_PREFIX: prefix,
      RAW_EXPORT_DIR: rawDir,
      MOCK_API_URL: mock.url,
      INGESTION_CONCURRENCY: String(o.concurrency),
      LOG_LEVEL: 'warn',
    });
  const probe = settingsFor('probe');
  const created: Settings[] = [probe];
  try {
    const state = (await (await fetch(`${mock.url}/mock/state`)).json()) as {
      sizes: { tracks: number; users: number; listen_history: number; listens: number };
    };
    const storeInfo = (await (async () => {
      const app = await boot(probe);
      const info = await app.get<Connection>(getConnectionToken()).db!.admin().command({ buildInfo: 1 });
      await app.close();
      await drop(probe);
      return info;
    })()) as { version: string; ferretdbVersion?: string };
    const store = storeInfo.ferretdbVersion ? `FerretDB (MongoDB ${storeInfo.version} wire)` : `MongoDB ${storeInfo.version}`;

    const runOurs = async (round: number) => {
      process.stderr.write(`round ${round}: ingesting over HTTP (ours)\n`);
      const settings = settingsFor(`ours_${round}`);
      created.push(settings);
      const app = await boot(settings);
      const t0 = performance.now();
      const { value: summary, peakMb } = await withPeakRss(() =>
        app.get(IngestionService).execute({
          runId: `bench-${id}-${round}`,
          runDate: '2026-01-01',
          trigger: 'cli',
          attempt: 1,
          maxAttempts: 1,
          finalAttempt: true,
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      await app.close();
      await drop(settings);
      process.stderr.write(`round ${round}: ours ${seconds.toFixed(2)} s\n`);
      const e = summary.endpoints;
      const records = e.tracks.fetched + e.users.fetched + e.listen_history.fetched;
      if (
        summary.status === 'failed' ||
        records !== state.sizes.tracks + state.sizes.users + state.sizes.listen_history ||
        e.listen_history.events_inserted !== state.sizes.listens
      ) {
        throw new Error(
          `the ingestion did not store the whole source: ${JSON.stringify({ records, events: e.listen_history.events_inserted, sizes: state.sizes })}`,
        );
      }
      return { seconds, peakMb, endpoints: e };
    };
    let plans: Array<{ endpoint: Endpoint; plan: PagePlan }> = [];
    const runCeiling = async (round: number) => {
      if (plans.length === 0) {
        process.stderr.write('reading the source into memory for the ceiling (not timed)\n');
        const pages = await readSource(mock.url);
        plans = pages.map((p) => ({
          endpoint: p.endpoint,
          plan: planPage(p.items, { endpoint: p.endpoint, runId: `bench-${id}`, page: p.page, pass: 1, now: new Date(), index: new Map() }),
        }));
      }
      process.stderr.write(`round ${round}: sending the same writes from memory (ceiling)\n`);
      const settings = settingsFor(`ceiling_${round}`);
      created.push(settings);
      const app = await boot(settings);
      const seconds = await ceiling(app, plans, o.concurrency);
      await app.close();
      await drop(settings);
      process.stderr.write(`round ${round}: ceiling ${seconds.toFixed(2)} s\n`);
      return seconds;
    };

    // Rounds alternate which goes first (ours, ceiling, then ceiling, ours, ...), so drifting load
    // on the shared machine weighs on both. Peak memory is the first run's, before the ceiling's
    // copy of the source is in memory.
    const rssBefore = Math.round(process.memoryUsage.rss() / 1048576);
    const oursRuns: Array<Awaited<ReturnType<typeof runOurs>>> = [];
    const ceilingRuns: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      if (round % 2 === 1) {
        oursRuns.push(await runOurs(round));
        ceilingRuns.push(await runCeiling(round));
      } else {
        ceilingRuns.push(await runCeiling(round));
        oursRuns.push(await runOurs(round));
      }
    }
    plans = [];
    const e = oursRuns[0]!.endpoints;
    const peakMb = oursRuns[0]!.peakMb;
    const records = e.tracks.fetched + e.users.fetched + e.listen_history.fetched;
    const events = e.listen_history.events_inserted;
    const seconds = oursRuns.reduce((t, r) => t + r.seconds, 0) / oursRuns.length;
    const ceilingSeconds = ceilingRuns.reduce((t, x) => t + x, 0) / ceilingRuns.length;

    process.stderr.write(`the naive way, at most ${o.naiveSeconds} s per endpoint\n`);
    const naiveSettings = settingsFor('naive');
    created.push(naiveSettings);
    const appNaive = await boot(naiveSettings);
    const naiveSamples = await naive(appNaive, mock.url, o.naiveSeconds);
    await appNaive.close();
    await drop(naiveSettings);
    // The naive time for the whole source: each endpoint's sampled seconds per document, times its documents.
    const documentsOf: Record<Endpoint, number> = {
      tracks: e.tracks.fetched,
      users: e.users.fetched,
      listen_history: e.listen_history.fetched + events,
    };
    const naiveSeconds = naiveSamples.reduce((s, n) => s + (n.documents > 0 ? (n.seconds / n.documents) * documentsOf[n.endpoint] : 0), 0);

    const rate = records / seconds;
    const ceilingRate = records / ceilingSeconds;
    const naiveRate = records / naiveSeconds;
    const rows: Array<[string, string, string, string]> = [
      ['ingestion over HTTP (ours)', fmt(seconds, 2), fmt(rate), `${fmt(records + events)} documents, peak RSS ${peakMb} MB`],
      [
        'store ceiling (same writes, from memory)',
        fmt(ceilingSeconds, 2),
        fmt(ceilingRate),
        `ours / ceiling = ${(rate / ceilingRate).toFixed(2)}`,
      ],
      [
        'naive (page at a time, a write per record)',
        `${fmt(naiveSeconds, 1)} (est.)`,
        fmt(naiveRate),
        `measured on ${naiveSamples.map((n) => `${n.records} ${n.endpoint}`).join(', ')}; ours / naive = ${(rate / naiveRate).toFixed(1)}x`,
      ],
    ];
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['way', 'seconds', 'records/s'][i]!.length));
    process.stdout.write(
      `\ningest ${fmt(records)} source records (${fmt(e.tracks.fetched)} tracks, ${fmt(e.users.fetched)} users, ${fmt(e.listen_history.fetched)} histories) and ${fmt(events)} listen events\n`,
    );
    process.stdout.write(
      `store: ${store}; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; concurrency ${o.concurrency}; raw export ${probe.RAW_EXPORT ? 'on' : 'off'}; ${o.rounds} round(s), means shown\n\n`,
    );
    process.stdout.write(`${['way'.padEnd(w[0]!), 'seconds'.padStart(w[1]!), 'records/s'.padStart(w[2]!), 'notes'].join('  ')}\n`);
    for (const r of rows) process.stdout.write(`${[r[0].padEnd(w[0]!), r[1].padStart(w[1]!), r[2].padStart(w[2]!), r[3]].join('  ')}\n`);
    const result = {
      records_per_s: Math.round(rate),
      naive_records_per_s: Math.round(naiveRate),
      speedup_vs_naive: Number((rate / naiveRate).toFixed(2)),
      ceiling_records_per_s: Math.round(ceilingRate),
      ratio_to_ceiling: Number((rate / ceilingRate).toFixed(3)),
      records,
      seconds: Number(seconds.toFixed(3)),
      peak_rss_mb: peakMb,
      rss_before_mb: rssBefore,
      events,
      documents_per_s: Math.round((records + events) / seconds),
      ceiling_seconds: Number(ceilingSeconds.toFixed(3)),
      rounds: o.rounds,
      naive_estimated_seconds: Number(naiveSeconds.toFixed(1)),
      naive_sampled_records: naiveSamples.reduce((n, s) => n + s.records, 0),
      users: e.users.fetched,
      tracks: e.tracks.fetched,
      concurrency: o.concurrency,
    };
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
  } finally {
    mock.proc.kill('SIGTERM');
    await dropAll(created, prefix, base.REDIS_URL, rawDir);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:ingest: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
