import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { CatalogueReader } from '../../../src/recommendations/catalogue-reader.js';
import { Experiments } from '../../../src/recommendations/experiments.provider.js';
import type { ProductionModels } from '../../../src/recommendations/production-models.js';
import { RunContexts } from '../../../src/recommendations/run-contexts.js';
import { history, TRACKS, user } from './fixtures.js';

const config = loadConfig({ ADMIN_TOKEN: 'x'.repeat(20), CANARY_PERCENT: '15' }) as unknown as AppConfig;

describe('RunContexts model source', () => {
  const reader = {
    snapshot: vi.fn(async () => ({ tracks: TRACKS, users: new Map([[1, user(1, ['Rock'])]]), histories: new Map([[1, history(1, [1])]]) })),
  } as unknown as CatalogueReader;
  const model = { version: 'v3', recommend: () => [] };

  it('serves the production model that the ProductionModels port reports', async () => {
    const registry = {
      current: vi.fn(async () => ({ production: model, canaryPercent: 0 })),
      byVersion: vi.fn(async () => null),
    } as unknown as ProductionModels;
    const engine = await new RunContexts(reader, new Experiments(config), config, registry).get('r');
    expect(engine.models.production?.version).toBe('v3');
  });

  it('has no model while the port reports none (the hybrid recommender serves)', async () => {
    const registry = {
      current: vi.fn(async () => ({ canaryPercent: 15 })),
      byVersion: vi.fn(async () => null),
    } as unknown as ProductionModels;
    const engine = await new RunContexts(reader, new Experiments(config), config, registry).get('r');
    expect(engine.models.production).toBeUndefined();
    expect(registry.current).toHaveBeenCalledTimes(1);
  });

  it('loads the versions named by experiment variants once per run, hybrid when one cannot be loaded', async () => {
    const exps = new Experiments(
      loadConfig({
        ADMIN_TOKEN: 'x'.repeat(20),
        EXPERIMENTS: JSON.stringify([
          {
            name: 'e',
            variants: [
              { name: 'a', weight: 1, recommender: 'model', modelVersion: 'v7' },
              { name: 'b', weight: 1, recommender: 'model', modelVersion: 'v3' },
            ],
          },
        ]),
      }) as unknown as AppConfig,
    );
    const registry = {
      current: vi.fn(async () => ({ production: model, canaryPercent: 0 })),
      byVersion: vi.fn(async () => null),
    } as unknown as ProductionModels;
    const engine = await new RunContexts(reader, exps, config, registry).get('r');
    expect(registry.byVersion).toHaveBeenCalledTimes(1);
    expect(registry.byVersion).toHaveBeenCalledWith('v7');
    expect(engine.models.pinned.get('v7')).toBeNull();
  });
});
