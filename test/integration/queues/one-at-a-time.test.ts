import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { clearRedisPrefix, dropDatabase } from '../ingestion/support.js';
import { testSettings } from '../../support/settings.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

// Issue 11 (low): two training runs could run at once (one per worker process).
describe('queues limited to one job at a time across every worker', () => {
  const settings = testSettings('queues_one_at_a_time');
  let app: INestApplication;
  beforeAll(async () => {
    app = await createPipelineApp(settings, ROLE_PRESETS.none, createLogger('error'));
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await dropDatabase(settings);
    await clearRedisPrefix(settings);
  });

  it('training and ingestion run one job at a time in the whole deployment', async () => {
    const jobs = app.get(JobQueue);
    expect(await jobs.queue(QueueName.Training).getGlobalConcurrency()).toBe(1);
    expect(await jobs.queue(QueueName.Ingestion).getGlobalConcurrency()).toBe(1);
    expect(await jobs.queue(QueueName.Recommendations).getGlobalConcurrency()).toBeNull();
  });

  it("two schedulers ticking at the same instant enqueue the day's job once", async () => {
    const other = await createPipelineApp(settings, ROLE_PRESETS.none, createLogger('error'));
    await other.init();
    try {
      const chains = [app.get(PipelineChain), other.get(PipelineChain)];
      // Each checks for the job, then adds it: both checks may pass; BullMQ keeps one job per id.
      await Promise.all([...chains, ...chains].map((c) => c.startIngestion('2026-12-24', 'cron')));
      const jobs = await app.get(JobQueue).queue(QueueName.Ingestion).getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      expect(jobs.filter((j) => j.data.runDate === '2026-12-24').map((j) => j.id)).toEqual(['ingestion-2026-12-24']);
    } finally {
      await other.close();
    }
  });
});
