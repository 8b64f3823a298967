import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockApiApp, createPipelineApp } from '../../../src/bootstrap.js';
import type { Settings } from '../../../src/config/settings.js';
import { createLogger } from '../../../src/logging/logger.js';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { StallProxy } from '../../support/stall-proxy.js';
import { TEST_ADMIN_TOKEN, testServers, testSettings } from '../../support/settings.js';
import { activeJobs, expireLocksOfDeadWorker, queuedOrActiveJobs, sleep, until } from './support.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const FINISHED = ['succeeded', 'completed', 'failed'];

// Worker processes killed with SIGKILL in the middle of a recommendation batch and of a training run
// (ingestion: test/e2e/ingestion/crash.test.ts). The killed worker reaches MongoDB through a proxy
// that is stalled first, so it dies with its writes in flight (cache written, playlists not).
describe('a worker killed during a recommendation batch or a training run', () => {
  let settings: Settings;
  let mock: INestApplication;
  let api: INestApplication;
  let apiBase: string;
  let conn: mongoose.Connection;
  let db: NonNullable<mongoose.Connection['db']>;
  let proxy: StallProxy;
  const workers: AppProcess[] = [];
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    settings = testSettings('res_kill');
    mock = await createMockApiApp(
      testSettings('res_kill_mock', {
        MOCK_MODE: 'living',
        MOCK_SEED: '11',
        MOCK_USERS: '500',
        MOCK_TRACKS: '300',
        MOCK_INITIAL_LISTENS: '8',
      }),
      createLogger('warn'),
    );
    await mock.listen(0, '127.0.0.1');
    const mockUrl = `http://127.0.0.1:${(mock.getHttpServer().address() as AddressInfo).port}`;
    settings = { ...settings, MOCK_API_URL: mockUrl };
    api = await createPipelineApp(settings, ROLE_PRESETS.api, createLogger('warn'));
    await api.listen(0, '127.0.0.1');
    apiBase = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
    db = conn.db!;
    const mongo = new URL(testServers().mongodb.replace(/^mongodb:/, 'http:'));
    proxy = await new StallProxy(mongo.hostname, Number(mongo.port || 27017)).start();
    workerEnv = {
      APP_ROLE: 'worker',
      MONGODB_URI: settings.MONGODB_URI,
      REDIS_URL: settings.REDIS_URL,
      REDIS_PREFIX: settings.REDIS_PREFIX,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      MOCK_API_URL: mockUrl,
      RAW_EXPORT: 'false',
      RECOMMENDATION_BATCH_SIZE: '10',
      RECOMMENDATION_THREADS: '1',
      ALS_THREADS: '1',
      MODEL_SEARCH_SECONDS: '5',
      TUNING_TRIALS: '2',
      LOG_LEVEL: 'log',
    };
  });
  afterAll(async () => {
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await proxy?.stop();
    await conn?.close();
    await api?.close();
    await mock?.close();
  });

  // A test that failed while MongoDB was cut off must not leave the next one without it.
  afterEach(() => proxy?.resume());

  /** A worker process; `throughProxy` puts the stallable proxy between it and MongoDB. */
  async function startWorker(throughProxy = false): Promise<AppProcess> {
    const port = await freePort();
    const uri = throughProxy ? settings.MONGODB_URI.replace(/\/\/[^/]+\//, `//127.0.0.1:${proxy.port}/`) : settings.MONGODB_URI;
    const w = startApp({ ...workerEnv, MONGODB_URI: uri, METRICS_PORT: String(port) });
    workers.push(w);
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 60_000);
    return w;
  }

  async function killStalled(w: AppProcess, queue: string): Promise<string[]> {
    w.proc.kill('SIGKILL');
    expect(await w.exited).toBe('SIGKILL');
    proxy.resume();
    const interrupted = await activeJobs(settings.REDIS_URL, settings.REDIS_PREFIX, queue);
    await expireLocksOfDeadWorker(settings.REDIS_URL, settings.REDIS_PREFIX, queue, interrupted);
    return interrupted;
  }

  const recRun = (id: string) => db.collection('recommendation_runs').findOne({ _id: id as never });
  const finishedRec = (id: string) =>
    until(
      `recommendation run ${id} to finish`,
      async () => {
        const r = await recRun(id);
        return r && FINISHED.includes(r.status) ? r : undefined;
      },
      120_000,
      200,
      () => workers.map((w) => w.output().slice(-1500)).join('\n---\n'),
    );

  it('recommendations: the batches of the dead worker are taken over; same lists as an uninterrupted run, none twice', async () => {
    const first = await startWorker(true);
    const res = await fetch(`${apiBase}/ingestion/runs`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ run_date: '2026-03-01' }),
    });
    expect(res.status).toBe(202);
    const runId = 'recommendations-2026-03-01'; // chained by the ingestion's success

    // The plan has stored the run and enqueued its batches: cut MongoDB off, so batches hang on their
    // writes. Cutting it off before the batches are enqueued would hang the plan itself instead.
    await until(
      'the recommendation run to be planned and its batches enqueued',
      async () =>
        (await recRun(runId)) &&
        (await queuedOrActiveJobs(settings.REDIS_URL, settings.REDIS_PREFIX, 'recommendations')).some((id) => id.includes('-b')),
      120_000,
      10,
      () => first.output().slice(-2000),
    );
    proxy.stall();
    await until(
      'a batch in flight',
      async () => (await activeJobs(settings.REDIS_URL, settings.REDIS_PREFIX, 'recommendations')).some((id) => id.includes('-b')),
      20_000,
      50,
    );
    await sleep(500);
    const interrupted = await killStalled(first, 'recommendations');
    expect(interrupted.length).toBeGreaterThan(0);
    const planned = (await recRun(runId))!;
    expect(planned.status).toBe('running');
    const storedBefore = await db.collection('playlists').countDocuments({ run_id: runId });
    expect(storedBefore).toBeLessThan(planned.users_selected);

    await startWorker();
    const done = await finishedRec(runId);
    expect(done).toMatchObject({ status: 'succeeded', users_computed: planned.users_selected, users_failed: 0 });
    // Each user once, each batch's state once.
    const lists = await db.collection('playlists').find({ run_id: runId }).toArray();
    expect(lists).toHaveLength(planned.users_selected);
    expect(new Set(lists.map((p) => p.user_id)).size).toBe(planned.users_selected);
    expect(await db.collection('recommendation_user_states').countDocuments({ run_id: runId })).toBe(planned.batches);

    // The same data recomputed by a run nobody interrupts gives the same lists.
    const again = await fetch(`${apiBase}/recommendations/runs`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ run_date: '2026-03-01', force: true }),
    });
    const reference = await finishedRec(((await again.json()) as { run_id: string }).run_id);
    expect(reference).toMatchObject({ status: 'succeeded', users_computed: done.users_computed });
    const referenceLists = new Map(
      (await db.collection('playlists').find({ run_id: reference._id }).toArray()).map((p) => [p.user_id, p.track_ids]),
    );
    for (const p of lists) expect(p.track_ids, `user ${p.user_id}`).toEqual(referenceLists.get(p.user_id));
    // What a reader is served is the stored list (the dead worker's cache writes were overwritten or are the same).
    const sample = lists[0]!;
    const served = (await (await fetch(`${apiBase}/users/${sample.user_id}/recommendations`)).json()) as {
      tracks: Array<{ track_id: number }>;
    };
    expect(served.tracks.map((t) => t.track_id)).toEqual(referenceLists.get(sample.user_id));
  }, 300_000);

  it('training: the run is taken over and completes; the dead attempt is closed and its half-made version rejected', async () => {
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    const first = await startWorker(true);
    const res = await fetch(`${apiBase}/training/runs`, { method: 'POST', headers: admin, body: '{}' });
    expect(res.status).toBe(202);
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    // Past collecting and preprocessing (drift recorded), inside the model search: cut MongoDB off and kill it.
    const started = await until(
      'the training run to reach the model search',
      () => db.collection('training_runs').findOne({ job_id: jobId, drift: { $ne: null } }),
      120_000,
      20,
      () => first.output().slice(-2000),
    );
    proxy.stall();
    await sleep(1500);
    const interrupted = await killStalled(first, 'training');
    expect(interrupted).toEqual([jobId]);

    const second = await startWorker();
    const runs = await until(
      'the taken-over run to finish',
      async () => {
        const rs = await db.collection('training_runs').find({ job_id: jobId }).sort({ started_at: 1 }).toArray();
        return rs.length === 2 && rs.every((r) => r.status !== 'running') ? rs : undefined;
      },
      180_000,
      500,
      () => second.output().slice(-3000),
    );
    expect(runs[0]!._id).toBe(started._id);
    expect(runs[0]).toMatchObject({ status: 'failed', decision: 'failed' });
    expect(runs[0]!.reason).toMatch(/taken over/);
    expect(runs[1]).toMatchObject({ status: 'succeeded' });
    expect(runs[1]!.sizes).toEqual(runs[0]!.sizes);
    // One live version, made by the run that finished; anything the dead attempt registered is rejected.
    const versions = await db.collection('model_versions').find({}).toArray();
    const live = versions.filter((v) => v.status !== 'rejected');
    expect(live.map((v) => v.run_id)).toEqual(runs[1]!.version && runs[1]!.decision !== 'rejected' ? [runs[1]!._id] : []);
    for (const v of versions.filter((x) => x.run_id === runs[0]!._id)) expect(v.status).toBe('rejected');
    for (const v of live) expect(v.artifact).toBeTruthy();
  }, 300_000);
});
