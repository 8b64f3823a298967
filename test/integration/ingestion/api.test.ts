import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionScheduler } from '../../../src/ingestion/ingestion.scheduler.js';
import { JobName, QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { redisOptions } from '../../../src/redis/redis.module.js';
import { TEST_ADMIN_TOKEN } from '../../support/settings.js';
import { startMock, startPipeline, type Mock, type Pipeline } from './support.js';
import { combineRoles } from '../../../src/roles.js';

describe('operating ingestion over HTTP and through the queue', () => {
  let mock: Mock;
  let pipe: Pipeline;
  let base: string;
  let worker: Worker | undefined;
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const get = async (path: string): Promise<any> => (await fetch(base + path, { headers: auth })).json();

  beforeAll(async () => {
    mock = await startMock('ing_api', { MOCK_MODE: 'classic', MOCK_SEED: '5', MOCK_FAULT_MALFORMED_RATE: '0.01' });
    pipe = await startPipeline('ing_api', mock.url, {}, combineRoles('api', 'scheduler'));
    await pipe.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(pipe.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await worker?.close();
    await pipe?.close();
    await mock?.close();
  });

  it('refuses the operating endpoints without the admin token', async () => {
    for (const [method, path] of [
      ['POST', '/ingestion/runs'],
      ['GET', '/ingestion/runs'],
      ['GET', '/ingestion/runs/x'],
    ] as const) {
      expect((await fetch(base + path, { method })).status, `${method} ${path}`).toBe(401);
    }
  });

  it('enqueues a run whose id is the job id, runs it on a worker, and reports it', async () => {
    const queue = pipe.app.get(JobQueue).queue(QueueName.Ingestion);
    expect(await queue.getGlobalConcurrency()).toBe(1);
    const res = await fetch(`${base}/ingestion/runs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ run_date: '2026-11-20' }),
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as any;
    expect(started).toMatchObject({
      run_date: '2026-11-20',
      created: true,
      run_id: expect.stringMatching(/^ingestion-2026-11-20-api-\d+$/),
    });
    const waiting = await get(`/ingestion/runs/${started.run_id}`);
    expect(waiting).toMatchObject({ _id: started.run_id, status: 'queued', job_state: 'waiting', trigger: 'api' });

    // A worker of the ingestion queue, handing jobs to the same handler the worker role uses.
    const { ingestion, settings } = pipe;
    worker = new Worker(QueueName.Ingestion, (job) => ingestion.runJob(job.data, job), {
      connection: redisOptions(settings.REDIS_URL),
      prefix: settings.REDIS_PREFIX,
    });
    expect(await pipe.app.get(JobQueue).waitForJob(JobName.IngestionRun, started.run_id, 60_000, 100)).toBe('completed');

    const run = await get(`/ingestion/runs/${started.run_id}`);
    expect(run).toMatchObject({
      _id: started.run_id,
      status: 'succeeded_with_rejections',
      trigger: 'api',
      run_date: '2026-11-20',
      attempts: 1,
    });
    const list = await get(`/ingestion/runs?limit=5`);
    expect(list.items.map((r: { _id: string }) => r._id)).toEqual([started.run_id]);
    const rejected = await get(`/ingestion/runs/${started.run_id}/rejected?endpoint=users`);
    expect(rejected.items.length).toBe(run.endpoints.users.rejected);
    expect(rejected.items[0]).toMatchObject({ endpoint: 'users', run_id: started.run_id, reasons: [expect.any(String)] });

    // Success hands over to recommendations: the day's recommendation run is enqueued.
    const rec = await pipe.app.get(JobQueue).queue(QueueName.Recommendations).getJob('recommendations-2026-11-20');
    expect(rec?.data).toMatchObject({ runDate: '2026-11-20', trigger: 'pipeline' });

    // The metrics moved with the run, and say what the run record says.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const value = (line: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(line))
          ?.slice(line.length + 1),
      );
    expect(value('moovitamix_ingestion_last_run_records{endpoint="users"}')).toBe(run.endpoints.users.fetched);
    expect(value('moovitamix_ingestion_rejected_ratio{endpoint="users"}')).toBeCloseTo(
      run.endpoints.users.rejected / run.endpoints.users.fetched,
      6,
    );
    expect(value('moovitamix_ingestion_requests_total{endpoint="tracks",outcome="ok"}')).toBeGreaterThanOrEqual(10);
    expect(value('moovitamix_ingestion_records_total{endpoint="listen_history",result="inserted"}')).toBeGreaterThanOrEqual(
      run.endpoints.listen_history.inserted,
    );
    expect(metrics).toContain('moovitamix_ingestion_run_duration_seconds_count{endpoint="tracks"}');
    await worker.close();
    worker = undefined;
  });

  it('validates its parameters', async () => {
    expect(
      (
        await fetch(`${base}/ingestion/runs`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{"run_date":"26/11/2026"}',
        })
      ).status,
    ).toBe(400);
    expect((await fetch(`${base}/ingestion/runs?limit=0`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/ingestion/runs?status=done`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/ingestion/runs/nope`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${base}/ingestion/runs/ingestion-2099-01-01`, { headers: auth })).status).toBe(404);
  });

  it("answers 400 for BullMQ's own keys rather than a made-up run or a 500 (issue 11)", async () => {
    // The queue's meta and stalled-check keys exist once a worker or a job has touched the queue.
    const redis = new Redis(pipe.settings.REDIS_URL);
    expect(await redis.exists(`${pipe.settings.REDIS_PREFIX}:ingestion:meta`)).toBe(1);
    redis.disconnect();
    for (const key of ['meta', 'stalled-check', 'events', 'id', 'wait']) {
      for (const path of [`/ingestion/runs/${key}`, `/ingestion/runs/${key}/rejected`]) {
        const res = await fetch(`${base}${path}`, { headers: auth });
        expect(res.status, path).toBe(400);
        expect(await res.json(), path).toMatchObject({
          parameter: 'id',
          message: expect.stringMatching(/^id must be an ingestion job id/),
        });
      }
    }
  });

  it('the cron enqueues one run per day, however many times it fires', async () => {
    const cron = pipe.app.get(IngestionScheduler);
    cron.now = () => new Date('2026-12-01T02:00:00Z');
    await cron.tick();
    await cron.tick();
    const jobs = await pipe.app.get(JobQueue).queue(QueueName.Ingestion).getJobs(['waiting', 'active', 'completed', 'failed']);
    expect(jobs.filter((j) => j.data.runDate === '2026-12-01').map((j) => j.id)).toEqual(['ingestion-2026-12-01']);
  });
});
