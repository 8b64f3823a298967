import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockApiApp, createPipelineApp } from '../../../src/bootstrap.js';
import type { Settings } from '../../../src/config/settings.js';
import { IngestionService } from '../../../src/ingestion/ingestion.service.js';
import { createLogger } from '../../../src/logging/logger.js';
import { JobName, QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { redisOptions } from '../../../src/redis/redis.module.js';
import { ROLE_PRESETS, type RoleParts } from '../../../src/roles.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { clearRedisPrefix, dropDatabase } from '../ingestion/support.js';

const WORKER: RoleParts = ROLE_PRESETS.worker;
const NO_WORKERS: RoleParts = ROLE_PRESETS.none;

/** Polls every 50 ms until `check` holds, or fails after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A worker app closed (app.close(), as SIGTERM does) while a real ingestion job runs: the job is
// not cut off by the MongoDB, Redis or source clients closing under it, and is never counted as a
// failed attempt. The mock source's latency makes the job last a few seconds.
describe('closing a worker app while a job is running', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(suite: string, latencyMs: number, overrides: Record<string, string> = {}) {
    const mock = await createMockApiApp(
      testSettings(`${suite}_mock`, {
        MOCK_MODE: 'living',
        MOCK_SEED: '3',
        MOCK_USERS: '200',
        MOCK_TRACKS: '100',
        MOCK_INITIAL_LISTENS: '3',
        MOCK_FAULT_LATENCY_MS: String(latencyMs),
      }),
      createLogger('warn'),
    );
    await mock.listen(0, '127.0.0.1');
    cleanups.push(() => mock.close());
    const mockUrl = `http://127.0.0.1:${(mock.getHttpServer().address() as AddressInfo).port}`;
    const settings: Settings = testSettings(suite, { MOCK_API_URL: mockUrl, INGESTION_CONCURRENCY: '1', ...overrides });
    cleanups.push(async () => {
      await dropDatabase(settings);
      await clearRedisPrefix(settings);
      await rm(settings.RAW_EXPORT_DIR, { recursive: true, force: true });
    });
    const queue = new Queue(QueueName.Ingestion, { connection: redisOptions(settings.REDIS_URL), prefix: settings.REDIS_PREFIX });
    cleanups.push(() => queue.close());
    const app = await createPipelineApp(settings, WORKER, createLogger('warn'));
    await app.init();
    return { settings, mockUrl, queue, app };
  }

  async function enqueueAndWaitActive(app: INestApplication, queue: Queue, jobId: string): Promise<Job> {
    await app.get(JobQueue).enqueue(JobName.IngestionRun, { runDate: '2026-11-20', trigger: 'api' }, jobId);
    await until(
      'the job to be active',
      async () => (await queue.getJob(jobId))?.processedOn !== undefined && (await queue.getJob(jobId))!.finishedOn === undefined,
    );
    return (await queue.getJob(jobId))!;
  }

  it('lets the active job finish before closing the connections: it ends completed, and close() resolves', async () => {
    const { queue, app } = await start('q_shutdown_finish', 300);
    const running = await enqueueAndWaitActive(app, queue, 'finish-1');
    expect(await running.getState()).toBe('active');

    const closeStarted = Date.now();
    await app.close();

    const job = (await queue.getJob('finish-1'))!;
    expect(await job.getState()).toBe('completed');
    expect(job.failedReason).toBeFalsy();
    expect(job.stacktrace).toEqual([]);
    // It was running when close() was called, and finished during it.
    expect(job.finishedOn).toBeGreaterThanOrEqual(closeStarted);
    expect(job.returnvalue).toMatchObject({ status: 'succeeded' });
  });

  it('past SHUTDOWN_TIMEOUT_MS leaves the job active, not failed, and another worker takes it over', async () => {
    const lock = { INGESTION_LOCK_DURATION_MS: '1000' };
    const { settings, mockUrl, queue, app } = await start('q_shutdown_bound', 1000, { SHUTDOWN_TIMEOUT_MS: '1000', ...lock });
    await enqueueAndWaitActive(app, queue, 'bound-1');

    await app.close();

    const left = (await queue.getJob('bound-1'))!;
    expect(await left.getState()).toBe('active');
    expect(left.failedReason).toBeFalsy();
    expect(left.attemptsMade).toBe(0);

    // Another process's worker: its stalled-job check puts the job back once the lock expires, and runs it.
    const res = await fetch(`${mockUrl}/mock/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ latency_ms: 0 }),
    });
    expect(res.status).toBeLessThan(300);
    const other = await createPipelineApp(settings, NO_WORKERS, createLogger('warn'));
    await other.init();
    cleanups.push(() => other.close());
    const ingestion = other.get(IngestionService);
    const worker = new Worker(QueueName.Ingestion, (job) => ingestion.runJob(job.data, job), {
      connection: redisOptions(settings.REDIS_URL),
      prefix: settings.REDIS_PREFIX,
      lockDuration: 1000,
      stalledInterval: 1000,
    });
    cleanups.push(() => worker.close());
    expect(await other.get(JobQueue).waitForJob(JobName.IngestionRun, 'bound-1', 60_000, 100)).toBe('completed');
    const done = (await queue.getJob('bound-1'))!;
    expect(done.failedReason).toBeFalsy();
    expect(done.returnvalue).toMatchObject({ status: 'succeeded' });
  });
});
