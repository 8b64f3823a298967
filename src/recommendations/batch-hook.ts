import { Injectable } from '@nestjs/common';

export interface BatchAttempt {
  runId: string;
  batch: number;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * Called by every recommendation batch before it computes anything. Production binds the no-op
 * below; a test takes this instance from the application (DI) and makes it throw, to show that a
 * failing batch is retried and the run still completes.
 */
@Injectable()
export class BatchHook {
  beforeBatch(_attempt: BatchAttempt): void | Promise<void> {
    return undefined;
  }
}
