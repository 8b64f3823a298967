import { Queue } from 'bullmq';
import mongoose from 'mongoose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { ownMongo, ownRedis, sleep, until, type OwnServer } from './support.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const FINISHED = ['succeeded', 'succeeded_with_rejections', 'completed', 'failed'];

/** One `all` process (API, workers, the living mock) on the given servers; small pages so a run lasts long enough to cut it. */
async function startAll(mongodbUri: string, redisUrl: string, prefix: string): Promise<{ app: AppProcess; api: string; mock: string }> {
  const [http, mockPort, metrics] = [await freePort(), await freePort(), await freePort()];
  const app = startApp({
    APP_ROLE: 'all',
    MONGODB_URI: mongodbUri,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    HTTP_PORT: String(http),
    MOCK_PORT: String(mockPort),
    METRICS_PORT: String(metrics),
    MOCK_API_URL: `http://127.0.0.1:${mockPort}`,
    MOCK_MODE: 'living',
    MOCK_SEED: '21',
    MOCK_USERS: '300',
    MOCK_TRACKS: '200',
    MOCK_INITIAL_LISTENS: '6',
    INGESTION_PAGE_SIZE: '20',
    INGESTION_CONCURRENCY: '1',
    RECOMMENDATION_BATCH_SIZE: '50',
    RECOMMENDATION_THREADS: '1',
    RECOMMENDATION_LOCAL_CACHE_TTL: '0',
    SERVING_TIMEOUT_MS: '1000',
    HEALTH_CHECK_TIMEOUT_MS: '500',
    RAW_EXPORT: 'false',
    LOG_LEVEL: 'log',
  });
  const api = `http://127.0.0.1:${http}`;
  await waitForHttp(`${api}/health/live`, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${app.output().slice(-3000)}`);
  });
  return { app, api, mock: `http://127.0.0.1:${mockPort}` };
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  if (res.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The store equals the source: every record once, every listen once as an event. */
async function expectStoreEqualsSource(db: NonNullable<mongoose.Connection['db']>, mock: string): Promise<void> {
  const state = await json(`${mock}/mock/state`);
  expect(await db.collection('tracks').countDocuments({})).toBe(state.sizes.tracks);
  expect(await db.collection('users').countDocuments({})).toBe(state.sizes.users);
  expect(await db.collection('listen_history').countDocuments({})).toBe(state.sizes.listen_history);
  expect(await db.collection('listen_events').countDocuments({})).toBe(state.sizes.listens);
  const histories = await db
    .collection('listen_history')
    .find({}, { projection: { items: 1 } })
    .toArray();
  expect(histories.reduce((n, h) => n + (h.items as unknown[]).length, 0)).toBe(state.sizes.listens);
}

describe('servers restarted during a run', () => {
  const procs: AppProcess[] = [];
  const servers: OwnServer[] = [];
  const conns: mongoose.Connection[] = [];
  afterEach(async () => {
    for (const p of procs) p.proc.kill('SIGKILL');
    await Promise.all(procs.splice(0).map((p) => p.exited));
  });
  afterAll(async () => {
    for (const c of conns) await c.close();
    for (const s of servers) await s.remove();
  });

  it('Redis (with persistence) restarted mid-ingestion: serving degrades to MongoDB meanwhile, the processes reconnect, the run and its recommendation run complete', async () => {
    const redis = await ownRedis({ persistent: true });
    servers.push(redis);
    await redis.start();
    const settings = testSettings('res_redis_restart', { REDIS_URL: redis.url });
    const conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
    conns.push(conn);
    const db = conn.db!;
    const { app, api, mock } = await startAll(settings.MONGODB_URI, redis.url, settings.REDIS_PREFIX);
    procs.push(app);
    const recDone = (id: string) =>
      until(
        `${id} to finish`,
        async () => {
          const r = await db.collection('recommendation_runs').findOne({ _id: id as never });
          return r && FINISHED.includes(r.status) ? r : undefined;
        },
        120_000,
        250,
        () => app.output().slice(-3000),
      );

    // Day 1, untroubled: playlists stored and cached.
    await json(`${api}/ingestion/runs`, { method: 'POST', headers: admin, body: JSON.stringify({ run_date: '2026-03-01' }) });
    expect((await recDone('recommendations-2026-03-01')).status).toBe('succeeded');
    const user = (await db.collection('playlists').findOne({}))!.user_id as number;
    const cached = await fetch(`${api}/users/${user}/recommendations`);
    expect(cached.headers.get('x-recommendation-source')).toBe('cache');
    const list = ((await cached.json()) as { tracks: Array<{ track_id: number }> }).tracks.map((t) => t.track_id);

    // Day 2, slow pages; Redis stops while the users are read.
    await json(`${mock}/mock/advance?days=1`, { method: 'POST', headers: { authorization: admin.authorization } });
    await json(`${mock}/mock/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ latency_ms: 150 }) });
    const { run_id: runId } = await json(`${api}/ingestion/runs`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ run_date: '2026-03-02' }),
    });
    await until(
      'the users endpoint under way',
      () => db.collection('ingestion_checkpoints').findOne({ run_id: runId, endpoint: 'users' }),
      60_000,
      50,
    );
    await redis.stop();

    // Degraded, not down: the stored list, within the serving timeout; readiness names Redis.
    const degraded = await fetch(`${api}/users/${user}/recommendations`, { signal: AbortSignal.timeout(10_000) });
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-recommendation-source')).toBe('store');
    expect(((await degraded.json()) as { tracks: Array<{ track_id: number }> }).tracks.map((t) => t.track_id)).toEqual(list);
    const ready = await fetch(`${api}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(503);
    expect(Object.keys(((await ready.json()) as { error: object }).error)).toContain('redis');
    await sleep(2000);
    await redis.start();

    const run = await until(
      'the ingestion run to finish',
      async () => {
        const r = await db.collection('ingestion_runs').findOne({ _id: runId });
        return r && FINISHED.includes(r.status) ? r : undefined;
      },
      120_000,
      250,
      () => app.output().slice(-3000),
    );
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    await json(`${mock}/mock/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ latency_ms: 0 }) });
    await expectStoreEqualsSource(db, mock);
    const rec = await recDone('recommendations-2026-03-02');
    expect(rec.status).toBe('succeeded');
    expect(await db.collection('playlists').countDocuments({ run_id: rec._id })).toBe(rec.users_computed);
    await waitForHttp(`${api}/health/ready`, 20_000);
    const again = await fetch(`${api}/users/${user}/recommendations`);
    expect(again.status).toBe(200);
  }, 300_000);

  it('the MongoDB-compatible server restarted mid-ingestion: writes resume, the run never reads as succeeded before it is, and the store equals the source', async () => {
    const store = await ownMongo();
    servers.push(store);
    await store.start();
    const settings = testSettings('res_mongo_restart');
    const uri = `${store.url}/moovitamix`;
    const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 20_000 }).asPromise();
    conns.push(conn);
    const db = conn.db!;
    const { app, api, mock } = await startAll(uri, settings.REDIS_URL, settings.REDIS_PREFIX);
    procs.push(app);
    const queue = new Queue('ingestion', { connection: { url: settings.REDIS_URL }, prefix: settings.REDIS_PREFIX });
    try {
      await json(`${mock}/mock/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ latency_ms: 150 }) });
      const { run_id: runId } = await json(`${api}/ingestion/runs`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ run_date: '2026-03-01' }),
      });
      await until(
        'the users endpoint under way',
        async () => (await db.collection('ingestion_checkpoints').countDocuments({ run_id: runId, endpoint: 'users' })) >= 3,
        60_000,
        50,
      );
      await store.stop();
      await sleep(2000);
      await store.start();

      // Whatever a failed attempt had begun is not shown as done.
      const run = await until(
        'the ingestion run to finish',
        async () => {
          const r = await db
            .collection('ingestion_runs')
            .findOne({ _id: runId })
            .catch(() => null);
          if (!r) return undefined;
          if (r.status !== 'succeeded') expect(['running', 'retrying', 'failed']).toContain(r.status);
          // A failed attempt waits out the job's backoff (30 s) before it resumes: fast-forwarded here.
          if ((await queue.getJobState(runId)) === 'delayed') await queue.promoteJobs();
          return FINISHED.includes(r.status) ? r : undefined;
        },
        180_000,
        250,
        () => app.output().slice(-3000),
      );
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.attempts).toBeGreaterThanOrEqual(1);
      await json(`${mock}/mock/faults`, { method: 'POST', headers: admin, body: JSON.stringify({ latency_ms: 0 }) });
      await expectStoreEqualsSource(db, mock);
      expect(await db.collection('ingestion_checkpoints').countDocuments({ run_id: runId })).toBe(0);
    } finally {
      await queue.close();
    }
  }, 300_000);
});
