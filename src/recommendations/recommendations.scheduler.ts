import { Injectable, Logger } from '@nestjs/common';
import { PipelineCrons } from '../pipeline/cron-enqueue.js';

export const RECOMMENDATION_CRON_NAME = 'recommendations';
export const CLEANUP_CRON_NAME = 'playlist-cleanup';

/**
 * RECOMMENDATION_CRON (the safety net of the run that follows each ingestion) and CLEANUP_CRON,
 * registered at boot since the expressions are configuration. Each tick only enqueues, with the
 * day's job id, so a second replica or a repeated tick cannot double-run the day.
 */
@Injectable()
export class RecommendationsScheduler extends PipelineCrons {
  protected readonly logger = new Logger('RecommendationsScheduler');

  protected crons() {
    return [
      { name: RECOMMENDATION_CRON_NAME, label: RECOMMENDATION_CRON_NAME, expression: this.config.RECOMMENDATION_CRON, onTick: () => this.tickRecommendations() },
      { name: CLEANUP_CRON_NAME, label: CLEANUP_CRON_NAME, expression: this.config.CLEANUP_CRON, onTick: () => this.tickCleanup() },
    ];
  }

  tickRecommendations(): Promise<void> {
    return this.enqueueToday('daily recommendation run', (runDate) => this.chain.startRecommendations(runDate, 'cron'));
  }

  tickCleanup(): Promise<void> {
    return this.enqueueToday('playlist cleanup', (runDate) => this.chain.startCleanup(runDate, 'cron'));
  }
}
