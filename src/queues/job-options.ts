import type { JobsOptions } from 'bullmq';
import { JobName } from './job-catalogue.js';

const DAY = 24 * 3600;

/**
 * Default attempts, backoff and retention of each job, in one switch. Finished jobs are kept long
 * enough for a deterministic job id to block a second run of the same period (a day, or a week).
 */
export function defaultJobOptions(name: JobName, ingestionAttempts: number): JobsOptions {
  const keep = (ageSeconds: number, count: number) => ({ age: ageSeconds, count });
  switch (name) {
    case JobName.IngestionRun:
      return {
        attempts: ingestionAttempts,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: keep(3 * DAY, 500),
        removeOnFail: keep(14 * DAY, 500),
      };
    case JobName.RecommendationRun:
      return {
        attempts: 3,
        backoff: { type: 'exponential', delay: 10_000 },
        removeOnComplete: keep(3 * DAY, 500),
        removeOnFail: keep(14 * DAY, 500),
      };
    case JobName.RecommendationBatch:
      return {
        attempts: 5,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: keep(DAY, 10_000),
        removeOnFail: keep(14 * DAY, 10_000),
      };
    case JobName.RecommendationFinalize:
      return {
        attempts: 3,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: keep(3 * DAY, 500),
        removeOnFail: keep(14 * DAY, 500),
      };
    case JobName.TrainingRun:
      return {
        attempts: 2,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: keep(14 * DAY, 200),
        removeOnFail: keep(30 * DAY, 200),
      };
    case JobName.CanaryReview:
      return {
        attempts: 3,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: keep(14 * DAY, 200),
        removeOnFail: keep(30 * DAY, 200),
      };
    case JobName.PlaylistCleanup:
    case JobName.DataRetention:
      return {
        attempts: 3,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: keep(3 * DAY, 100),
        removeOnFail: keep(14 * DAY, 100),
      };
  }
}
