import { Injectable, Logger } from '@nestjs/common';
import { CronFromSetting, PipelineCrons } from '../pipeline/cron-enqueue.js';

export const TRAINING_CRON_NAME = 'training';

/** TRAINING_CRON enqueues the weekly retraining (registered at boot by PipelineCrons: the expression is configuration). */
@Injectable()
export class TrainingScheduler extends PipelineCrons {
  protected readonly logger = new Logger('TrainingScheduler');

  /** Enqueues with the day's job id, so a second scheduler replica cannot double-run the period. */
  @CronFromSetting('TRAINING_CRON', { name: TRAINING_CRON_NAME, label: 'retraining' })
  tick(): Promise<void> {
    return this.enqueueToday('retraining', (runDate) => this.chain.startTraining(runDate, 'cron'));
  }
}
