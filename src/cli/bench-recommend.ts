import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import mongooseDefault from 'mongoose';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Redis } from 'ioredis';
import type mongoose from 'mongoose';
import { createPipelineApp } from '../bootstrap.js';
import { COLLECTIONS } from '../catalog/catalog.schemas.js';
import { loadConfig, processEnvWithDotenv } from '../config/load-config.js';
import type { Settings } from '../config/settings.js';
import { createLogger } from '../logging/logger.js';
import { PipelineChain } from '../pipeline/pipeline-chain.service.js';
import { JobName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { RecommendationRunsRepository } from '../recommendations/recommendation-runs.repository.js';
import { finalizeJobId } from '../recommendations/run-keys.js';
import { seedSyntheticCatalogue, type SyntheticCatalogue } from '../tools/synthetic-catalogue.js';
import { fieldLines } from '../tools/text-table.js';
import { buildInteractions, type Listen } from '../training/model/als.js';
import { serializeModel } from '../training/model/artifact.js';
import { resolveEaseSettings, resolveRp3betaSettings } from '../training/model/item-model.js';
import { describeSpec, MODEL_FAMILIES, trainSpec, type ModelFamily, type ModelSpec } from '../training/model/model.js';
import { absoluteAls, dataScale } from '../training/model/selection.js';
import { chunkId } from '../training/registry/artifact-store.js';
import { TRAINING_COLLECTIONS, type ModelVersionDoc } from '../training/registry/registry.schemas.js';
import { countListens } from '../training/serving/serving-model.js';
import { clearPrefix } from './support/redis-prefix.js';
import { ROLE_PRESETS } from '../roles.js';

/**
 * bench:recommend: a full recommendation run, end to end (plan, batches computed, stored in MongoDB
 * and cached in Redis, finalize), with the worker in this process, on a store seeded directly.
 * Baseline measured in the same run: the store's bare I/O for the same volume (stream the three
 * inputs once, insert as many playlists, write as many cache entries), with no recommending at all.
 *
 * By default an ALS model trained on the seeded listens is put in production first (not timed), so the
 * run measures what a day with a model costs: fold-in and scoring for every user. `--no-model` runs
 * the day-one path instead (no model: the hybrid of genre affinity and popularity).
 *
 *   npm run bench:recommend -- [--users 100000] [--tracks 20000] [--listens 20] [--batch-size 2000]
 *                              [--no-model] [--model-iterations 5] [--family als|ease|rp3beta] [--no-baseline] [--verbose]
 */

interface Flags {
  users: number;
  tracks: number;
  listens: number;
  batchSize: number;
  baseline: boolean;
  seed: number;
  verbose: boolean;
  /** Train a model on the seeded listens and put it in production before the run. */
  model: boolean;
  modelIterations: number;
  /** Family of the production model the bench installs. */
  family: ModelFamily;
  /** Internal: seed this database and exit (run in a child process, so the bench's RSS is the worker's alone). */
  seedOnly?: string;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = {
    users: 100_000,
    tracks: 20_000,
    listens: 20,
    batchSize: 2000,
    baseline: true,
    seed: 7,
    verbose: false,
    model: true,
    modelIterations: 5,
    family: 'als',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (name: string) => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${name} expects a positive integer, got ${argv[i]}`);
      return v;
    };
    if (a === '--users') f.users = num(a);
    else if (a === '--tracks') f.tracks = num(a);
    else if (a === '--listens') f.listens = num(a);
    else if (a === '--batch-size') f.batchSize = num(a);
    else if (a === '--seed') f.seed = num(a);
    else if (a === '--no-baseline') f.baseline = false;
    else if (a === '--no-model') f.model = false;
    else if (a === '--model-iterations') f.modelIterations = num(a);
    else if (a === '--family') {
      const v = argv[++i];
      if (!MODEL_FAMILIES.includes(v as ModelFamily)) throw new Error(`--family must be one of ${MODEL_FAMILIES.join(', ')}, got ${v}`);
      f.family = v as ModelFamily;
    } else if (a === '--verbose') f.verbose = true;
    else if (a === '--seed-only') f.seedOnly = argv[++i];
    else
      throw new Error(
        `unknown flag ${a} (flags: --users --tracks --listens --batch-size --seed --no-model --model-iterations --family --no-baseline --verbose)`,
      );
  }
  return f;
}

const sec = (ms: number) => Math.round(ms) / 1000;

/** The store's bare I/O for the run's volume: read the inputs once, insert the playlists, set the cache entries. */
async function ioFloor(db: mongoose.mongo.Db, redis: Redis, prefix: string, users: number, tracksPerPlaylist: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    [COLLECTIONS.tracks, COLLECTIONS.users, COLLECTIONS.listenHistory].map(async (name) => {
      const projection =
        name === COLLECTIONS.tracks
          ? { name: 1, artist: 1, genres: 1 }
          : name === COLLECTIONS.users
            ? { favorite_genres: 1, account_status: 1, created_at: 1 }
            : { items: 1, generation: 1 };
      for await (const _ of db.collection(name).find({}, { projection, batchSize: 5000 })) void _;
    }),
  );
  const scratch = db.collection('bench_io_floor');
  const now = new Date();
  const trackIds = Array.from({ length: tracksPerPlaylist }, (_, i) => i + 1);
  const scores = trackIds.map((i) => 1 / i);
  const value = JSON.stringify({
    tracks: trackIds.map((id, i) => ({ track_id: id, name: `Track ${id}`, artist: `Artist ${id}`, genres: ['Rock'], score: scores[i] })),
  });
  for (let i = 0; i < users; i += 2000) {
    const n = Math.min(2000, users - i);
    const docs = Array.from({ length: n }, (_, k) => ({
      _id: `${i + k}-floor`,
      user_id: i + k,
      track_ids: trackIds,
      scores,
      playlist_name: 'Daily mix',
      is_generated: true,
      model_version: null,
      recommender: 'hybrid',
      variant: 'default',
      experiment: null,
      run_id: 'floor',
      run_key: 'floor',
      run_date: 'floor',
      created_at: now,
      updated_at: now,
    }));
    await scratch.insertMany(docs as never[], { ordered: false });
    const p = redis.pipeline();
    for (let k = 0; k < n; k++) p.set(`${prefix}:floor:${i + k}`, value, 'EX', 600);
    await p.exec();
  }
  const seconds = (performance.now() - t0) / 1000;
  await scratch.drop().catch(() => undefined);
  return seconds;
}

/** Version name of the model the bench puts in production. */
const BENCH_MODEL_VERSION = 'bench-model';

/**
 * An ALS model of the seeded listens (ALS_* settings, `iterations` of them), stored as the
 * training pipeline stores one (artifact chunks, then a model_versions record in production).
 */
async function installModel(
  db: mongoose.mongo.Db,
  data: SyntheticCatalogue,
  settings: Settings,
  iterations: number,
  family: ModelFamily,
): Promise<{ seconds: number; items: number; spec: string }> {
  const t0 = performance.now();
  const listens: Listen[] = [];
  for (const h of data.histories) for (const { trackId, count } of countListens(h.items)) listens.push({ userId: h._id, trackId, count });
  const m = buildInteractions(listens);
  const scale = dataScale(m);
  const s = settings;
  const spec: ModelSpec =
    family === 'als'
      ? {
          family,
          settings: absoluteAls(
            {
              factors: s.ALS_FACTORS,
              regularization: s.ALS_REGULARIZATION,
              alpha: s.ALS_ALPHA,
              confidence: s.ALS_CONFIDENCE,
              iterations,
              cgSteps: s.ALS_CG_STEPS,
              seed: 1,
            },
            scale,
          ),
        }
      : family === 'ease'
        ? { family, settings: resolveEaseSettings({ countScale: scale.countScale }) }
        : { family, settings: resolveRp3betaSettings({ countScale: scale.countScale }) };
  const model = await trainSpec(spec, m);
  const artifact = serializeModel(model);
  await db.collection(TRAINING_COLLECTIONS.modelArtifacts).insertMany(
    artifact.chunks.map(
      (chunk, index) =>
        ({
          _id: chunkId(BENCH_MODEL_VERSION, index),
          version: BENCH_MODEL_VERSION,
          index,
          count: artifact.chunks.length,
          sha256: artifact.sha256,
          data: chunk,
        }) as never,
    ),
  );
  const now = new Date();
  const none = { precision: 0, recall: 0, ndcg: 0, map: 0, coverage: 0, users: 0 };
  const doc: ModelVersionDoc = {
    _id: BENCH_MODEL_VERSION,
    version: BENCH_MODEL_VERSION,
    status: 'production',
    run_id: 'bench:recommend',
    window: { start: now, end: now, validation_start: now, evaluation_start: now },
    sizes: { users: m.userIds.length, items: model.itemIds.length, interactions: listens.length },
    family,
    settings: { ...spec.settings },
    metrics: none,
    baselines: { production_version: null, production: null, popularity: none },
    decision: 'promoted',
    reason: 'installed by bench:recommend (not evaluated)',
    artifact: {
      sha256: artifact.sha256,
      bytes: artifact.meta.bytes,
      chunks: artifact.chunks.length,
      users: artifact.meta.users,
      items: artifact.meta.items,
      factors: artifact.meta.factors,
    },
    canary: null,
    previous_production_version: null,
    created_at: now,
    updated_at: now,
    canary_at: null,
    promoted_at: now,
    retired_at: null,
    rejected_at: null,
    history: [{ at: now, status: 'production', decision: 'promoted', reason: 'bench:recommend', by: 'bench' }],
  };
  await db.collection(TRAINING_COLLECTIONS.modelVersions).insertOne(doc as never);
  return { seconds: (performance.now() - t0) / 1000, items: model.itemIds.length, spec: describeSpec(spec) };
}

/** The synthetic catalogue written straight into the collections, and the model (the child process of --seed-only). */
async function seedOnly(uri: string, flags: Flags): Promise<void> {
  const conn = await mongooseDefault.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    const { listens, data } = await seedSyntheticCatalogue(conn.db!, {
      users: flags.users,
      tracks: flags.tracks,
      listensPerUser: flags.listens,
      seed: flags.seed,
    });
    const model = flags.model
      ? await installModel(conn.db!, data, loadConfig(processEnvWithDotenv()), flags.modelIterations, flags.family)
      : null;
    process.stdout.write(`SEEDED ${JSON.stringify({ listens, model })}\n`);
  } finally {
    await conn.close();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.seedOnly) return seedOnly(flags.seedOnly, flags);
  execFileSync('bash', ['scripts/services.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = processEnvWithDotenv();
  const mongoBase = (env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/moovitamix').replace(/\/[^/]*$/, '');
  const settings: Settings = loadConfig({
    ...env,
    APP_ROLE: 'worker',
    MONGODB_URI: `${mongoBase}/bench_recommend_${process.pid}`,
    REDIS_PREFIX: `bench-recommend-${process.pid}`,
    LOG_LEVEL: flags.verbose ? 'log' : 'warn',
    RECOMMENDATION_BATCH_SIZE: String(flags.batchSize),
    EXPERIMENTS: env.EXPERIMENTS ?? '[]',
  });
  const redis = new Redis(settings.REDIS_URL, { maxRetriesPerRequest: 2 });
  let app: INestApplication | undefined;
  let db: mongoose.mongo.Db | undefined;
  const rows: Array<[string, string]> = [];
  try {
    app = await createPipelineApp(settings, ROLE_PRESETS.worker, createLogger(settings.LOG_LEVEL, { stderr: true }));
    await app.init();
    db = app.get<mongoose.Connection>(getConnectionToken()).db!;
    const build = await db.admin().command({ buildInfo: 1 });
    const store =
      build.ferretdbVersion !== undefined
        ? `FerretDB (reports MongoDB ${String(build.version)}; backend as started by scripts/services.sh)`
        : `MongoDB ${String(build.version)}`;

    let t = performance.now();
    const seeded = execFileSync(
      process.execPath,
      [
        process.argv[1]!,
        '--seed-only',
        settings.MONGODB_URI,
        '--users',
        String(flags.users),
        '--tracks',
        String(flags.tracks),
        '--listens',
        String(flags.listens),
        '--seed',
        String(flags.seed),
        ...(flags.model ? ['--model-iterations', String(flags.modelIterations), '--family', flags.family] : ['--no-model']),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    ).toString();
    const { listens, model } = JSON.parse(/SEEDED (\{.*\})/.exec(seeded)?.[1] ?? '{"listens":0,"model":null}') as {
      listens: number;
      model: { seconds: number; items: number; spec: string } | null;
    };
    rows.push([
      'seed (not timed in the result)',
      `${sec(performance.now() - t)} s: ${flags.users} users, ${flags.tracks} tracks, ${listens} listens`,
    ]);
    rows.push([
      'production model (not timed)',
      model
        ? `${BENCH_MODEL_VERSION}: ${model.spec}, ${model.items} tracks, trained and stored in ${model.seconds.toFixed(1)} s`
        : 'none (--no-model): the hybrid recommender serves everyone',
    ]);

    const floor = flags.baseline ? await ioFloor(db, redis, settings.REDIS_PREFIX, flags.users, settings.PLAYLIST_SIZE) : null;
    if (floor !== null) rows.push(['baseline: bare store I/O of the same volume', `${floor.toFixed(2)} s`]);

    const rssBefore = process.resourceUsage().maxRSS / 1024;
    t = performance.now();
    const { jobId } = await app.get(PipelineChain).startRecommendations('2026-11-26', 'cli', { force: true, reason: 'bench:recommend' });
    const jobs = app.get(JobQueue);
    const planned = await jobs.waitForJob(JobName.RecommendationRun, jobId, 3_600_000, 100);
    if (planned !== 'completed') throw new Error(`the run's plan ended ${planned}`);
    const tPlan = performance.now();
    const finished = await jobs.waitForJob(JobName.RecommendationFinalize, finalizeJobId(jobId), 3_600_000, 100);
    if (finished !== 'completed') throw new Error(`the run's finalize job ended ${finished}`);
    const seconds = (performance.now() - t) / 1000;
    const run = (await app.get(RecommendationRunsRepository).get(jobId))!;
    const peakRss = Math.max(rssBefore, process.resourceUsage().maxRSS / 1024);

    rows.push(['plan (load, stats, select, cold start, enqueue)', `${sec(tPlan - t)} s`]);
    rows.push(['batches + finalize', `${sec(performance.now() - tPlan)} s (${run.batches} batches of ${flags.batchSize})`]);
    rows.push(['run end to end', `${seconds.toFixed(2)} s, status ${run.status}`]);
    rows.push(['users computed / failed', `${run.users_computed} / ${run.users_failed}`]);
    rows.push(['model version of the run', String(run.model_version ?? 'none')]);
    rows.push(['store', store]);
    rows.push(['peak RSS', `${Math.round(peakRss)} MB`]);
    process.stdout.write(`bench:recommend\n${fieldLines(rows, '  ')}\n`);
    const result = {
      users_per_s: Math.round((run.users_computed / seconds) * 10) / 10,
      users: flags.users,
      tracks: flags.tracks,
      seconds: Math.round(seconds * 100) / 100,
      peak_rss_mb: Math.round(peakRss),
      users_computed: run.users_computed,
      users_failed: run.users_failed,
      listens,
      batch_size: flags.batchSize,
      model_version: run.model_version ?? null,
      model_family: model ? flags.family : null,
      plan_seconds: Math.round(sec(tPlan - t) * 100) / 100,
      baseline_io_seconds: floor === null ? null : Math.round(floor * 100) / 100,
      ratio_to_io_baseline: floor === null ? null : Math.round((seconds / floor) * 100) / 100,
      target_users_per_s: 2000,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await db?.dropDatabase().catch(() => undefined);
    await app?.close();
    await clearPrefix(redis, settings.REDIS_PREFIX).catch(() => undefined);
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:recommend failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
