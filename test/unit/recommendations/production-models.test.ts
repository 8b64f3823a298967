import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import type { CatalogueReader } from '../../../src/recommendations/catalogue-reader.js';
import { Experiments } from '../../../src/recommendations/experiments.provider.js';
import { ModelVersionsProbe, type ProductionModels } from '../../../src/recommendations/production-models.js';
import { RunContexts } from '../../../src/recommendations/run-contexts.js';
import { history, TRACKS, user } from './fixtures.js';

const config = loadConfig({ ADMIN_TOKEN: 'x'.repeat(20), CANARY_PERCENT: '15' }) as unknown as AppConfig;

function probeWith(docs: Array<{ _id: string; status: string }>) {
  const find = vi.fn(() => ({ toArray: async () => docs }));
  const conn = { db: { collection: () => ({ find }) } } as never;
  return { probe: new ModelVersionsProbe(conn, config), find };
}

describe('ModelVersionsProbe (no model registry installed)', () => {
  it('reports no model while model_versions has no production or canary entry', async () => {
    const { probe, find } = probeWith([]);
    expect(await probe.current()).toEqual({ canaryPercent: 15 });
    expect(find).toHaveBeenCalledWith({ status: { $in: ['production', 'canary'] } }, expect.anything());
    expect(await probe.byVersion()).toBeNull();
  });

  it('reports none either when a production entry exists, since it cannot load artifacts', async () => {
    const { probe } = probeWith([{ _id: 'als-1', status: 'production' }]);
    expect(await probe.current()).toEqual({ canaryPercent: 15 });
  });
});

describe('RunContexts model source', () => {
  const reader = { snapshot: vi.fn(async () => ({ tracks: TRACKS, users: new Map([[1, user(1, ['Rock'])]]), histories: new Map([[1, history(1, [1])]]) })) } as unknown as CatalogueReader;
  const model = { version: 'v3', recommend: () => [] };

  it('uses the registry when a module provides ProductionModels', async () => {
    const registry = { current: vi.fn(async () => ({ production: model, canaryPercent: 0 })), byVersion: vi.fn(async () => null) } as unknown as ProductionModels;
    const engine = await new RunContexts(reader, new Experiments(config), config, probeWith([]).probe, registry).get('r');
    expect(engine.models.production?.version).toBe('v3');
  });

  it('falls back to the probe without one', async () => {
    const { probe, find } = probeWith([]);
    const engine = await new RunContexts(reader, new Experiments(config), config, probe, undefined).get('r');
    expect(engine.models.production).toBeUndefined();
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('loads the versions named by experiment variants once per run, hybrid when one cannot be loaded', async () => {
    const exps = new Experiments(loadConfig({ ADMIN_TOKEN: 'x'.repeat(20), EXPERIMENTS: JSON.stringify([{ name: 'e', variants: [{ name: 'a', weight: 1, recommender: 'model', modelVersion: 'v7' }, { name: 'b', weight: 1, recommender: 'model', modelVersion: 'v3' }] }]) }) as unknown as AppConfig);
    const registry = { current: vi.fn(async () => ({ production: model, canaryPercent: 0 })), byVersion: vi.fn(async () => null) } as unknown as ProductionModels;
    const engine = await new RunContexts(reader, exps, config, probeWith([]).probe, registry).get('r');
    expect(registry.byVersion).toHaveBeenCalledTimes(1);
    expect(registry.byVersion).toHaveBeenCalledWith('v7');
    expect(engine.models.pinned.get('v7')).toBeNull();
  });
});
