import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { ModelRegistry } from '../../../src/training/registry/model-registry.service.js';
import { RegistryProductionModels } from '../../../src/training/serving/registry-production-models.js';

const fallbacks = async () => (await register.getSingleMetric('moovitamix_recommendation_scoring_fallbacks_total')!.get()).values[0]?.value;

describe('losing the scoring threads', () => {
  it('is counted once per process, and scoring stays on the job thread from then on', async () => {
    const metrics = new PipelineMetrics();
    const models = new RegistryProductionModels(
      {} as ModelRegistry,
      { RECOMMENDATION_THREADS: 2, CANARY_PERCENT: 10 } as AppConfig,
      metrics,
    );
    const access = (models as unknown as { poolAccess: { get(): unknown; failed(err: Error): void } }).poolAccess;
    const before = (await fallbacks()) ?? 0;
    access.failed(new Error('scoring thread exited with code 1'));
    access.failed(new Error('scoring thread exited with code 1'));
    expect(await fallbacks()).toBe(before + 1);
    expect(access.get()).toBeNull();
    await models.onModuleDestroy();
  });

  it('uses no threads when RECOMMENDATION_THREADS is 1', () => {
    const models = new RegistryProductionModels(
      {} as ModelRegistry,
      { RECOMMENDATION_THREADS: 1, CANARY_PERCENT: 10 } as AppConfig,
      new PipelineMetrics(),
    );
    expect((models as unknown as { poolAccess: { get(): unknown } }).poolAccess.get()).toBeNull();
  });
});
