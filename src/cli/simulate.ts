/**
 * npm run simulate -- --days 28: the whole system over a simulated month on the `living` mock, in
 * this process, against its own database and Redis prefix (emptied first, kept afterwards).
 * stdout: a table row per day, the summary, and last a RESULT line; stderr: progress.
 * Exits 1 when any ingestion, recommendation or training job failed.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, processEnvWithDotenv } from '../config/load-config.js';
import type { Settings } from '../config/settings.js';
import { createLogger } from '../logging/logger.js';
import { points as signed } from '../training/pipeline/canary.js';
import { textTable } from '../tools/text-table.js';
import { SimulatedSystem, type CanaryRunSummary, type DayRow, type SimulationResult } from '../tools/simulation.js';
import { Progress } from './support/progress.js';
import { clearPrefix } from './support/redis-prefix.js';

const USAGE = `Usage: npm run simulate -- [options]

  --days N             simulated days after day 0 (28)
  --retrain-every N    retrain on every Nth day (7; 0 = never)
  --users N            living mock: users on day 0 (MOCK_USERS)
  --tracks N           living mock: tracks on day 0 (MOCK_TRACKS)
  --seed N             living mock seed (MOCK_SEED, else 42)
  --db NAME            database of the simulation (the MONGODB_URI database name + "_simulate")
  --step-timeout S     longest wait for one step, in seconds (1800)
  --log-level LEVEL    pipeline log level while simulating (error)
  --help
Other settings (CANARY_DAYS, CANARY_MAX_DAYS, CANARY_CONFIDENCE, TUNING_TRIALS, ALS_*, ...) come from .env and the environment.`;

function intFlag(values: Record<string, unknown>, name: string, def: number | undefined, min: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!/^\d+$/.test(String(raw)) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got ${String(raw)}`);
  return v;
}

function withDatabase(uri: string, db: string): string {
  const u = new URL(uri);
  u.pathname = `/${db}`;
  return u.toString();
}

async function emptyStores(s: Settings): Promise<void> {
  const conn = await mongoose.createConnection(s.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  await conn.db!.dropDatabase();
  await conn.close();
  const redis = new Redis(s.REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    await clearPrefix(redis, s.REDIS_PREFIX);
  } finally {
    await redis.quit();
  }
}

const f4 = (v: number | null) => (v === null ? '-' : v.toFixed(4));
const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
const n = (v: number | null) => (v === null ? '-' : String(v));
const DAY_HEAD = ['day', 'date', 'records', 'events', 'users recomputed', 'coverage', 'production', 'NDCG@10', 'model'];
const WIDTHS = [4, 10, 8, 8, 16, 8, 24, 8, 0];
function dayCells(r: DayRow): string[] {
  return [
    String(r.day),
    r.date,
    n(r.records),
    String(r.events),
    n(r.usersRecomputed),
    pct(r.coverage),
    r.production ?? '(none)',
    f4(r.ndcg),
    `${r.model}${r.failures.length ? ` FAILED: ${r.failures.map((f) => `${f.name} ${f.reason}`).join('; ')}` : ''}`,
  ];
}
function line(cells: string[]): string {
  return cells
    .map((c, i) => (i === 0 || i >= 6 ? c.padEnd(WIDTHS[i]) : c.padStart(WIDTHS[i])))
    .join('  ')
    .trimEnd();
}

function canaryCells(c: CanaryRunSummary): string[] {
  const l = c.last;
  const group = (g: { users: number; rate: number } | undefined) => (g ? `${g.users} (${pct(g.rate)})` : '-');
  return [
    c.version,
    c.endDay === null ? `${c.startDay}- (${c.days}, running)` : `${c.startDay}-${c.endDay} (${c.days})`,
    String(c.reviews),
    group(l?.canary),
    group(l?.production),
    l?.estimate != null ? `${signed(l.estimate)} pts` : '-',
    l?.lower != null && l.upper != null
      ? `[${signed(l.lower)}, ${signed(l.upper)}] at ${Number((100 * l.look_confidence).toFixed(2))}%`
      : '-',
    c.outcome,
  ];
}

function summary(r: SimulationResult): string {
  const out = ['', `Training runs (${r.trainings.length}):`];
  out.push(
    textTable(
      ['day', 'decision', 'version', 'candidate NDCG@10', 'production NDCG@10', 'popularity NDCG@10', 'lift over popularity'],
      r.trainings.map((t) => [
        String(t.day),
        t.decision,
        t.version ?? '-',
        f4(t.candidateNdcg),
        f4(t.productionNdcg),
        f4(t.popularityNdcg),
        t.candidateNdcg !== null && t.popularityNdcg ? `${(t.candidateNdcg / t.popularityNdcg).toFixed(2)}x` : '-',
      ]),
    ),
  );
  for (const t of r.trainings) out.push(`  day ${t.day}: ${t.reason}`);
  out.push('', `Canaries (${r.canaries.length}): next-day hit rate, canary minus production, with the interval of the last review`);
  out.push(
    textTable(
      ['version', 'days', 'reviews', 'canary users', 'production users', 'difference', 'interval', 'decision'],
      r.canaries.map(canaryCells),
    ),
  );
  out.push('', `Canary reviews (${r.canaryReviews.length}):`);
  // A review's own reason starts with its decision (promoted, rolled back, waiting).
  for (const c of r.canaryReviews) out.push(`  day ${c.day}: ${c.version} ${c.review?.reason ?? `${c.decision}: ${c.reason}`}`);
  out.push('', `Production at the end: ${r.finalProduction ?? '(none)'}; failed jobs: ${r.failures.length}; ${r.seconds.toFixed(1)} s`);
  return out.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      days: { type: 'string' },
      'retrain-every': { type: 'string' },
      users: { type: 'string' },
      tracks: { type: 'string' },
      seed: { type: 'string' },
      db: { type: 'string' },
      'step-timeout': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const days = intFlag(values, 'days', 28, 1)!;
  const retrainEvery = intFlag(values, 'retrain-every', 7, 0)!;
  const stepTimeoutS = intFlag(values, 'step-timeout', 1800, 1)!;
  const base = loadConfig();
  const dbName = values.db ?? `${new URL(base.MONGODB_URI).pathname.slice(1) || 'moovitamix'}_simulate`;
  const env: Record<string, string | undefined> = {
    ...processEnvWithDotenv(),
    MOCK_MODE: 'living',
    MONGODB_URI: withDatabase(base.MONGODB_URI, dbName),
    REDIS_PREFIX: `${base.REDIS_PREFIX}-simulate`,
    LOG_LEVEL: values['log-level'] ?? 'error',
  };
  for (const [flag, name] of [
    ['users', 'MOCK_USERS'],
    ['tracks', 'MOCK_TRACKS'],
    ['seed', 'MOCK_SEED'],
  ] as const) {
    const v = intFlag(values, flag, undefined, 1);
    if (v !== undefined) env[name] = String(v);
  }
  const settings = loadConfig(env);
  await emptyStores(settings);

  // Progress on stderr: a bar redrawn in place on a terminal, a plain line per step elsewhere.
  const progress = new Progress(process.stderr);
  process.stdout.write(
    `Simulating ${days} days on the living mock (users ${settings.MOCK_USERS}, tracks ${settings.MOCK_TRACKS}, seed ${settings.MOCK_SEED ?? 42}); retrain every ${retrainEvery || '-'} days, canary ${settings.CANARY_PERCENT}% reviewed from day ${settings.CANARY_DAYS} to ${Math.max(settings.CANARY_DAYS, settings.CANARY_MAX_DAYS)} (${Math.round(100 * settings.CANARY_CONFIDENCE)}% confidence, margin ${(100 * settings.CANARY_NON_INFERIORITY_MARGIN).toFixed(1)} points); database ${dbName}\n\n`,
  );
  process.stdout.write(`${line(DAY_HEAD)}\n`);
  const system = await SimulatedSystem.start(settings, createLogger(settings.LOG_LEVEL, { stderr: true }));
  let result: SimulationResult;
  try {
    result = await system.run({
      steps: days + 1,
      retrainEvery,
      stepTimeoutMs: stepTimeoutS * 1000,
      onStep: (day, step) => progress.update(`day ${day}/${days} ${step}`, day / days),
      onDay: (row) => {
        progress.clear();
        process.stdout.write(`${line(dayCells(row))}\n`);
      },
    });
  } finally {
    await system.close();
  }
  progress.clear();
  process.stdout.write(`${summary(result)}\n`);
  const last = [...result.trainings].reverse().find((t) => t.candidateNdcg !== null);
  const res = {
    days,
    failed_jobs: result.failures.length,
    training_runs: result.trainings.length,
    decisions: result.trainings.map((t) => t.decision),
    canary_reviews: result.canaryReviews.map((c) => c.decision),
    canaries: result.canaries.map((c) => ({
      version: c.version,
      days: c.days,
      reviews: c.reviews,
      outcome: c.outcome,
      canary_users: c.last?.canary.users ?? null,
      production_users: c.last?.production.users ?? null,
      estimate: c.last?.estimate ?? null,
      lower: c.last?.lower ?? null,
      upper: c.last?.upper ?? null,
      confidence: c.last?.look_confidence ?? null,
    })),
    final_production: result.finalProduction,
    model_ndcg_at_10: last?.candidateNdcg ?? null,
    popularity_ndcg_at_10: last?.popularityNdcg ?? null,
    ratio_to_popularity:
      last?.candidateNdcg != null && last.popularityNdcg ? Number((last.candidateNdcg / last.popularityNdcg).toFixed(3)) : null,
    seconds: Number(result.seconds.toFixed(1)),
  };
  process.stdout.write(`RESULT ${JSON.stringify(res)}\n`);
  const trainingFailed = result.trainings.some((t) => t.decision === 'failed');
  return result.failures.length > 0 || trainingFailed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(e instanceof ConfigError ? `${e.message}\n` : `simulate: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
