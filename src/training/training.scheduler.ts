import { Injectable, Logger } from '@nestjs/common';
import { PipelineCrons } from '../pipeline/cron-enqueue.js';

export const TRAINING_CRON_NAME = 'training';

/** TRAINING_CRON enqueues the weekly retraining (registered at boot: the expression is configuration). */
@Injectable()
export class TrainingScheduler extends PipelineCrons {
  protected readonly logger = new Logger('TrainingScheduler');

  protected crons() {
    return [{ name: TRAINING_CRON_NAME, label: 'retraining', expression: this.config.TRAINING_CRON, onTick: () => this.tick() }];
  }

  /** Enqueues with the day's job id, so a second scheduler replica cannot double-run the period. */
  tick(): Promise<void> {
    return this.enqueueToday('retraining', (runDate) => this.chain.startTraining(runDate, 'cron'));
  }
}
