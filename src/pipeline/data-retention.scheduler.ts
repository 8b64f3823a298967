import { Injectable, Logger } from '@nestjs/common';
import { CronFromSetting, PipelineCrons } from './cron-enqueue.js';

export const RETENTION_CRON_NAME = 'retention';

/** RETENTION_CRON enqueues the day's retention job (one job id per day). */
@Injectable()
export class DataRetentionScheduler extends PipelineCrons {
  protected readonly logger = new Logger('DataRetentionScheduler');

  @CronFromSetting('RETENTION_CRON', { name: RETENTION_CRON_NAME, label: 'daily retention' })
  tick(): Promise<void> {
    return this.enqueueToday('daily retention', (runDate) => this.chain.startRetention(runDate, 'cron'));
  }
}
