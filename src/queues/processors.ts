import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName } from './job-catalogue.js';
import { observeJob } from '../monitoring/job-metrics.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { JobDispatcher } from './job-dispatcher.js';

// One processor per queue; each hands the job to its @OnJob handler. Concurrency is per process:
// more worker processes add capacity, and ingestion runs are also serialised by a global limit.

@Processor(QueueName.Ingestion, { concurrency: 1 })
export class IngestionQueueProcessor extends WorkerHost {
  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: PipelineMetrics,
  ) {
    super();
  }
  process(job: Job): Promise<unknown> {
    return observeJob(this.metrics, job, () => this.dispatcher.dispatch(job));
  }
}

@Processor(QueueName.Recommendations, { concurrency: 2 })
export class RecommendationsQueueProcessor extends WorkerHost {
  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: PipelineMetrics,
  ) {
    super();
  }
  process(job: Job): Promise<unknown> {
    return observeJob(this.metrics, job, () => this.dispatcher.dispatch(job));
  }
}

@Processor(QueueName.Training, { concurrency: 1, lockDuration: 120_000 })
export class TrainingQueueProcessor extends WorkerHost {
  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: PipelineMetrics,
  ) {
    super();
  }
  process(job: Job): Promise<unknown> {
    return observeJob(this.metrics, job, () => this.dispatcher.dispatch(job));
  }
}

@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceQueueProcessor extends WorkerHost {
  constructor(
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: PipelineMetrics,
  ) {
    super();
  }
  process(job: Job): Promise<unknown> {
    return observeJob(this.metrics, job, () => this.dispatcher.dispatch(job));
  }
}

export const QUEUE_PROCESSORS = [IngestionQueueProcessor, RecommendationsQueueProcessor, TrainingQueueProcessor, MaintenanceQueueProcessor];
