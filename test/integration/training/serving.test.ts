import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SimulatedSystem } from '../../../src/tools/simulation.js';
import { testSettings } from '../../support/settings.js';
import { api, openDb } from './support.js';

/**
 * What the API serves as models change: the mock, ingestion, recommendation runs and training run
 * for real (in this process), and the playlists are read back over HTTP.
 */
describe('served playlists follow canary, promotion and rollback', () => {
  let settings: Settings;
  let system: SimulatedSystem;
  let db: Awaited<ReturnType<typeof openDb>>;
  let userIds: number[] = [];

  /** model_version and variant of each user's served playlist. */
  async function served(): Promise<Array<{ model_version: string | null; variant: string }>> {
    const out = [];
    for (const u of userIds) {
      const r = await fetch(`${system.apiUrl}/users/${u}/recommendations?limit=5`);
      expect(r.status).toBe(200);
      out.push((await r.json()) as { model_version: string | null; variant: string });
    }
    return out;
  }

  beforeAll(async () => {
    settings = testSettings('training-serving', {
      MOCK_MODE: 'living',
      MOCK_USERS: '240',
      MOCK_TRACKS: '150',
      TUNING_TRIALS: '0',
      ALS_FACTORS: '16',
      ALS_REGULARIZATION: '0.1',
      ALS_ALPHA: '1',
      ALS_THREADS: '1',
      CANARY_DAYS: '5',
      CANARY_PERCENT: '50',
      VALIDATION_DAYS: '2',
      // This suite is about serving, not the gate: a few dozen held-out users make NDCG noisy.
      GATE_NDCG_TOLERANCE: '0.5',
      GATE_COVERAGE_TOLERANCE: '0.5',
    });
    db = await openDb(settings);
    system = await SimulatedSystem.start(settings, createLogger('error'));
    const page = (await (await fetch(`${system.mockUrl}/users?page=1&size=60`)).json()) as { items: Array<{ id: number }> };
    userIds = page.items.map((u) => u.id);
  });

  afterAll(async () => {
    await system?.close();
    await db?.dropAndClose();
  });

  it('serves the canary to its share of users and the fallback to the others', async () => {
    const r = await system.run({ steps: 4, retrainEvery: 3, stepTimeoutMs: 120_000 });
    expect(r.failures).toEqual([]);
    expect(r.trainings.map((t) => t.decision)).toEqual(['canary']);
    const canary = r.trainings[0].version!;
    const lists = await served();
    const canaryUsers = lists.filter((l) => l.model_version === canary);
    expect(canaryUsers.every((l) => l.variant === 'canary')).toBe(true);
    // Half of the users by a stable hash: 60 users give 30 on average.
    expect(
      canaryUsers.length,
      'no user is served the canary: the recommendation runs must get ProductionModels from ModelRegistryModule (the registry)',
    ).toBeGreaterThan(15);
    expect(canaryUsers.length).toBeLessThan(45);
    expect(lists.filter((l) => l.model_version !== canary).every((l) => l.model_version === null)).toBe(true);
  });

  it('serves a version promoted by API to every user, then the previous one after a rollback by API', async () => {
    const v1 = (await api(system.apiUrl, 'GET', '/models')).body.canary as string;
    expect((await api(system.apiUrl, 'POST', `/models/${v1}/promote`, { reason: 'test' })).status).toBe(200);
    await system.idle();
    expect((await served()).every((l) => l.model_version === v1)).toBe(true);

    const r = await system.run({ steps: 3, retrainEvery: 3, stepTimeoutMs: 120_000 });
    expect(r.failures).toEqual([]);
    const last = r.trainings.at(-1)!;
    expect(last.decision, last.reason).toBe('canary');
    const v2 = last.version!;
    expect((await api(system.apiUrl, 'POST', `/models/${v2}/promote`, {})).status).toBe(200);
    await system.idle();
    expect((await served()).every((l) => l.model_version === v2)).toBe(true);

    const back = await api(system.apiUrl, 'POST', '/models/rollback', { reason: 'test rollback' });
    expect(back.body).toMatchObject({ version: v1, replaced: v2 });
    await system.idle();
    expect((await served()).every((l) => l.model_version === v1)).toBe(true);
  });
});
