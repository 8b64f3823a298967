import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { enqueueFromCron, PipelineCrons, registerCron, removeCrons } from '../../../src/pipeline/cron-enqueue.js';
import type { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import type { EnqueueResult } from '../../../src/queues/job-queue.service.js';

function quietLogger() {
  const logger = new Logger('CronTest');
  return { logger, log: vi.spyOn(logger, 'log').mockImplementation(() => undefined), error: vi.spyOn(logger, 'error').mockImplementation(() => undefined) };
}

describe('registerCron', () => {
  const registry = new SchedulerRegistry();
  afterEach(() => removeCrons(registry, [...registry.getCronJobs().keys()]));

  it('registers and starts the job under its name, with the expression and time zone, and logs the next run', () => {
    const { logger, log } = quietLogger();
    const job = registerCron(registry, logger, { name: 'nightly', label: 'nightly run', expression: '30 3 * * *', timeZone: 'Asia/Tokyo', onTick: async () => undefined });
    expect(registry.getCronJob('nightly')).toBe(job);
    expect(job.cronTime.source).toBe('30 3 * * *');
    expect(job.cronTime.timeZone).toBe('Asia/Tokyo');
    expect(job.isActive).toBe(true);
    expect(log).toHaveBeenCalledWith(`nightly run scheduled "30 3 * * *" (Asia/Tokyo), next at ${job.nextDate().toISO()}`);
    expect(job.nextDate().setZone('Asia/Tokyo').toFormat('HH:mm')).toBe('03:30');
  });

  it('runs onTick when the job fires', async () => {
    const { logger } = quietLogger();
    const enqueue = vi.fn(async (): Promise<EnqueueResult> => ({ jobId: 'nightly-2026-11-27', created: true }));
    let ticked: Promise<void> | undefined;
    const job = registerCron(registry, logger, {
      name: 'nightly',
      label: 'nightly run',
      expression: '0 2 * * *',
      timeZone: 'UTC',
      onTick: () => (ticked = enqueueFromCron(logger, 'nightly run', enqueue)),
    });
    await job.fireOnTick();
    await ticked;
    expect(enqueue).toHaveBeenCalledTimes(1);
  });

  it('a second cron of the same name is refused', () => {
    const { logger } = quietLogger();
    const spec = { name: 'nightly', label: 'nightly run', expression: '0 2 * * *', timeZone: 'UTC', onTick: async () => undefined };
    registerCron(registry, logger, spec);
    expect(() => registerCron(registry, logger, spec)).toThrow(/nightly/);
  });
});

describe('removeCrons', () => {
  it('stops and removes the named jobs, and ignores names never registered', () => {
    const registry = new SchedulerRegistry();
    const { logger } = quietLogger();
    const a = registerCron(registry, logger, { name: 'a', label: 'a', expression: '0 1 * * *', timeZone: 'UTC', onTick: async () => undefined });
    registerCron(registry, logger, { name: 'b', label: 'b', expression: '0 2 * * *', timeZone: 'UTC', onTick: async () => undefined });
    removeCrons(registry, ['a', 'never']);
    expect(registry.doesExist('cron', 'a')).toBe(false);
    expect(a.isActive).toBe(false);
    expect(registry.doesExist('cron', 'b')).toBe(true);
    removeCrons(registry, ['b']);
    expect(registry.getCronJobs().size).toBe(0);
  });
});

describe('enqueueFromCron', () => {
  it('logs a new job as enqueued, with its job id', async () => {
    const { logger, log } = quietLogger();
    await enqueueFromCron(logger, 'daily thing', async () => ({ jobId: 'thing-2026-11-27', created: true }));
    expect(log).toHaveBeenCalledWith('daily thing enqueued', { jobId: 'thing-2026-11-27' });
  });

  it('logs an existing job of the period as already enqueued, with the meta the caller asks for', async () => {
    const { logger, log } = quietLogger();
    await enqueueFromCron(logger, 'daily thing', async () => ({ jobId: 'thing-2026-11-27', created: false }), (r) => ({ jobId: r.jobId, runId: r.jobId }));
    expect(log).toHaveBeenCalledWith('daily thing already enqueued', { jobId: 'thing-2026-11-27', runId: 'thing-2026-11-27' });
  });

  it('logs a failing enqueue as an error and does not throw', async () => {
    const { logger, log, error } = quietLogger();
    await expect(enqueueFromCron(logger, 'daily thing', () => Promise.reject(new Error('redis down')))).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith('daily thing could not be enqueued: redis down');
    expect(log).not.toHaveBeenCalled();
  });

  it('treats an enqueue that throws before its promise like a failing one', async () => {
    const { logger, error } = quietLogger();
    const enqueue = (): Promise<EnqueueResult> => {
      throw new Error('bad date');
    };
    await expect(enqueueFromCron(logger, 'daily thing', enqueue)).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith('daily thing could not be enqueued: bad date');
  });
});

describe('PipelineCrons', () => {
  @Injectable()
  class TwoCrons extends PipelineCrons {
    protected readonly logger = new Logger('TwoCrons');
    protected crons() {
      return [
        { name: 'first', label: 'first run', expression: '0 1 * * *', onTick: () => this.tickFirst() },
        { name: 'second', label: 'second run', expression: '0 2 * * 0', onTick: async () => undefined },
      ];
    }
    tickFirst(): Promise<void> {
      return this.enqueueToday('first run', (runDate) => this.chain.startIngestion(runDate, 'cron'));
    }
  }

  function crons(tz = 'Europe/Paris') {
    const chain = { startIngestion: vi.fn(async (runDate: string): Promise<EnqueueResult> => ({ jobId: `first-${runDate}`, created: true })) };
    const registry = new SchedulerRegistry();
    const s = new TwoCrons({ TZ_CRON: tz } as AppConfig, chain as unknown as PipelineChain, registry);
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    return { s, chain, registry };
  }
  afterEach(() => vi.restoreAllMocks());

  it('registers every cron in TZ_CRON at boot and removes them all at shutdown', () => {
    const { s, registry } = crons('Asia/Tokyo');
    s.onApplicationBootstrap();
    expect([...registry.getCronJobs().keys()]).toEqual(['first', 'second']);
    expect(registry.getCronJob('second').cronTime.source).toBe('0 2 * * 0');
    expect(registry.getCronJob('second').cronTime.timeZone).toBe('Asia/Tokyo');
    const first = registry.getCronJob('first');
    s.onModuleDestroy();
    expect(registry.getCronJobs().size).toBe(0);
    expect(first.isActive).toBe(false);
  });

  it('a tick enqueues the day of TZ_CRON, not the UTC day', async () => {
    const { s, chain } = crons('Pacific/Auckland');
    s.now = () => new Date('2026-11-26T12:30:00Z');
    await s.tickFirst();
    expect(chain.startIngestion).toHaveBeenCalledWith('2026-11-27', 'cron');
  });

  it('a tick whose enqueue fails logs it and does not throw', async () => {
    const { s, chain } = crons();
    chain.startIngestion.mockRejectedValueOnce(new Error('redis down'));
    await expect(s.tickFirst()).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith('first run could not be enqueued: redis down');
  });
});
