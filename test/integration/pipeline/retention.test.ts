import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { DataRetentionService } from '../../../src/pipeline/data-retention.service.js';
import { DataRetentionScheduler } from '../../../src/pipeline/data-retention.scheduler.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { clearRedisPrefix, dropDatabase } from '../ingestion/support.js';
import { testSettings } from '../../support/settings.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

const DAY = 24 * 3600 * 1000;

// Issue 11 (low): nothing ever pruned raw pages, model artifacts, rejected records or checkpoints of failed runs.
describe('the retention job', () => {
  const settings = testSettings('pipeline_retention', {
    RAW_RETENTION_DAYS: '30',
    REJECTED_RETENTION_DAYS: '90',
    CHECKPOINT_RETENTION_DAYS: '7',
    MODEL_ARTIFACT_RETENTION_DAYS: '30',
  });
  const now = new Date('2026-12-01T05:15:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  let app: INestApplication;
  let db: mongoose.mongo.Db;

  beforeAll(async () => {
    app = await createPipelineApp(settings, ROLE_PRESETS.scheduler, createLogger('error'));
    await app.init();
    db = app.get<mongoose.Connection>(getConnectionToken()).db!;
  });
  afterAll(async () => {
    await app.get(JobQueue).queue(QueueName.Maintenance).obliterate({ force: true });
    await app?.close();
    await dropDatabase(settings);
    await clearRedisPrefix(settings);
    await rm(settings.RAW_EXPORT_DIR, { recursive: true, force: true });
  });

  it('prunes what is past each retention, and only that', async () => {
    const raw = (endpoint: string, day: string) => join(settings.RAW_EXPORT_DIR, endpoint, `run_date=${day}`, 'run_id=r');
    for (const [endpoint, day] of [
      ['tracks', '2026-10-01'],
      ['listen_history', '2026-10-31'],
      ['users', '2026-11-15'],
      ['tracks', '2026-11-30'],
    ]) {
      await mkdir(raw(endpoint!, day!), { recursive: true });
      await writeFile(join(raw(endpoint!, day!), 'page-000001.json'), '{}');
    }
    await db.collection('rejected_records').insertMany([
      { _id: 'old' as never, run_id: 'a', created_at: ago(91) },
      { _id: 'recent' as never, run_id: 'b', created_at: ago(10) },
    ]);
    await db.collection('ingestion_runs').insertMany([
      { _id: 'failed-old' as never, status: 'failed' },
      { _id: 'running-old' as never, status: 'retrying' },
      { _id: 'failed-recent' as never, status: 'failed' },
    ]);
    await db.collection('ingestion_checkpoints').insertMany([
      { _id: 'c1' as never, run_id: 'failed-old', created_at: ago(8) },
      { _id: 'c2' as never, run_id: 'failed-old', created_at: ago(8) },
      { _id: 'c3' as never, run_id: 'running-old', created_at: ago(8) },
      { _id: 'c4' as never, run_id: 'failed-recent', created_at: ago(1) },
      { _id: 'c5' as never, run_id: 'no-record', created_at: ago(20) },
    ]);
    const version = (id: string, status: string, updatedDaysAgo: number, previous: string | null = null) => ({
      _id: id,
      version: id,
      status,
      artifact: { chunks: 1, sha256: id },
      previous_production_version: previous,
      updated_at: ago(updatedDaysAgo),
    });
    await db
      .collection('model_versions')
      .insertMany([
        version('v1', 'retired', 100),
        version('v2', 'retired', 60),
        version('v3', 'production', 40, 'v2'),
        version('v4', 'rejected', 45),
        version('v5', 'retired', 5),
        version('v6', 'canary', 50),
      ] as never[]);
    await db
      .collection('model_artifacts')
      .insertMany(['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((v) => ({ _id: `${v}:00000`, version: v, index: 0 })) as never[]);

    const retention = app.get(DataRetentionService);
    retention.now = () => now;
    const result = await retention.onRetention({ runDate: '2026-12-01', trigger: 'cron' });
    expect(result).toEqual({
      raw_folders: 2,
      rejected_records: 1,
      checkpoints: 3,
      checkpoint_runs: ['failed-old', 'no-record'],
      model_artifacts: ['v1', 'v4'],
    });

    expect(existsSync(raw('tracks', '2026-10-01'))).toBe(false);
    expect(existsSync(raw('listen_history', '2026-10-31'))).toBe(false);
    expect(existsSync(raw('users', '2026-11-15'))).toBe(true);
    expect(existsSync(raw('tracks', '2026-11-30'))).toBe(true);
    expect((await db.collection('rejected_records').find({}).toArray()).map((d) => d._id)).toEqual(['recent']);
    expect((await db.collection('ingestion_checkpoints').find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['c3', 'c4']);
    expect((await db.collection('model_artifacts').find({}).sort({ _id: 1 }).toArray()).map((d) => d.version)).toEqual([
      'v2',
      'v3',
      'v5',
      'v6',
    ]);
    const v1 = await db.collection('model_versions').findOne({ _id: 'v1' as never });
    expect(v1).toMatchObject({ status: 'retired', artifact: null, artifact_pruned_at: now });
    expect((await db.collection('model_versions').findOne({ _id: 'v2' as never }))!.artifact).not.toBeNull();

    // Run again: nothing left to prune.
    expect(await retention.onRetention({ runDate: '2026-12-01', trigger: 'cron' })).toEqual({
      raw_folders: 0,
      rejected_records: 0,
      checkpoints: 0,
      checkpoint_runs: [],
      model_artifacts: [],
    });
  });

  it('is enqueued once a day by RETENTION_CRON', async () => {
    const cron = app.get(DataRetentionScheduler);
    cron.now = () => now;
    await cron.tick();
    await cron.tick();
    const jobs = await app.get(JobQueue).queue(QueueName.Maintenance).getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.map((j) => [j.id, j.name, j.data])).toEqual([
      ['retention-2026-12-01', 'data-retention', { runDate: '2026-12-01', trigger: 'cron' }],
    ]);
  });
});
