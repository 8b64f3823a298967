import { Injectable, Logger } from '@nestjs/common';
import { CronFromSetting, PipelineCrons } from '../pipeline/cron-enqueue.js';

export const RECOMMENDATION_CRON_NAME = 'recommendations';
export const CLEANUP_CRON_NAME = 'playlist-cleanup';

/**
 * RECOMMENDATION_CRON (the safety net of the run that follows each ingestion) and CLEANUP_CRON,
 * registered at boot by PipelineCrons since the expressions are configuration. Each tick only
 * enqueues, with the day's job id, so a second replica or a repeated tick cannot double-run the day.
 */
@Injectable()
export class RecommendationsScheduler extends PipelineCrons {
  protected readonly logger = new Logger('RecommendationsScheduler');

  @CronFromSetting('RECOMMENDATION_CRON', { name: RECOMMENDATION_CRON_NAME, label: RECOMMENDATION_CRON_NAME })
  tickRecommendations(): Promise<void> {
    return this.enqueueToday('daily recommendation run', (runDate) => this.chain.startRecommendations(runDate, 'cron'));
  }

  @CronFromSetting('CLEANUP_CRON', { name: CLEANUP_CRON_NAME, label: CLEANUP_CRON_NAME })
  tickCleanup(): Promise<void> {
    return this.enqueueToday('playlist cleanup', (runDate) => this.chain.startCleanup(runDate, 'cron'));
  }
}
