import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';

export const RECOMMENDATION_CRON_NAME = 'recommendations';
export const CLEANUP_CRON_NAME = 'playlist-cleanup';

/**
 * RECOMMENDATION_CRON (the safety net of the run that follows each ingestion) and CLEANUP_CRON,
 * registered at boot since the expressions are configuration. Each tick only enqueues, with the
 * day's job id, so a second replica or a repeated tick cannot double-run the day.
 */
@Injectable()
export class RecommendationsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RecommendationsScheduler');
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    private readonly config: AppConfig,
    private readonly chain: PipelineChain,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.register(RECOMMENDATION_CRON_NAME, this.config.RECOMMENDATION_CRON, () => this.tickRecommendations());
    this.register(CLEANUP_CRON_NAME, this.config.CLEANUP_CRON, () => this.tickCleanup());
  }

  async tickRecommendations(): Promise<void> {
    try {
      const r = await this.chain.startRecommendations(runDateOf(this.now(), this.config.TZ_CRON), 'cron');
      this.logger.log(`daily recommendation run ${r.created ? 'enqueued' : 'already enqueued'}`, { jobId: r.jobId });
    } catch (err) {
      this.logger.error(`daily recommendation run could not be enqueued: ${(err as Error).message}`);
    }
  }

  async tickCleanup(): Promise<void> {
    try {
      const r = await this.chain.startCleanup(runDateOf(this.now(), this.config.TZ_CRON), 'cron');
      this.logger.log(`playlist cleanup ${r.created ? 'enqueued' : 'already enqueued'}`, { jobId: r.jobId });
    } catch (err) {
      this.logger.error(`playlist cleanup could not be enqueued: ${(err as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    for (const name of [RECOMMENDATION_CRON_NAME, CLEANUP_CRON_NAME]) if (this.scheduler.doesExist('cron', name)) this.scheduler.deleteCronJob(name);
  }

  private register(name: string, expression: string, onTick: () => Promise<void>): void {
    const job = CronJob.from({ cronTime: expression, timeZone: this.config.TZ_CRON, start: false, onTick });
    this.scheduler.addCronJob(name, job);
    job.start();
    this.logger.log(`${name} scheduled "${expression}" (${this.config.TZ_CRON}), next at ${job.nextDate().toISO()}`);
  }
}
