import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';

export const INGESTION_CRON_NAME = 'ingestion';

/** INGESTION_CRON enqueues the day's ingestion run (registered at boot: the expression is configuration). */
@Injectable()
export class IngestionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IngestionScheduler');
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    private readonly config: AppConfig,
    private readonly chain: PipelineChain,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({ cronTime: this.config.INGESTION_CRON, timeZone: this.config.TZ_CRON, start: false, onTick: () => this.tick() });
    this.scheduler.addCronJob(INGESTION_CRON_NAME, job);
    job.start();
    this.logger.log(`daily ingestion scheduled "${this.config.INGESTION_CRON}" (${this.config.TZ_CRON}), next at ${job.nextDate().toISO()}`);
  }

  /** Only enqueues, with the day's job id: a second replica or a repeated tick cannot double-run the day. */
  async tick(): Promise<void> {
    try {
      const r = await this.chain.startIngestion(runDateOf(this.now(), this.config.TZ_CRON), 'cron');
      this.logger.log(`daily ingestion ${r.created ? 'enqueued' : 'already enqueued'}`, { jobId: r.jobId, runId: r.jobId });
    } catch (err) {
      this.logger.error(`daily ingestion could not be enqueued: ${(err as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('cron', INGESTION_CRON_NAME)) this.scheduler.deleteCronJob(INGESTION_CRON_NAME);
  }
}
