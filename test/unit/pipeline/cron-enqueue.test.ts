import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import {
  CronFromSetting,
  cronMethodsOf,
  enqueueFromCron,
  PipelineCrons,
  registerCron,
  removeCrons,
} from '../../../src/pipeline/cron-enqueue.js';
import type { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import type { EnqueueResult } from '../../../src/queues/job-queue.service.js';

function quietLogger() {
  const logger = new Logger('CronTest');
  return {
    logger,
    log: vi.spyOn(logger, 'log').mockImplementation(() => undefined),
    error: vi.spyOn(logger, 'error').mockImplementation(() => undefined),
  };
}

describe('registerCron', () => {
  const registry = new SchedulerRegistry();
  afterEach(() => removeCrons(registry, [...registry.getCronJobs().keys()]));

  it('registers and starts the job under its name, with the expression and time zone, and logs the next run', () => {
    const { logger, log } = quietLogger();
    const job = registerCron(registry, logger, {
      name: 'nightly',
      label: 'nightly run',
      expression: '30 3 * * *',
      timeZone: 'Asia/Tokyo',
      onTick: async () => undefined,
    });
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
    const a = registerCron(registry, logger, {
      name: 'a',
      label: 'a',
      expression: '0 1 * * *',
      timeZone: 'UTC',
      onTick: async () => undefined,
    });
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
    await enqueueFromCron(
      logger,
      'daily thing',
      async () => ({ jobId: 'thing-2026-11-27', created: false }),
      (r) => ({ jobId: r.jobId, runId: r.jobId }),
    );
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
    @CronFromSetting('INGESTION_CRON', { name: 'first', label: 'first run' })
    tickFirst(): Promise<void> {
      return this.enqueueToday('first run', (runDate) => this.chain.startIngestion(runDate, 'cron'));
    }
    @CronFromSetting('TRAINING_CRON', { name: 'second', label: 'second run' })
    tickSecond(): Promise<void> {
      return Promise.resolve();
    }
  }

  @Injectable()
  class ThreeCrons extends TwoCrons {
    @CronFromSetting('CLEANUP_CRON', { name: 'third', label: 'third run' })
    tickThird(): Promise<void> {
      return Promise.resolve();
    }
  }

  const settings = { INGESTION_CRON: '0 1 * * *', TRAINING_CRON: '0 2 * * 0', CLEANUP_CRON: '45 4 * * *' };

  function crons<T extends PipelineCrons>(
    Cls: new (config: AppConfig, chain: PipelineChain, scheduler: SchedulerRegistry) => T,
    tz = 'Europe/Paris',
    config: Record<string, unknown> = settings,
  ) {
    const chain = {
      startIngestion: vi.fn(async (runDate: string): Promise<EnqueueResult> => ({ jobId: `first-${runDate}`, created: true })),
    };
    const registry = new SchedulerRegistry();
    const s = new Cls({ ...config, TZ_CRON: tz } as unknown as AppConfig, chain as unknown as PipelineChain, registry);
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    return { s, chain, registry, log };
  }
  afterEach(() => vi.restoreAllMocks());

  it('registers every decorated method in TZ_CRON at boot, logs it, and removes them all at shutdown', () => {
    const { s, registry, log } = crons(TwoCrons, 'Asia/Tokyo');
    s.onApplicationBootstrap();
    expect([...registry.getCronJobs().keys()]).toEqual(['first', 'second']);
    expect(registry.getCronJob('second').cronTime.source).toBe('0 2 * * 0');
    expect(registry.getCronJob('second').cronTime.timeZone).toBe('Asia/Tokyo');
    const first = registry.getCronJob('first');
    expect(log).toHaveBeenCalledWith(`first run scheduled "0 1 * * *" (Asia/Tokyo), next at ${first.nextDate().toISO()}`);
    s.onModuleDestroy();
    expect(registry.getCronJobs().size).toBe(0);
    expect(first.isActive).toBe(false);
  });

  it('a cron firing calls its decorated method on the instance', async () => {
    const { s, registry } = crons(TwoCrons);
    s.onApplicationBootstrap();
    const tick = vi.spyOn(s, 'tickFirst').mockResolvedValue(undefined);
    await registry.getCronJob('first').fireOnTick();
    expect(tick).toHaveBeenCalledTimes(1);
    s.onModuleDestroy();
  });

  it("discovers the decorations of the prototype chain: a subclass has its own and its base class's", () => {
    expect(cronMethodsOf(new ThreeCrons({} as AppConfig, {} as PipelineChain, new SchedulerRegistry()))).toEqual([
      { setting: 'INGESTION_CRON', method: 'tickFirst', name: 'first', label: 'first run' },
      { setting: 'TRAINING_CRON', method: 'tickSecond', name: 'second', label: 'second run' },
      { setting: 'CLEANUP_CRON', method: 'tickThird', name: 'third', label: 'third run' },
    ]);
    // The subclass's decoration stays on its own prototype.
    expect(cronMethodsOf(new TwoCrons({} as AppConfig, {} as PipelineChain, new SchedulerRegistry())).map((c) => c.name)).toEqual([
      'first',
      'second',
    ]);

    const { s, registry } = crons(ThreeCrons, 'UTC');
    s.onApplicationBootstrap();
    expect([...registry.getCronJobs().keys()]).toEqual(['first', 'second', 'third']);
    expect(registry.getCronJob('third').cronTime.source).toBe('45 4 * * *');
    s.onModuleDestroy();
    expect(registry.getCronJobs().size).toBe(0);
  });

  it("a method decorated again in a subclass replaces the base class's cron", () => {
    @Injectable()
    class Moved extends TwoCrons {
      @CronFromSetting('CLEANUP_CRON', { name: 'second-moved', label: 'second run, moved' })
      override tickSecond(): Promise<void> {
        return Promise.resolve();
      }
    }
    const { s, registry } = crons(Moved);
    s.onApplicationBootstrap();
    expect([...registry.getCronJobs().keys()]).toEqual(['first', 'second-moved']);
    expect(registry.getCronJob('second-moved').cronTime.source).toBe('45 4 * * *');
    s.onModuleDestroy();
  });

  it('a decorated setting that is not a cron expression fails at boot, naming the class, method and setting, and registers nothing', () => {
    @Injectable()
    class TimeZoneCron extends TwoCrons {
      // @ts-expect-error TZ_CRON is a time zone, not a cron expression
      @CronFromSetting('TZ_CRON', { name: 'bad', label: 'bad run' })
      tickBad(): Promise<void> {
        return Promise.resolve();
      }
    }
    const tz = crons(TimeZoneCron, 'Europe/Paris');
    expect(() => tz.s.onApplicationBootstrap()).toThrow(
      'TimeZoneCron.tickBad: @CronFromSetting(\'TZ_CRON\') needs a setting holding a cron expression, but its value "Europe/Paris" is not a cron expression',
    );
    expect(tz.registry.getCronJobs().size).toBe(0);

    @Injectable()
    class PortCron extends PipelineCrons {
      protected readonly logger = new Logger('PortCron');
      // @ts-expect-error HTTP_PORT is a number
      @CronFromSetting('HTTP_PORT', { name: 'port', label: 'port' })
      tick(): Promise<void> {
        return Promise.resolve();
      }
    }
    const port = crons(PortCron, 'UTC', { HTTP_PORT: 3000 });
    expect(() => port.s.onApplicationBootstrap()).toThrow(
      /^PortCron\.tick: @CronFromSetting\('HTTP_PORT'\) .*its value is a number, not a string$/,
    );

    @Injectable()
    class UnknownCron extends PipelineCrons {
      protected readonly logger = new Logger('UnknownCron');
      // @ts-expect-error not a setting
      @CronFromSetting('NIGHTLY_CRON', { name: 'nightly', label: 'nightly' })
      tick(): Promise<void> {
        return Promise.resolve();
      }
    }
    expect(() => crons(UnknownCron).s.onApplicationBootstrap()).toThrow(
      /^UnknownCron\.tick: @CronFromSetting\('NIGHTLY_CRON'\) .*it has no value \(is it a setting\?\)$/,
    );
  });

  it('a cron setting whose value is not a valid expression fails at boot', () => {
    const { s, registry } = crons(TwoCrons, 'UTC', { ...settings, TRAINING_CRON: '0 25 * * *' });
    expect(() => s.onApplicationBootstrap()).toThrow(
      /^TwoCrons\.tickSecond: @CronFromSetting\('TRAINING_CRON'\) .*"0 25 \* \* \*" is not a cron expression$/,
    );
    expect(registry.getCronJobs().size).toBe(0);
  });

  it('a tick enqueues the day of TZ_CRON, not the UTC day', async () => {
    const { s, chain } = crons(TwoCrons, 'Pacific/Auckland');
    s.now = () => new Date('2026-11-26T12:30:00Z');
    await s.tickFirst();
    expect(chain.startIngestion).toHaveBeenCalledWith('2026-11-27', 'cron');
  });

  it('a tick whose enqueue fails logs it and does not throw', async () => {
    const { s, chain } = crons(TwoCrons);
    chain.startIngestion.mockRejectedValueOnce(new Error('redis down'));
    await expect(s.tickFirst()).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith('first run could not be enqueued: redis down');
  });
});
