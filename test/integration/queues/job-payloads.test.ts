import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { redisOptions } from '../../../src/redis/redis.module.js';
import { clearRedisPrefix, dropDatabase } from '../ingestion/support.js';
import { testSettings } from '../../support/settings.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

// Issue 11 (low): Bull Board's "add job" accepted any payload: a runDate of x/../../../../elsewhere
// wrote raw pages outside the raw folder, and a chosen job id could pre-empt the cron's id of the day.
describe('jobs added from outside the application (as Bull Board does)', () => {
  const settings = testSettings('queues_payloads', { MOCK_API_URL: 'http://127.0.0.1:9', INGESTION_JOB_ATTEMPTS: '3' });
  let app: INestApplication;
  let queue: Queue;

  beforeAll(async () => {
    app = await createPipelineApp(settings, ROLE_PRESETS.worker, createLogger('error'));
    await app.init();
    queue = new Queue(QueueName.Ingestion, { connection: redisOptions(settings.REDIS_URL), prefix: settings.REDIS_PREFIX });
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await app?.close();
    await dropDatabase(settings);
    await clearRedisPrefix(settings);
  });

  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('a payload that breaks the schema fails at once, not retried, before anything is written', async () => {
    const target = resolve(settings.RAW_EXPORT_DIR, '..', '..', '..', '..', 'elsewhere');
    await queue.add(JobName.IngestionRun, { runDate: 'x/../../../../elsewhere', trigger: 'api' }, { jobId: 'hand-made-1', attempts: 3 });
    await until('the job to fail', async () => (await (await queue.getJob('hand-made-1'))?.getState()) === 'failed');
    const job = (await queue.getJob('hand-made-1'))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/refused: runDate: expected a date YYYY-MM-DD/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(settings.RAW_EXPORT_DIR)).toBe(false);
    expect(await app.get(JobQueue).queue(QueueName.Ingestion).getJob('hand-made-1')).toBeTruthy();
  });

  it("a hand-made job cannot keep the day's cron id from the scheduler", async () => {
    await queue.pause();
    await queue.add(JobName.IngestionRun, { runDate: '2026-01-01', trigger: 'api' }, { jobId: 'ingestion-2026-12-01' });
    const r = await app.get(PipelineChain).startIngestion('2026-12-01', 'cron');
    expect(r).toEqual({ jobId: 'ingestion-2026-12-01', created: true });
    expect((await queue.getJob('ingestion-2026-12-01'))!.data).toEqual({ runDate: '2026-12-01', trigger: 'cron' });
    // A second tick finds the scheduler's own job and adds nothing.
    expect((await app.get(PipelineChain).startIngestion('2026-12-01', 'cron')).created).toBe(false);
  });

  it('the application itself cannot enqueue a bad payload', async () => {
    await expect(app.get(JobQueue).enqueue(JobName.IngestionRun, { runDate: '../x', trigger: 'api' }, 'ingestion-x')).rejects.toThrow(
      /not enqueued: runDate: expected a date/,
    );
  });
});
