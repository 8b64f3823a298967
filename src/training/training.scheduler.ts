import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';

export const TRAINING_CRON_NAME = 'training';

/** TRAINING_CRON enqueues the weekly retraining (registered at boot: the expression is configuration). */
@Injectable()
export class TrainingScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TrainingScheduler');

  constructor(
    private readonly config: AppConfig,
    private readonly chain: PipelineChain,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const tz = this.config.TZ_CRON;
    const job = CronJob.from({
      cronTime: this.config.TRAINING_CRON,
      timeZone: tz,
      start: false,
      onTick: () => this.tick(),
    });
    this.scheduler.addCronJob(TRAINING_CRON_NAME, job);
    job.start();
    this.logger.log(`retraining scheduled "${this.config.TRAINING_CRON}" (${tz}), next at ${job.nextDate().toISO()}`);
  }

  /** Enqueues with the day's job id, so a second scheduler replica cannot double-run the period. */
  async tick(): Promise<void> {
    try {
      const r = await this.chain.startTraining(runDateOf(new Date(), this.config.TZ_CRON), 'cron');
      this.logger.log(`retraining ${r.created ? 'enqueued' : 'already enqueued'}`, { jobId: r.jobId });
    } catch (err) {
      this.logger.error(`retraining could not be enqueued: ${(err as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('cron', TRAINING_CRON_NAME)) this.scheduler.deleteCronJob(TRAINING_CRON_NAME);
  }
}
