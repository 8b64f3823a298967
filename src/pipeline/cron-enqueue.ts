import { Injectable, type Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob, validateCronExpression } from 'cron';
import { AppConfig } from '../config/app-config.js';
import type { SettingName, Settings } from '../config/settings.js';
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

/** Registers and starts a cron at boot (the expression is configuration, which @Cron cannot take), logging its next run. */
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
 * The settings that hold a cron expression: string settings named *_CRON, but not TZ_CRON (a time zone).
 * Their values are checked again at boot, since the types cannot tell a cron string from another string.
 */
export type CronSettingName = {
  [K in SettingName]: K extends `${string}_CRON` ? (K extends 'TZ_CRON' ? never : Settings[K] extends string ? K : never) : never;
}[SettingName];

export interface CronFromSettingOptions {
  /** Name in the SchedulerRegistry. */
  name: string;
  /** What the boot log calls it (see CronSpec.label). */
  label: string;
}

/** One decorated tick method, as stored on its class's prototype. */
export interface CronMethod extends CronFromSettingOptions {
  setting: CronSettingName;
  method: string;
}

const CRON_METHODS = Symbol('pipeline:cron-methods');

/**
 * Declares a tick method of a PipelineCrons subclass as the cron whose expression is the setting
 * `setting`; PipelineCrons registers it at boot in TZ_CRON and removes it at shutdown.
 */
export function CronFromSetting(setting: CronSettingName, options: CronFromSettingOptions) {
  return (target: PipelineCrons, method: string, _descriptor: TypedPropertyDescriptor<() => Promise<void>>): void => {
    const own: CronMethod[] = Reflect.getOwnMetadata(CRON_METHODS, target) ?? [];
    Reflect.defineMetadata(CRON_METHODS, [...own, { setting, method, ...options }], target);
  };
}

/**
 * The crons declared with @CronFromSetting on the prototype chain of `instance`, base classes first;
 * a method decorated again in a subclass replaces its base class's declaration.
 */
export function cronMethodsOf(instance: object): CronMethod[] {
  const chain: CronMethod[][] = [];
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    chain.unshift(Reflect.getOwnMetadata(CRON_METHODS, proto) ?? []);
  }
  const byMethod = new Map<string, CronMethod>();
  for (const cron of chain.flat()) byMethod.set(cron.method, cron);
  return [...byMethod.values()];
}

/**
 * Base of a module's scheduler: its tick methods, decorated with @CronFromSetting, are registered at
 * boot (expressions from the configuration, in TZ_CRON) and removed at shutdown; each tick only
 * enqueues the day's pipeline job.
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

  onApplicationBootstrap(): void {
    // Every expression is checked before any cron starts, so a bad declaration registers none.
    const specs = cronMethodsOf(this).map((cron) => this.specOf(cron));
    for (const spec of specs) registerCron(this.scheduler, this.logger, spec);
  }

  onModuleDestroy(): void {
    removeCrons(
      this.scheduler,
      cronMethodsOf(this).map((cron) => cron.name),
    );
  }

  /** Enqueues the job of the current day in TZ_CRON, as a cron run (see enqueueFromCron). */
  protected enqueueToday(
    label: string,
    start: (runDate: string) => Promise<EnqueueResult>,
    logMeta?: (r: EnqueueResult) => Record<string, unknown>,
  ): Promise<void> {
    return enqueueFromCron(this.logger, label, () => start(runDateOf(this.now(), this.config.TZ_CRON)), logMeta);
  }

  private specOf({ setting, method, name, label }: CronMethod): CronSpec {
    const expression: unknown = (this.config as unknown as Record<string, unknown>)[setting];
    const problem = cronValueProblem(expression);
    if (problem)
      throw new Error(
        `${this.constructor.name}.${method}: @CronFromSetting('${setting}') needs a setting holding a cron expression, but ${problem}`,
      );
    // Looked up at each tick, so a method replaced on the instance (tests) is the one that runs.
    const self = this as unknown as Record<string, () => Promise<void>>;
    return { name, label, expression: expression as string, timeZone: this.config.TZ_CRON, onTick: () => self[method]() };
  }
}

/** Why a setting's value cannot be a cron's expression, or undefined when it can. */
function cronValueProblem(value: unknown): string | undefined {
  if (value === undefined) return 'it has no value (is it a setting?)';
  if (typeof value !== 'string') return `its value is a ${typeof value}, not a string`;
  return validateCronExpression(value).valid ? undefined : `its value "${value}" is not a cron expression`;
}
