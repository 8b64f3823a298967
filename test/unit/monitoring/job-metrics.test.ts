import type { Job } from 'bullmq';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { ConnectionErrorLog } from '../../../src/monitoring/connection-error-log.service.js';
import { observeJob } from '../../../src/monitoring/job-metrics.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { JobDispatcher } from '../../../src/queues/job-dispatcher.js';
import type { JobQueue } from '../../../src/queues/job-queue.service.js';
import { QUEUE_PROCESSORS } from '../../../src/queues/processors.js';
import { WorkerDrain } from '../../../src/queues/worker-drain.js';

const job = (name: string, queueName: string, data: unknown = {}) =>
  ({ id: `${name}-1`, name, queueName, data, attemptsMade: 0 }) as unknown as Job;
async function sampleValue(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const { values } = await register.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('job metrics', () => {
  const metrics = new PipelineMetrics();

  it('times a completed job by queue, job name and outcome', async () => {
    await expect(observeJob(metrics, job('playlist-cleanup', 'maintenance'), async () => 'done')).resolves.toBe('done');
    const { values } = await metrics.jobDuration.get();
    const count = values.find(
      (v) =>
        v.metricName === 'moovitamix_job_duration_seconds_count' &&
        v.labels.job_name === 'playlist-cleanup' &&
        v.labels.outcome === 'completed',
    );
    expect(count?.value).toBe(1);
  });

  it('counts a failed attempt, times it as failed, and rethrows the error for BullMQ to retry', async () => {
    const before =
      (await sampleValue('moovitamix_job_failures_total', { queue: 'recommendations', job_name: 'recommendation-batch' })) ?? 0;
    await expect(
      observeJob(metrics, job('recommendation-batch', 'recommendations', { runId: 'r1' }), async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await sampleValue('moovitamix_job_failures_total', { queue: 'recommendations', job_name: 'recommendation-batch' })).toBe(
      before + 1,
    );
    const { values } = await metrics.jobDuration.get();
    expect(
      values.find(
        (v) =>
          v.metricName === 'moovitamix_job_duration_seconds_count' &&
          v.labels.job_name === 'recommendation-batch' &&
          v.labels.outcome === 'failed',
      )?.value,
    ).toBe(1);
  });

  it('does not count an attempt that throws after shutdown gave up on it, and still rethrows', async () => {
    const labels = { queue: 'training', job_name: 'training-run' };
    const before = (await sampleValue('moovitamix_job_failures_total', labels)) ?? 0;
    const durations = async () =>
      (await metrics.jobDuration.get()).values.find(
        (v) =>
          v.metricName === 'moovitamix_job_duration_seconds_count' && v.labels.job_name === 'training-run' && v.labels.outcome === 'failed',
      )?.value ?? 0;
    const timedBefore = await durations();
    const run = async () => {
      throw new Error('Client must be connected before running operations');
    };
    await expect(observeJob(metrics, job('training-run', 'training'), run, () => true)).rejects.toThrow('Client must be connected');
    expect(await sampleValue('moovitamix_job_failures_total', labels)).toBe(before);
    expect(await durations()).toBe(timedBefore);
  });

  it('is what the queue processors wrap around dispatch', async () => {
    const dispatched: string[] = [];
    const dispatcher = { dispatch: async (j: Job) => (dispatched.push(j.name), 'ok') } as unknown as JobDispatcher;
    const IngestionQueueProcessor = QUEUE_PROCESSORS.find((p) => p.name === 'IngestionQueueProcessor')!;
    const connectionErrors = { report: () => undefined } as unknown as ConnectionErrorLog;
    const config = { INGESTION_LOCK_DURATION_MS: 30_000, SHUTDOWN_TIMEOUT_MS: 30_000 } as AppConfig;
    const processor = new (IngestionQueueProcessor as unknown as new (...a: unknown[]) => { process(j: Job): Promise<unknown> })(
      dispatcher,
      metrics,
      connectionErrors,
      new WorkerDrain(config),
      config,
    );
    await expect(processor.process(job('ingestion-run', 'ingestion'))).resolves.toBe('ok');
    expect(dispatched).toEqual(['ingestion-run']);
    const { values } = await metrics.jobDuration.get();
    expect(
      values.find((v) => v.metricName === 'moovitamix_job_duration_seconds_count' && v.labels.job_name === 'ingestion-run')?.value,
    ).toBe(1);
  });

  it('starts failure counters of every catalogued job at zero, so the first failure shows in increase()', async () => {
    expect(await sampleValue('moovitamix_job_failures_total', { queue: 'training', job_name: 'training-run' })).toBe(0);
    expect(await sampleValue('moovitamix_ingestion_runs_total', { status: 'failed' })).toBe(0);
  });
});

describe('connection error log', () => {
  it('writes one warning per connection per interval and counts the ones it held back', () => {
    const handlers = new Map<string, (e: Error) => void>();
    const fakeEmitter = (name: string) => ({ name, on: (_: string, h: (e: Error) => void) => handlers.set(name, h) });
    const log = new ConnectionErrorLog(
      { all: () => [fakeEmitter('ingestion')], flowProducer: () => fakeEmitter('flows') } as unknown as JobQueue,
      fakeEmitter('redis') as never,
    );
    const lines: Array<[string, unknown]> = [];
    (log as unknown as { logger: { warn: (m: string, f: unknown) => void } }).logger = { warn: (m, f) => lines.push([m, f]) };
    let now = 0;
    log.now = () => now;
    log.onModuleInit();
    for (let i = 0; i < 5; i++) handlers.get('ingestion')!(new Error('connect ECONNREFUSED'));
    handlers.get('redis')!(new Error('connect ECONNREFUSED'));
    now = 10_000;
    handlers.get('ingestion')!(new Error('connect ECONNREFUSED'));
    expect(lines.map(([m]) => m)).toEqual([
      'queue ingestion: connection error: connect ECONNREFUSED',
      'redis client: connection error: connect ECONNREFUSED',
      'queue ingestion: connection error: connect ECONNREFUSED',
    ]);
    expect(lines[2]![1]).toEqual({ connection: 'queue ingestion', suppressed: 4 });
  });
});
