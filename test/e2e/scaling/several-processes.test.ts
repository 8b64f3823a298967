import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockApiApp, createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { combineRoles } from '../../../src/roles.js';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { until } from '../resilience/support.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const FINISHED = ['succeeded', 'completed', 'failed'];

const count = (text: string, needle: string) => text.split(needle).length - 1;

// The deployment users will scale: one api, two schedulers and two workers as separate processes on
// one Redis and one MongoDB. The ingestion cron ticks every 2 seconds in both schedulers; the day's
// run must still happen once, its recommendation batches spread over both workers, and the result
// equal what one process makes of the same source.
describe('api, two schedulers and two workers as separate processes', () => {
  const settings = testSettings('scale_out');
  const single = testSettings('scale_single');
  let mock: INestApplication;
  let mockUrl: string;
  const procs: Record<string, AppProcess> = {};
  let conn: mongoose.Connection;
  let singleConn: mongoose.Connection;

  beforeAll(async () => {
    mock = await createMockApiApp(
      testSettings('scale_mock', {
        MOCK_MODE: 'living',
        MOCK_SEED: '31',
        MOCK_USERS: '600',
        MOCK_TRACKS: '300',
        MOCK_INITIAL_LISTENS: '8',
      }),
      createLogger('warn'),
    );
    await mock.listen(0, '127.0.0.1');
    mockUrl = `http://127.0.0.1:${(mock.getHttpServer().address() as AddressInfo).port}`;
    conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
    singleConn = await mongoose.createConnection(single.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  });
  afterAll(async () => {
    for (const p of Object.values(procs)) p.proc.kill('SIGKILL');
    await Promise.all(Object.values(procs).map((p) => p.exited));
    await conn?.close();
    await singleConn?.close();
    await mock?.close();
  });

  const common = () => ({
    MONGODB_URI: settings.MONGODB_URI,
    REDIS_URL: settings.REDIS_URL,
    REDIS_PREFIX: settings.REDIS_PREFIX,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    MOCK_API_URL: mockUrl,
    RAW_EXPORT: 'false',
    RECOMMENDATION_BATCH_SIZE: '20',
    RECOMMENDATION_THREADS: '1',
    // Every 2 seconds (a seconds field): many ticks in each scheduler, one run for the day.
    INGESTION_CRON: '*/2 * * * * *',
    LOG_LEVEL: 'log',
  });

  async function start(name: string, role: string): Promise<void> {
    const port = await freePort();
    const env = { ...common(), APP_ROLE: role, ...(role === 'api' ? { HTTP_PORT: String(port) } : { METRICS_PORT: String(port) }) };
    procs[name] = startApp(env);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 90_000).catch((err: Error) => {
      throw new Error(`${name}: ${err.message}\n${procs[name]!.output().slice(-2000)}`);
    });
  }

  it('runs each cron once per period, spreads the batches over both workers, and ends as a single process does', async () => {
    // Workers first, so the first tick's job is taken at once.
    await Promise.all([start('worker-1', 'worker'), start('worker-2', 'worker'), start('api', 'api')]);
    await Promise.all([start('scheduler-1', 'scheduler'), start('scheduler-2', 'scheduler')]);

    const db = conn.db!;
    // The day is the schedulers' (TZ_CRON, UTC), read back from the run.
    const run = await until(
      'the chained recommendation run to finish',
      async () => {
        const r = await db.collection('recommendation_runs').findOne({});
        return r && FINISHED.includes(r.status) ? r : undefined;
      },
      180_000,
      250,
      () =>
        Object.entries(procs)
          .map(([n, p]) => `${n}: ${p.output().slice(-800)}`)
          .join('\n'),
    );
    const today = run.run_date as string;
    const runId = `recommendations-${today}`;
    expect(run._id).toBe(runId);
    // Let both schedulers tick a few more times after the day's run is done.
    const ticks = (name: string) =>
      count(procs[name]!.output(), 'daily ingestion enqueued') + count(procs[name]!.output(), 'daily ingestion already enqueued');
    const ticked = [ticks('scheduler-1'), ticks('scheduler-2')];
    await until(
      'both schedulers to tick twice more',
      async () => ticks('scheduler-1') >= ticked[0]! + 2 && ticks('scheduler-2') >= ticked[1]! + 2,
      60_000,
      200,
    );

    // One ingestion run for the day, however many ticks.
    const ingestionRuns = await db.collection('ingestion_runs').find({}).toArray();
    expect(ingestionRuns.map((r) => [r._id, r.status])).toEqual([[`ingestion-${today}`, 'succeeded']]);
    // Both schedulers ticked several times (above). (Two ticks at the same instant may both log "enqueued":
    // each found no job and added it; BullMQ kept one. The jobs and the runs are what count.)
    const redis = new Redis(settings.REDIS_URL);
    const jobKeys = await redis.keys(`${settings.REDIS_PREFIX}:ingestion:ingestion-*`).finally(() => redis.disconnect());
    expect(jobKeys.filter((k) => k.split(':').length === 3).map((k) => k.split(':')[2])).toEqual([`ingestion-${today}`]);
    expect(await db.collection('recommendation_runs').countDocuments({})).toBe(1);

    // Both workers took batches.
    expect(run).toMatchObject({ status: 'succeeded', users_failed: 0 });
    const perWorker = ['worker-1', 'worker-2'].map((w) => count(procs[w]!.output(), 'recommendation batch stored'));
    expect(
      perWorker.every((n) => n > 0),
      `batches per worker: ${perWorker}`,
    ).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(run.batches);

    // The same source through one process (API and workers together, triggered by hand).
    const app: INestApplication = await createPipelineApp(
      { ...single, MOCK_API_URL: mockUrl, RAW_EXPORT: false, RECOMMENDATION_BATCH_SIZE: 20 },
      combineRoles('api', 'worker'),
      createLogger('warn'),
    );
    try {
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const res = await fetch(`${base}/ingestion/runs`, { method: 'POST', headers: admin, body: JSON.stringify({ run_date: today }) });
      expect(res.status).toBe(202);
      const sdb = singleConn.db!;
      const ref = await until(
        'the single-process recommendation run',
        async () => {
          const r = await sdb.collection('recommendation_runs').findOne({ _id: runId as never });
          return r && FINISHED.includes(r.status) ? r : undefined;
        },
        180_000,
        250,
      );
      for (const c of ['tracks', 'users', 'listen_history', 'listen_events', 'playlists']) {
        expect(await db.collection(c).countDocuments({}), c).toBe(await sdb.collection(c).countDocuments({}));
      }
      expect(run.users_computed).toBe(ref.users_computed);
      const lists = (d: mongoose.mongo.Db) =>
        d
          .collection('playlists')
          .find({}, { projection: { user_id: 1, track_ids: 1 } })
          .toArray();
      const refLists = new Map((await lists(sdb)).map((p) => [p.user_id, p.track_ids]));
      for (const p of await lists(db)) expect(p.track_ids, `user ${p.user_id}`).toEqual(refLists.get(p.user_id));
    } finally {
      await app.close();
    }
  }, 400_000);
});
