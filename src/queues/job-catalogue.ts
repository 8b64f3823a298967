/**
 * The typed job catalogue: every queue, every job, and the payload each job carries.
 * One handler per job (see `@OnJob`); a job without one stops a worker at boot.
 */
export enum QueueName {
  Ingestion = 'ingestion',
  Recommendations = 'recommendations',
  Training = 'training',
  Maintenance = 'maintenance',
}

export enum JobName {
  IngestionRun = 'ingestion-run',
  RecommendationRun = 'recommendation-run',
  RecommendationBatch = 'recommendation-batch',
  RecommendationFinalize = 'recommendation-finalize',
  TrainingRun = 'training-run',
  CanaryReview = 'canary-review',
  PlaylistCleanup = 'playlist-cleanup',
  DataRetention = 'data-retention',
}

export type Trigger = 'cron' | 'api' | 'cli' | 'pipeline' | 'simulate' | 'rollback' | 'promotion';

export interface JobPayloads {
  [JobName.IngestionRun]: { runDate: string; trigger: Trigger };
  [JobName.RecommendationRun]: { runDate: string; trigger: Trigger; force?: boolean; reason?: string };
  [JobName.RecommendationBatch]: { runId: string; batch: number; userIds: number[] };
  [JobName.RecommendationFinalize]: { runId: string };
  [JobName.TrainingRun]: { runDate: string; trigger: Trigger };
  [JobName.CanaryReview]: { version: string; trigger: Trigger };
  [JobName.PlaylistCleanup]: { runDate: string; trigger: Trigger };
  [JobName.DataRetention]: { runDate: string; trigger: Trigger };
}

/** Which queue each job runs on. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.IngestionRun]: QueueName.Ingestion,
  [JobName.RecommendationRun]: QueueName.Recommendations,
  [JobName.RecommendationBatch]: QueueName.Recommendations,
  [JobName.RecommendationFinalize]: QueueName.Recommendations,
  [JobName.TrainingRun]: QueueName.Training,
  [JobName.CanaryReview]: QueueName.Training,
  [JobName.PlaylistCleanup]: QueueName.Maintenance,
  [JobName.DataRetention]: QueueName.Maintenance,
};

export const ALL_QUEUES = Object.values(QueueName);
export const ALL_JOBS = Object.values(JobName);
