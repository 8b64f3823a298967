import { Injectable, Logger } from '@nestjs/common';
import { PipelineCrons } from '../pipeline/cron-enqueue.js';

export const INGESTION_CRON_NAME = 'ingestion';

/** INGESTION_CRON enqueues the day's ingestion run (registered at boot: the expression is configuration). */
@Injectable()
export class IngestionScheduler extends PipelineCrons {
  protected readonly logger = new Logger('IngestionScheduler');

  protected crons() {
    return [{ name: INGESTION_CRON_NAME, label: 'daily ingestion', expression: this.config.INGESTION_CRON, onTick: () => this.tick() }];
  }

  /** Only enqueues, with the day's job id: a second replica or a repeated tick cannot double-run the day. */
  tick(): Promise<void> {
    // The job id is also the ingestion run's id, which the run's own logs carry as runId.
    return this.enqueueToday('daily ingestion', (runDate) => this.chain.startIngestion(runDate, 'cron'), (r) => ({ jobId: r.jobId, runId: r.jobId }));
  }
}
