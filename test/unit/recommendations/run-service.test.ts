import type { Job } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import { JobName } from '../../../src/queues/job-catalogue.js';
import type { JobQueue } from '../../../src/queues/job-queue.service.js';
import { BatchHook } from '../../../src/recommendations/batch-hook.js';
import { CatalogueIndex } from '../../../src/recommendations/catalogue-index.js';
import type { CatalogueReader } from '../../../src/recommendations/catalogue-reader.js';
import { Experiments } from '../../../src/recommendations/experiments.provider.js';
import { PlaylistEngine } from '../../../src/recommendations/playlist-engine.js';
import type { PlaylistRepository, UserState } from '../../../src/recommendations/playlist.repository.js';
import type { ProductionModels } from '../../../src/recommendations/production-models.js';
import type { RecommendationCache } from '../../../src/recommendations/recommendation-cache.js';
import { RecommendationRunService, type BatchResult } from '../../../src/recommendations/recommendation-run.service.js';
import type { RecommendationRunsRepository } from '../../../src/recommendations/recommendation-runs.repository.js';
import type { PlaylistDoc, RecommendationRunDoc, UserStatesDoc } from '../../../src/recommendations/recommendation.schemas.js';
import { RunContexts } from '../../../src/recommendations/run-contexts.js';
import { history, TRACKS, user } from './fixtures.js';

const NOW = new Date('2026-11-26T05:00:00Z');
const DAY = 86_400_000;

function setup(o: { states?: Map<number, UserState>; batchSize?: number } = {}) {
  const config = loadConfig({
    ADMIN_TOKEN: 'x'.repeat(20),
    RECOMMENDATION_BATCH_SIZE: String(o.batchSize ?? 2),
    PLAYLIST_SIZE: '5',
    MAX_TRACKS_PER_ARTIST: '2',
  }) as unknown as AppConfig;
  const users = [user(1, ['Rock']), user(2, ['Pop']), user(3, ['Jazz']), user(4, ['Rock'], false), user(5, [])];
  const histories = [history(1, [1, 2]), history(2, [7]), history(3, [])];
  const engine = new PlaylistEngine(
    CatalogueIndex.build(TRACKS, histories),
    new Map(users.map((u) => [u.id, u])),
    new Map(histories.map((h) => [h.userId, h])),
    [],
    { canaryPercent: 0, pinned: new Map() },
    { size: 5, maxPerArtist: 2 },
  );
  const contexts = { get: vi.fn(async () => engine), drop: vi.fn() } as unknown as RunContexts;
  const stored = { playlists: [] as PlaylistDoc[], states: [] as UserStatesDoc[], cold: 0 };
  const playlists = {
    statesSince: vi.fn(async () => o.states ?? new Map()),
    insertPlaylists: vi.fn(async (docs: PlaylistDoc[]) => stored.playlists.push(...docs)),
    insertUserStates: vi.fn(async (doc: UserStatesDoc) => stored.states.push(doc)),
    insertColdStart: vi.fn(async (docs: unknown[]) => (stored.cold += docs.length)),
  } as unknown as PlaylistRepository;
  let record: RecommendationRunDoc | null = null;
  const runs = {
    create: vi.fn(async (doc: RecommendationRunDoc) => (record = doc)),
    get: vi.fn(async () => record),
    update: vi.fn(async (_id: string, set: Partial<RecommendationRunDoc>) => (record = { ...record!, ...set })),
  } as unknown as RecommendationRunsRepository;
  const cache = {
    setUsers: vi.fn(async () => undefined),
    setColdStart: vi.fn(async () => undefined),
    setTracks: vi.fn(async () => undefined),
    announceRecomputed: vi.fn(async () => undefined),
  } as unknown as RecommendationCache;
  const flows: unknown[] = [];
  const jobs = { enqueueFlow: vi.fn(async (...args: unknown[]) => flows.push(args)) } as unknown as JobQueue;
  const service = new RecommendationRunService(config, contexts, playlists, runs, cache, jobs, new PipelineMetrics(), new BatchHook());
  service.now = () => NOW;
  return { service, stored, flows, cache, runs, record: () => record!, engine };
}

const job = (attemptsMade: number, attempts = 5) =>
  ({ id: 'recommendations-2026-11-26', attemptsMade, opts: { attempts } }) as unknown as Job;

