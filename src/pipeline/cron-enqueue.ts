import { Injectable, type Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import type { EnqueueResult } from '../queues/job-queue.service.js';
import { PipelineChain, runDateOf } from './pipeline-chain.service.js';

export interface CronSpec {
  /** Name in the SchedulerRegistry. */
  name: string;
  /** What the boot log calls it: `<label> scheduled "<expression>" (<timeZone>), next at …`. */
  label: string;
  /** A cron expression from the configuration (validated when the configuration loads). */
  expression: string;
  timeZone: string;
  onTick: () => Promise<void>;
}

/** Registers and starts a cron at boot (the expression is configuration, so no @Cron decorator), logging its next run. */
export function registerCron(registry: SchedulerRegistry, logger: Logger, spec: CronSpec): CronJob {
  const job = CronJob.from({ cronTime: spec.expression, timeZone: spec.timeZone, start: false, onTick: spec.onTick });
  registry.addCronJob(spec.name, job);
  job.start();
  logger.log(`${spec.label} scheduled "${spec.expression}" (${spec.timeZone}), next at ${job.nextDate().toISO()}`);
  return job;
}

/** Removes the crons of `names` that are registered (shutdown). */
export function removeCrons(registry: SchedulerRegistry, names: readonly string[]): void {
  for (const name of names) if (registry.doesExist('cron', name)) registry.deleteCronJob(name);
}

/**
 * A cron tick: only enqueues (with the period's job id, so replicas or repeated ticks cannot double-run it)
 * and logs the outcome; a failure is logged, not thrown, so the cron keeps firing on later ticks.
 */
export async function enqueueFromCron(
  logger: Logger,
  label: string,
  enqueue: () => Promise<EnqueueResult>,
  logMeta: (r: EnqueueResult) => Record<string, unknown> = (r) => ({ jobId: r.jobId }),
): Promise<void> {
  try {
    const r = await enqueue();
    logger.log(`${label} ${r.created ? 'enqueued' : 'already enqueued'}`, logMeta(r));
  } catch (err) {
    logger.error(`${label} could not be enqueued: ${(err as Error).message}`);
  }
}

/**
 * Base of a module's scheduler: its crons (expressions from the configuration, in TZ_CRON) are
 * registered at boot and removed at shutdown, and each tick only enqueues the day's pipeline job.
 */
@Injectable()
export abstract class PipelineCrons implements OnApplicationBootstrap, OnModuleDestroy {
  protected abstract readonly logger: Logger;
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    protected readonly config: AppConfig,
    protected readonly chain: PipelineChain,
    protected readonly scheduler: SchedulerRegistry,
  ) {}

  /** The crons to register, in TZ_CRON. */
  protected abstract crons(): Array<Omit<CronSpec, 'timeZone'>>;

  onApplicationBootstrap(): void {
    for (const spec of this.crons()) registerCron(this.scheduler, this.logger, { ...spec, timeZone: this.config.TZ_CRON });
  }

  onModuleDestroy(): void {
    removeCrons(this.scheduler, this.crons().map((spec) => spec.name));
  }

  /** Enqueues the job of the current day in TZ_CRON, as a cron run (see enqueueFromCron). */
  protected enqueueToday(label: string, start: (runDate: string) => Promise<EnqueueResult>, logMeta?: (r: EnqueueResult) => Record<string, unknown>): Promise<void> {
    return enqueueFromCron(this.logger, label, () => start(runDateOf(this.now(), this.config.TZ_CRON)), logMeta);
  }
}
