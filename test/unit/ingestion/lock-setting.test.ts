import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { QUEUE_PROCESSORS } from '../../../src/queues/processors.js';
import { WorkerDrain } from '../../../src/queues/worker-drain.js';

// @nestjs/bullmq reads a processor's worker options from this metadata when it builds the worker.
const WORKER_METADATA = 'bullmq:worker_metadata';

describe('the ingestion worker lock', () => {
  it('comes from INGESTION_LOCK_DURATION_MS, also as the stalled-job check interval', () => {
    const Ingestion = QUEUE_PROCESSORS.find((p) => p.name === 'IngestionQueueProcessor')!;
    const Training = QUEUE_PROCESSORS.find((p) => p.name === 'TrainingQueueProcessor')!;
    const config = { INGESTION_LOCK_DURATION_MS: 4321, SHUTDOWN_TIMEOUT_MS: 30_000 } as AppConfig;
    new Ingestion({}, {}, {}, new WorkerDrain(config), config);
    expect(Reflect.getMetadata(WORKER_METADATA, Ingestion)).toEqual({ concurrency: 1, lockDuration: 4321, stalledInterval: 4321 });
    expect(Reflect.getMetadata(WORKER_METADATA, Training)).toEqual({ concurrency: 1, lockDuration: 120_000 });
    expect(
      Reflect.getMetadata(
        WORKER_METADATA,
        QUEUE_PROCESSORS.find((p) => p.name === 'RecommendationsQueueProcessor')!,
      ),
    ).toEqual({ concurrency: 2 });
  });
});