describe('the plan', () => {
  it('selects new users, fans them out in batches under a finalize parent, and records the run', async () => {
    const t = setup();
    const summary = await t.service.plan('recommendations-2026-11-26', { runDate: '2026-11-26', trigger: 'cron' });
    expect(summary).toMatchObject({ runKey: '20261126', usersTotal: 5, selected: 4, skipped: 1, batches: 2, reasons: { new: 4 } });
    const [parent, childName, children] = t.flows[0] as [
      { jobId: string },
      JobName,
      Array<{ jobId: string; payload: { userIds: number[] } }>,
    ];
    expect(parent.jobId).toBe('recommendations-2026-11-26-finalize');
    expect(childName).toBe(JobName.RecommendationBatch);
    expect(children.map((c) => [c.jobId, c.payload.userIds])).toEqual([
      ['recommendations-2026-11-26-b0', [1, 2]],
      ['recommendations-2026-11-26-b1', [3, 5]],
    ]);
    expect(t.record()).toMatchObject({
      status: 'running',
      users_total: 5,
      users_active: 4,
      users_selected: 4,
      users_skipped: 1,
      batches: 2,
      model_version: null,
    });
    expect(t.stored.cold).toBe(1 + 3);
  });

  it('recomputes only users with new listens, a stale playlist or a changed arm; counts the others as up to date', async () => {
    const fresh = (signature: string, ageDays = 0.5, armKey = 'default|hybrid|'): UserState => ({
      computedAt: new Date(NOW.getTime() - ageDays * DAY),
      signature,
      armKey,
    });
    const states = new Map<number, UserState>([
      [1, fresh('0:2')],
      [2, fresh('0:0')],
      [3, fresh('0:0', 8)],
      [5, fresh('0:0', 0.5, 'production|model|v1')],
    ]);
    const t = setup({ states });
    const summary = await t.service.plan('r', { runDate: '2026-11-26', trigger: 'cron' });
    expect(summary.reasons).toEqual({ new_listens: 1, stale: 1, model_changed: 1 });
    expect(summary.selected).toBe(3);
    expect(t.record()).toMatchObject({ prior_fresh_users: 1, prior_oldest_at: new Date(NOW.getTime() - 0.5 * DAY) });
  });

  it('recomputes everyone when forced, and nobody when nothing changed', async () => {
    const states = new Map<number, UserState>(
      [1, 2, 3, 5].map((u) => [u, { computedAt: NOW, signature: u === 1 ? '0:2' : u === 2 ? '0:1' : '0:0', armKey: 'default|hybrid|' }]),
    );
    const forced = await setup({ states }).service.plan('r', { runDate: '2026-11-26', trigger: 'api', force: true });
    expect(forced.reasons).toEqual({ forced: 4 });
    const t = setup({ states });
    const again = await t.service.plan('r', { runDate: '2026-11-26', trigger: 'cron' });
    expect(again).toMatchObject({ selected: 0, batches: 0 });
    expect((t.flows[0] as unknown[])[2]).toEqual([]);
  });
});

