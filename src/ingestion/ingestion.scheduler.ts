import { Injectable, Logger } from '@nestjs/common';
import { CronFromSetting, PipelineCrons } from '../pipeline/cron-enqueue.js';

export const INGESTION_CRON_NAME = 'ingestion';

/** INGESTION_CRON enqueues the day's ingestion run (registered at boot by PipelineCrons: the expression is configuration). */
@Injectable()
export class IngestionScheduler extends PipelineCrons {
  protected readonly logger = new Logger('IngestionScheduler');

  /** Only enqueues, with the day's job id: a second replica or a repeated tick cannot double-run the day. */
  @CronFromSetting('INGESTION_CRON', { name: INGESTION_CRON_NAME, label: 'daily ingestion' })
  tick(): Promise<void> {
    // The job id is also the ingestion run's id, which the run's own logs carry as runId.
    return this.enqueueToday(
      'daily ingestion',
      (runDate) => this.chain.startIngestion(runDate, 'cron'),
      (r) => ({ jobId: r.jobId, runId: r.jobId }),
    );
  }
}
