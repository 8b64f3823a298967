import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobName, QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import { RECOMMENDATION_COLLECTIONS } from '../../../src/recommendations/recommendation.schemas.js';
import {
  CLEANUP_CRON_NAME,
  RECOMMENDATION_CRON_NAME,
  RecommendationsScheduler,
} from '../../../src/recommendations/recommendations.scheduler.js';
import { startRecApp, type RecApp } from './support.js';
import { combineRoles } from '../../../src/roles.js';

const DAY = 86_400_000;

describe('playlist cleanup and the crons', () => {
  let rec: RecApp;
  beforeAll(async () => {
    rec = await startRecApp(
      'rec_cleanup',
      { PLAYLIST_RETENTION_DAYS: '30', RECOMMENDATION_CRON: '15 5 * * *', CLEANUP_CRON: '45 4 * * *', TZ_CRON: 'Europe/Paris' },
      combineRoles('api', 'worker', 'scheduler'),
    );
  });
  afterAll(() => rec.close());

  it('removes generated playlists older than PLAYLIST_RETENTION_DAYS, and keeps the others', async () => {
    const now = Date.now();
    const doc = (id: string, ageDays: number, generated = true) => ({
      _id: id,
      playlist_id: id,
      user_id: 1,
      track_ids: [1],
      scores: [1],
      playlist_name: 'x',
      is_generated: generated,
      created_at: new Date(now - ageDays * DAY),
      updated_at: new Date(now - ageDays * DAY),
    });
    await rec.db
      .collection(RECOMMENDATION_COLLECTIONS.playlists)
      .insertMany([doc('1-old', 31), doc('1-older', 90), doc('1-recent', 29), doc('1-today', 0), doc('1-manual', 90, false)] as never[]);
    await rec.db.collection(RECOMMENDATION_COLLECTIONS.userStates).insertMany([
      { _id: 'old-b0', computed_at: new Date(now - 40 * DAY), user_ids: [1], signatures: ['0:0'], arm_keys: ['x'] },
      { _id: 'new-b0', computed_at: new Date(now), user_ids: [1], signatures: ['0:0'], arm_keys: ['x'] },
    ] as never[]);
    const { jobId } = await rec.app.get(PipelineChain).startCleanup('2026-11-26', 'api');
    expect(await rec.app.get(JobQueue).waitForJob(JobName.PlaylistCleanup, jobId, 30_000, 100)).toBe('completed');
    const left = (await rec.db.collection(RECOMMENDATION_COLLECTIONS.playlists).find({}).toArray()).map((d) => d._id).sort();
    expect(left).toEqual(['1-manual', '1-recent', '1-today']);
    expect((await rec.db.collection(RECOMMENDATION_COLLECTIONS.userStates).find({}).toArray()).map((d) => d._id)).toEqual(['new-b0']);
  });

  it('registers RECOMMENDATION_CRON and CLEANUP_CRON in TZ_CRON', () => {
    const registry = rec.app.get(SchedulerRegistry);
    const run = registry.getCronJob(RECOMMENDATION_CRON_NAME);
    const cleanup = registry.getCronJob(CLEANUP_CRON_NAME);
    expect(run.cronTime.source).toBe('15 5 * * *');
    expect(cleanup.cronTime.source).toBe('45 4 * * *');
    expect(run.nextDate().setZone('Europe/Paris').toFormat('HH:mm')).toBe('05:15');
  });

  it('each cron fires the tick method it is declared on', async () => {
    const registry = rec.app.get(SchedulerRegistry);
    const scheduler = rec.app.get(RecommendationsScheduler);
    const run = vi.spyOn(scheduler, 'tickRecommendations').mockResolvedValue(undefined);
    const cleanup = vi.spyOn(scheduler, 'tickCleanup').mockResolvedValue(undefined);
    try {
      await registry.getCronJob(RECOMMENDATION_CRON_NAME).fireOnTick();
      await registry.getCronJob(CLEANUP_CRON_NAME).fireOnTick();
      expect(run).toHaveBeenCalledTimes(1);
      expect(cleanup).toHaveBeenCalledTimes(1);
    } finally {
      run.mockRestore();
      cleanup.mockRestore();
    }
  });

  it('only enqueues on a tick, once per day whatever the number of ticks', async () => {
    const scheduler = rec.app.get(RecommendationsScheduler);
    scheduler.now = () => new Date('2026-12-01T10:00:00Z');
    await scheduler.tickRecommendations();
    await scheduler.tickRecommendations();
    await scheduler.tickCleanup();
    await scheduler.tickCleanup();
    const jobs = rec.app.get(JobQueue);
    expect(await jobs.queue(QueueName.Recommendations).getJob('recommendations-2026-12-01')).toBeTruthy();
    expect(await jobs.queue(QueueName.Maintenance).getJob('cleanup-2026-12-01')).toBeTruthy();
    const all = await jobs
      .queue(QueueName.Recommendations)
      .getJobs(['waiting', 'active', 'completed', 'failed', 'waiting-children', 'delayed']);
    expect(
      all.filter((j) => j.name === JobName.RecommendationRun && (j.data as { runDate: string }).runDate === '2026-12-01'),
    ).toHaveLength(1);
  });
});