describe('a batch', () => {
  it('stores, caches and records the playlists with ids derived from user and run (a retry writes the same ids)', async () => {
    const t = setup();
    await t.service.plan('recommendations-2026-11-26', { runDate: '2026-11-26', trigger: 'cron' });
    const r1 = await t.service.onBatch({ runId: 'recommendations-2026-11-26', batch: 0, userIds: [1, 2, 99] }, job(0));
    expect(r1).toEqual({ computed: 2, skipped: 1, failed: 0, variants: { default: 2 } });
    await t.service.onBatch({ runId: 'recommendations-2026-11-26', batch: 0, userIds: [1, 2, 99] }, job(1));
    expect(t.stored.playlists.map((p) => p._id)).toEqual(['1-20261126', '2-20261126', '1-20261126', '2-20261126']);
    expect(t.stored.playlists[0]).toEqual(t.stored.playlists[2]);
    expect(t.stored.playlists[0]).toMatchObject({
      user_id: 1,
      is_generated: true,
      variant: 'default',
      recommender: 'hybrid',
      model_version: null,
      playlist_name: 'Daily mix 2026-11-26',
    });
    expect(t.stored.playlists[0]!.track_ids).toHaveLength(5);
    expect(t.stored.playlists[0]!.track_ids).not.toContain(1);
    expect(t.stored.states[0]).toMatchObject({
      _id: 'recommendations-2026-11-26-b0',
      user_ids: [1, 2],
      signatures: ['0:2', '0:1'],
      arm_keys: ['default|hybrid|', 'default|hybrid|'],
    });
    expect(t.cache.setUsers).toHaveBeenCalledTimes(2);
    expect(t.cache.announceRecomputed).toHaveBeenCalledWith([1, 2]);
  });

  it('throws to be retried, and on its last attempt reports its users failed so the run can close', async () => {
    const t = setup();
    await t.service.plan('r', { runDate: '2026-11-26', trigger: 'cron' });
    const hook = (t.service as unknown as { hook: BatchHook }).hook;
    vi.spyOn(hook, 'beforeBatch').mockRejectedValue(new Error('boom'));
    await expect(t.service.onBatch({ runId: 'r', batch: 1, userIds: [3, 5] }, job(3, 5))).rejects.toThrow('boom');
    expect(await t.service.onBatch({ runId: 'r', batch: 1, userIds: [3, 5] }, job(4, 5))).toEqual({
      computed: 0,
      skipped: 0,
      failed: 2,
      variants: {},
      error: 'boom',
    });
  });
});

describe('finalize', () => {
  it('adds up the batches, closes the record and sets the coverage', async () => {
    const t = setup();
    await t.service.plan('r', { runDate: '2026-11-26', trigger: 'cron' });
    const results: BatchResult[] = [
      { computed: 2, skipped: 0, failed: 0, variants: { default: 2 } },
      { computed: 1, skipped: 1, failed: 0, variants: { default: 1 } },
    ];
    const summary = await t.service.finalize('r', results);
    expect(summary).toMatchObject({ status: 'succeeded', computed: 3, skipped: 2, failed: 0, coverage: 0.75 });
    expect(t.record()).toMatchObject({
      status: 'succeeded',
      users_computed: 3,
      users_failed: 0,
      variants: { default: 3 },
      coverage_ratio: 0.75,
      finished_at: NOW,
    });
  });

  it('is completed when some users failed, failed when all did', async () => {
    const t = setup();
    await t.service.plan('r', { runDate: '2026-11-26', trigger: 'cron' });
    expect((await t.service.finalize('r', [{ computed: 2, skipped: 0, failed: 2, variants: {} }])).status).toBe('completed');
    expect((await t.service.finalize('r', [{ computed: 0, skipped: 0, failed: 4, variants: {}, error: 'boom' }])).status).toBe('failed');
    expect(t.record().error).toBe('boom');
  });
});

describe('RunContexts', () => {
  it('loads a run once however many batches ask, and again after the run is dropped', async () => {
    const reader = {
      snapshot: vi.fn(async () => ({
        tracks: TRACKS,
        users: new Map([[1, user(1, ['Rock'])]]),
        histories: new Map([[1, history(1, [1])]]),
      })),
    } as unknown as CatalogueReader;
    const models = {
      current: vi.fn(async () => ({ canaryPercent: 0 })),
      byVersion: vi.fn(async () => null),
    } as unknown as ProductionModels;
    const config = loadConfig({ ADMIN_TOKEN: 'x'.repeat(20) }) as unknown as AppConfig;
    const contexts = new RunContexts(reader, new Experiments(config), config, models);
    const engines = await Promise.all(Array.from({ length: 10 }, () => contexts.get('run-1')));
    expect(new Set(engines).size).toBe(1);
    expect(reader.snapshot).toHaveBeenCalledTimes(1);
    contexts.drop('run-1');
    await contexts.get('run-1');
    expect(contexts.loads).toBe(2);
  });

  it('stops at boot on an invalid EXPERIMENTS, saying why', () => {
    const config = loadConfig({ ADMIN_TOKEN: 'x'.repeat(20), EXPERIMENTS: '[{"name":"a","variants":[]}]' }) as unknown as AppConfig;
    expect(() => new Experiments(config)).toThrow(/EXPERIMENTS\[0\]\.variants: expected at least one variant/);
  });
});
