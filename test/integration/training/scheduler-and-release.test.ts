import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { runDateOf } from '../../../src/pipeline/pipeline-chain.service.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { TrainingService } from '../../../src/training/training.service.js';
import { TRAINING_CRON_NAME, TrainingScheduler } from '../../../src/training/training.scheduler.js';
import { testSettings } from '../../support/settings.js';
import { api, openDb, seedTaste, startPipeline, type RunningApp } from './support.js';

describe('TRAINING_CRON', () => {
  let settings: Settings;
  let app: RunningApp;
  let db: Awaited<ReturnType<typeof openDb>>;

  beforeAll(async () => {
    settings = testSettings('training-cron', { TRAINING_CRON: '0 3 * * 0', TZ_CRON: 'Europe/Paris' });
    db = await openDb(settings);
    app = await startPipeline(settings, 'scheduler');
  });

  afterAll(async () => {
    await app?.close();
    await db?.dropAndClose();
  });

  it('is registered from the configuration, in TZ_CRON', () => {
    const job = app.app.get(SchedulerRegistry).getCronJob(TRAINING_CRON_NAME);
    const next = job.nextDate().setZone('Europe/Paris');
    expect(next.weekday).toBe(7);
    expect([next.hour, next.minute]).toEqual([3, 0]);
  });

  it('enqueues one training job per day, whatever the number of ticks', async () => {
    const scheduler = app.app.get(TrainingScheduler);
    await scheduler.tick();
    await scheduler.tick();
    const jobs = await app.app.get(JobQueue).queue(QueueName.Training).getJobs(['waiting']);
    expect(jobs.map((j) => j.id)).toEqual([`training-${runDateOf(new Date(), 'Europe/Paris')}`]);
    expect(jobs[0].data).toMatchObject({ trigger: 'cron' });
  });
});

describe('CANARY_DAYS=0', () => {
  let settings: Settings;
  let app: RunningApp;
  let db: Awaited<ReturnType<typeof openDb>>;

  beforeAll(async () => {
    settings = testSettings('training-no-canary', {
      CANARY_DAYS: '0',
      TUNING_TRIALS: '0',
      ALS_FACTORS: '16',
      ALS_ITERATIONS: '8',
      ALS_THREADS: '1',
      VALIDATION_DAYS: '3',
    });
    db = await openDb(settings);
    await seedTaste(db.db, { users: 160, tracks: 120, days: 10, seed: 3 });
    app = await startPipeline(settings, 'api');
  });

  afterAll(async () => {
    await app?.close();
    await db?.dropAndClose();
  });

  it('promotes a passing candidate at once, with no review job, and recomputes playlists', async () => {
    const out = await app.app.get(TrainingService).train({ runDate: '2026-01-11', trigger: 'api', jobId: null });
    expect(out.decision).toBe('promoted');
    expect(out.recommendationJobId).toBeTruthy();
    const models = await api(app.base, 'GET', '/models');
    expect(models.body).toMatchObject({ production: out.version, canary: null });
    const queue = app.app.get(JobQueue);
    expect(await queue.queue(QueueName.Training).getJob(`canary-review-${out.version}`)).toBeUndefined();
    const rec = await queue.queue(QueueName.Recommendations).getJob(out.recommendationJobId!);
    expect(rec?.data).toMatchObject({ force: true, reason: `model ${out.version} promoted` });
  });

  it('skips a run with nothing held out, saying why', async () => {
    // Production was trained through the newest listen: nothing is left that no system has seen.
    const out = await app.app.get(TrainingService).train({ runDate: '2026-01-11', trigger: 'api', jobId: null });
    expect(out.decision).toBe('skipped');
    expect(out.reason).toMatch(/0 held-out pairs .*production/);
    const runs = await api(app.base, 'GET', '/training/runs?limit=1');
    expect(runs.body.items[0]).toMatchObject({ status: 'succeeded', decision: 'skipped' });
    expect(runs.body.items[0].drift.psi).toBeDefined();
  });
});
