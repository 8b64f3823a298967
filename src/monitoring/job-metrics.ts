import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { PipelineMetrics } from './pipeline-metrics.js';

const logger = new Logger('Jobs');

/**
 * Runs one job attempt and records it: moovitamix_job_duration_seconds{queue,job_name,outcome}, and
 * moovitamix_job_failures_total{queue,job_name} when it throws; one log line with the job and run ids.
 * An attempt that throws after the process gave up on it at shutdown (`abandoned()` true) is not a
 * failure: BullMQ records nothing for it and hands the job to another worker, so it is logged as
 * abandoned and counted nowhere.
 */
export async function observeJob<T>(
  metrics: PipelineMetrics,
  job: Job,
  run: () => Promise<T>,
  abandoned: () => boolean = () => false,
): Promise<T> {
  const labels = { queue: job.queueName, job_name: job.name };
  const started = performance.now();
  const ids = { queue: job.queueName, job: job.name, jobId: job.id, runId: runIdOf(job), attempt: job.attemptsMade + 1 };
  try {
    const result = await run();
    const seconds = (performance.now() - started) / 1000;
    metrics.jobDuration.observe({ ...labels, outcome: 'completed' }, seconds);
    logger.log(`job ${job.name} completed in ${seconds.toFixed(3)} s`, { ...ids, durationMs: Math.round(seconds * 1000) });
    return result;
  } catch (err) {
    const seconds = (performance.now() - started) / 1000;
    if (abandoned()) {
      logger.warn(
        `job ${job.name} abandoned at shutdown (not a failed attempt; BullMQ's stalled-job check retries it): ${(err as Error).message}`,
        { ...ids, durationMs: Math.round(seconds * 1000) },
      );
      throw err;
    }
    metrics.jobDuration.observe({ ...labels, outcome: 'failed' }, seconds);
    metrics.jobFailures.inc(labels);
    logger.warn(`job ${job.name} failed: ${(err as Error).message}`, { ...ids, durationMs: Math.round(seconds * 1000) });
    throw err;
  }
}

/** The run id a job belongs to, when its payload carries one (batch and finalize jobs do). */
function runIdOf(job: Job): string | undefined {
  const data = job.data as { runId?: unknown } | undefined;
  return typeof data?.runId === 'string' ? data.runId : undefined;
}
