import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Type } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { ConnectionErrorLog } from '../monitoring/connection-error-log.service.js';
import { observeJob } from '../monitoring/job-metrics.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { QueueName } from './job-catalogue.js';
import { JobDispatcher } from './job-dispatcher.js';
import { WorkerDrain } from './worker-drain.js';

interface ProcessorOptions {
  /** Jobs of this queue processed at once by one worker process. */
  concurrency: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after this. */
  lockDuration?: number;
  /** The setting that gives lockDuration (and the stalled-job check interval) at boot instead. */
  lockSetting?: 'INGESTION_LOCK_DURATION_MS';
}

/**
 * One processor per queue; each hands the job to its @OnJob handler, with job metrics and logs.
 * Concurrency is per process: more worker processes add capacity.
 */
function processorFor(queue: QueueName, options: ProcessorOptions): Type<WorkerHost> {
  const workerOptions: { concurrency: number; lockDuration?: number; stalledInterval?: number } = {
    concurrency: options.concurrency,
    ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
  };
  @Processor(queue, workerOptions)
  class QueueProcessor extends WorkerHost {
    constructor(
      private readonly dispatcher: JobDispatcher,
      private readonly metrics: PipelineMetrics,
      private readonly connectionErrors: ConnectionErrorLog,
      private readonly drain: WorkerDrain,
      config: AppConfig,
    ) {
      super();
      drain.add(this);
      // The BullMQ explorer builds the worker from these options once every provider is constructed.
      if (options.lockSetting)
        Object.assign(workerOptions, { lockDuration: config[options.lockSetting], stalledInterval: config[options.lockSetting] });
    }

    process(job: Job): Promise<unknown> {
      // A job still running when the shutdown bound expires is abandoned, not failed (see WorkerDrain).
      return Promise.race([
        observeJob(
          this.metrics,
          job,
          () => this.dispatcher.dispatch(job),
          () => this.drain.hasAbandonedJobs,
        ),
        this.drain.abandoned,
      ]);
    }

    // Without a listener, ioredis prints every failed reconnect of the worker's connections to stderr.
    @OnWorkerEvent('error')
    onError(err: Error): void {
      this.connectionErrors.report(`worker ${queue}`, err);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue[0]!.toUpperCase()}${queue.slice(1)}QueueProcessor` });
  return QueueProcessor;
}

export const QUEUE_PROCESSORS = [
  processorFor(QueueName.Ingestion, { concurrency: 1, lockSetting: 'INGESTION_LOCK_DURATION_MS' }),
  processorFor(QueueName.Recommendations, { concurrency: 2 }),
  processorFor(QueueName.Training, { concurrency: 1, lockDuration: 120_000 }),
  processorFor(QueueName.Maintenance, { concurrency: 1 }),
];
