import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { AppConfig } from '../../../src/config/app-config.js';
import type { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { ListenEvent } from '../../../src/training/pipeline/preprocess.js';
import { DAY_MS } from '../../../src/training/pipeline/preprocess.js';
import type { RolloutService } from '../../../src/training/pipeline/rollout.service.js';
import type { TrainingDataRepository } from '../../../src/training/pipeline/training-data.repository.js';
import type { ArtifactStore } from '../../../src/training/registry/artifact-store.js';
import { RegistryConflictError, type ModelRegistry, type StatusUpdate } from '../../../src/training/registry/model-registry.service.js';
import type { ModelVersionDoc, TrainingRunDoc } from '../../../src/training/registry/registry.schemas.js';
import type { TrainingRunsRepository } from '../../../src/training/registry/training-runs.repository.js';
import { TrainingService } from '../../../src/training/training.service.js';

/** Two taste groups: users 1..40 listen to tracks 1..10, users 41..80 to tracks 11..20, over 10 days. */
function events(): ListenEvent[] {
  const out: ListenEvent[] = [];
  for (let u = 1; u <= 80; u++) {
    const base = u <= 40 ? 0 : 10;
    for (let d = 0; d < 10; d++) out.push({ userId: u, trackId: base + 1 + ((u * 3 + d * 7) % 10), at: Date.UTC(2026, 0, 1) + d * DAY_MS });
  }
  return out;
}

function harness(opts: { failStore?: boolean } = {}) {
  const config = loadConfig({
    ADMIN_TOKEN: 'x'.repeat(16),
    TUNING_TRIALS: '0',
    ALS_FACTORS: '4',
    ALS_ITERATIONS: '4',
    VALIDATION_DAYS: '3',
    ALS_THREADS: '1',
  }) as AppConfig;
  const evs = events();
  const runs = new Map<string, TrainingRunDoc>();
  const versions = new Map<string, ModelVersionDoc>();
  const gauges: Array<[string, Record<string, string>, number]> = [];
  const data = {
    newestListen: async () => Math.max(...evs.map((e) => e.at)),
    listens: async (from: number, to: number) => evs.filter((e) => e.at >= from && e.at <= to),
    catalogue: async () => ({
      trackIds: Array.from({ length: 20 }, (_, i) => i + 1),
      trackGenre: new Map<number, string>(),
      trackCreatedAt: new Map<number, number>(),
      userCreatedAt: new Map<number, number>(),
      favoriteGenres: new Map<number, string[]>(),
    }),
  } as unknown as TrainingDataRepository;
  const runsRepo = {
    start: async (d: TrainingRunDoc) => void runs.set(d._id, { ...d }),
    update: async (id: string, set: Partial<TrainingRunDoc>) => void runs.set(id, { ...runs.get(id)!, ...set }),
    // Earlier attempts of a job (a takeover closes those left running).
    byJob: async (jobId: string) => [...runs.values()].filter((r) => r.job_id === jobId && r.status === 'running'),
  } as unknown as TrainingRunsRepository;
  const registry = {
    now: () => new Date(),
    production: async () => null,
    create: async (d: ModelVersionDoc) => void versions.set(d._id, { ...d }),
    transition: async (v: string, from: string[], u: StatusUpdate) => {
      const d = versions.get(v)!;
      if (!from.includes(d.status)) throw new RegistryConflictError(`${v} is ${d.status}`);
      versions.set(v, { ...d, ...u.set, status: u.status, decision: u.decision, reason: u.reason });
      return versions.get(v)!;
    },
  } as unknown as ModelRegistry;
  const artifacts = {
    save: async () => {
      if (opts.failStore) throw new Error('store unavailable');
      return { sha256: 'x', bytes: 1, chunks: 1, users: 1, items: 1, factors: 4 };
    },
  } as unknown as ArtifactStore;
  const rollout = {
    release: async (version: string) => ({
      version,
      decision: 'canary',
      reason: 'canary for 10% of users for 2 days',
      recommendationJobId: 'rec-1',
    }),
  } as unknown as RolloutService;
  const gauge = (name: string) => ({
    set: (labels: Record<string, string>, v: number) => gauges.push([name, labels, v]),
    inc: (labels: Record<string, string>) => gauges.push([name, labels, 1]),
  });
  const metrics = { modelDrift: gauge('drift'), modelMetric: gauge('metric'), trainingRuns: gauge('runs') } as unknown as PipelineMetrics;
  const service = new TrainingService(config, data, runsRepo, registry, artifacts, rollout, metrics);
  return { service, runs, versions, gauges };
}

describe('TrainingService (stores replaced)', () => {
  it('records a whole run: window, sizes, the three systems, gate, drift, durations, and the released version', async () => {
    const h = harness();
    const out = await h.service.train({ runDate: '2026-01-10', trigger: 'cli', jobId: 'j1' });
    expect(out).toMatchObject({ decision: 'canary', recommendationJobId: 'rec-1' });
    const run = h.runs.get(out.runId)!;
    expect(run).toMatchObject({
      status: 'succeeded',
      decision: 'canary',
      version: out.version,
      job_id: 'j1',
      trigger: 'cli',
      gate: { passed: true },
    });
    expect(run.metrics!.candidate.ndcg).toBeGreaterThan(run.metrics!.popularity.ndcg);
    // No production model: what production serves is the genre + popularity fallback, scored on the same split.
    expect(run.metrics!.production).toMatchObject({ users: run.metrics!.candidate.users });
    expect(h.versions.get(out.version!)!.baselines).toMatchObject({ production_version: null, production_kind: 'hybrid' });
    expect(run.sizes).toMatchObject({ events: 800, users: 80, tracks: 20 });
    expect(Object.keys(run.durations)).toEqual(
      expect.arrayContaining(['collect', 'preprocess', 'drift', 'train_and_evaluate', 'refit', 'store', 'total']),
    );
    expect(h.versions.get(out.version!)).toMatchObject({
      status: 'candidate',
      artifact: { sha256: 'x' },
      previous_production_version: null,
    });
    expect(
      h.gauges
        .filter((g) => g[0] === 'drift')
        .map((g) => g[1].feature)
        .sort(),
    ).toEqual(['genre_share', 'listens_per_active_user', 'new_track_share', 'new_user_share']);
    expect(h.gauges).toContainEqual(['metric', { version: out.version!, metric: 'ndcg_at_10' }, run.metrics!.candidate.ndcg]);
    expect(h.gauges).toContainEqual(['runs', { decision: 'canary' }, 1]);
  });

  it('marks the run failed and rejects the half-made candidate when a step throws', async () => {
    const h = harness({ failStore: true });
    await expect(h.service.train({ runDate: '2026-01-10', trigger: 'cli', jobId: 'j2' })).rejects.toThrow('store unavailable');
    const [run] = [...h.runs.values()];
    expect(run).toMatchObject({ status: 'failed', decision: 'failed', reason: 'store unavailable' });
    const [version] = [...h.versions.values()];
    expect(version).toMatchObject({ status: 'rejected', decision: 'failed' });
    expect(version.reason).toMatch(/failed: store unavailable/);
    expect(h.gauges).toContainEqual(['runs', { decision: 'failed' }, 1]);
  });
});
