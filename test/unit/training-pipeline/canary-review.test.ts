import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import { JobName } from '../../../src/queues/job-catalogue.js';
import type { JobQueue } from '../../../src/queues/job-queue.service.js';
import type { RedisLock } from '../../../src/redis/redis-lock.js';
import { RolloutService } from '../../../src/training/pipeline/rollout.service.js';
import type { TrainingDataRepository } from '../../../src/training/pipeline/training-data.repository.js';
import type { ModelRegistry, StatusUpdate } from '../../../src/training/registry/model-registry.service.js';
import type { CanaryReviewRecord, ModelVersionDoc } from '../../../src/training/registry/registry.schemas.js';

beforeAll(() => Logger.overrideLogger(false));

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-05T03:00:00Z');

/** The canary review with its stores in memory: registry, playlists and listens, the job queue. */
function setup(o: { canaryHits: number; productionHits: number; inconclusive?: 'promote' | 'rollback' }) {
  const versions = new Map<string, ModelVersionDoc>();
  const add = (v: Partial<ModelVersionDoc>) =>
    versions.set(v._id!, { history: [], artifact: { sha256: 'x' }, previous_production_version: null, ...v } as ModelVersionDoc);
  add({ _id: 'v1', status: 'production', canary: null });
  add({
    _id: 'v2',
    status: 'canary',
    canary: {
      percent: 10,
      started_at: new Date(NOW.getTime() - 2 * DAY),
      review_at: NOW,
      data_anchor: null,
      review_job_id: 'canary-review-v2',
      reviews: [],
    },
  });
  const reg = {
    now: () => NOW,
    get: async (v: string) => structuredClone(versions.get(v) ?? null),
    require: async (v: string) => structuredClone(versions.get(v)!),
    loadModel: async () => undefined,
    production: async () => [...versions.values()].find((v) => v.status === 'production') ?? null,
    transition: async (v: string, from: string[], u: StatusUpdate) => {
      const doc = versions.get(v)!;
      if (!from.includes(doc.status)) throw new Error(`${v} is ${doc.status}`);
      Object.assign(doc, structuredClone(u.set ?? {}), { status: u.status, decision: u.decision, reason: u.reason });
      doc.history.push({ at: NOW, status: u.status, decision: u.decision, reason: u.reason, by: u.by });
      return structuredClone(doc);
    },
    retireOthers: async (status: string, keep: string) => {
      const others = [...versions.values()].filter((v) => v.status === status && v._id !== keep);
      for (const v of others) v.status = 'retired';
      return others.map((v) => v._id);
    },
  } as unknown as ModelRegistry;
  // 200 canary users and 1,000 production users; the first `hits` of each group hit their playlist.
  const playlists = [
    ...Array.from({ length: 200 }, (_, i) => ({ userId: i, trackIds: [1000 + i], modelVersion: 'v2', createdAt: NOW })),
    ...Array.from({ length: 1000 }, (_, i) => ({ userId: 10_000 + i, trackIds: [5000 + i], modelVersion: null, createdAt: NOW })),
  ];
  const listened = new Map<number, Set<number>>();
  for (let i = 0; i < o.canaryHits; i++) listened.set(i, new Set([1000 + i]));
  for (let i = 0; i < o.productionHits; i++) listened.set(10_000 + i, new Set([5000 + i]));
  const data = { playlistsSince: async () => playlists, listenedSince: async () => listened } as unknown as TrainingDataRepository;
  const enqueued: Array<{ name: string; payload: unknown; jobId?: string; opts?: unknown }> = [];
  const jobs = {
    enqueue: async (name: string, payload: unknown, jobId?: string, opts?: unknown) => {
      enqueued.push({ name, payload, jobId, opts });
      return { jobId: jobId ?? String(enqueued.length), created: true };
    },
  } as unknown as JobQueue;
  const config = {
    TZ_CRON: 'UTC',
    CANARY_DAYS: 2,
    CANARY_MAX_DAYS: 3,
    CANARY_CONFIDENCE: 0.95,
    CANARY_NON_INFERIORITY_MARGIN: 0.02,
    CANARY_MIN_USERS: 100,
    CANARY_INCONCLUSIVE: o.inconclusive ?? 'promote',
  } as AppConfig;
  const lock = { withLock: <T>(_n: string, fn: () => Promise<T>) => fn() } as unknown as RedisLock;
  const rollout = new RolloutService(config, reg, data, new PipelineChain(jobs), new PipelineMetrics(), lock);
  return { rollout, versions, enqueued };
}

describe('canary review (RolloutService with its stores in memory)', () => {
  it('keeps an inconclusive canary, records the review and schedules the next one a day later', async () => {
    // 25% of 200 against 28% of 1,000: 97.5% interval about [-10, +4] points, straddling -2.
    const { rollout, versions, enqueued } = setup({ canaryHits: 50, productionHits: 280 });
    const out = await rollout.reviewCanary('v2');
    expect(out).toMatchObject({
      decision: 'waiting',
      recommendationJobId: null,
      outcome: { decision: 'wait', verdict: 'inconclusive', look: 1, maxLooks: 2 },
    });
    const v2 = versions.get('v2')!;
    expect(v2).toMatchObject({ status: 'canary', decision: 'canary_waiting' });
    expect(v2.canary).toMatchObject({ review_job_id: 'canary-review-v2-look-2', review_at: new Date(NOW.getTime() + DAY) });
    const [rec] = v2.canary!.reviews!;
    expect(rec).toMatchObject({
      reviewed_at: NOW,
      look: 1,
      max_looks: 2,
      days: 2,
      confidence: 0.95,
      look_confidence: 0.975,
      margin: 0.02,
      min_users: 100,
      canary: { users: 200, hits: 50, rate: 0.25 },
      production: { users: 1000, hits: 280, rate: 0.28 },
      estimate: -0.03,
      verdict: 'inconclusive',
      decision: 'wait',
    });
    expect(rec.lower!).toBeLessThan(-0.02);
    expect(rec.upper!).toBeGreaterThan(-0.02);
    expect(v2.canary!.outcome).toEqual(rec);
    expect(v2.history.at(-1)).toMatchObject({ status: 'canary', decision: 'canary_waiting', by: 'canary-review' });
    expect(v2.history.at(-1)!.reason).toMatch(
      /^canary waiting: inconclusive, next-day hit rate canary 25.0% of 200 users, production 28.0% of 1000 users; difference -3.0 points, 97.5% interval/,
    );
    expect(enqueued).toEqual([
      {
        name: JobName.CanaryReview,
        payload: { version: 'v2', trigger: 'pipeline' },
        jobId: 'canary-review-v2-look-2',
        opts: { delay: DAY },
      },
    ]);
  });

  it('decides at the last look by CANARY_INCONCLUSIVE, keeping every review', async () => {
    const { rollout, versions, enqueued } = setup({ canaryHits: 50, productionHits: 280 });
    await rollout.reviewCanary('v2');
    const out = await rollout.reviewCanary('v2');
    expect(out).toMatchObject({ decision: 'promoted', outcome: { decision: 'promote', verdict: 'inconclusive', look: 2 } });
    expect(out.reason).toMatch(/^canary promoted at the last look: not shown worse by more than the margin/);
    const v2 = versions.get('v2')!;
    expect(v2.status).toBe('production');
    expect(v2.canary!.reviews!.map((r: CanaryReviewRecord) => [r.look, r.days, r.decision])).toEqual([
      [1, 2, 'wait'],
      [2, 3, 'promote'],
    ]);
    expect(v2.history.map((h) => h.decision)).toEqual(['canary_waiting', 'canary_passed', 'promoted']);
    expect(versions.get('v1')!.status).toBe('retired');
    expect(enqueued.map((e) => e.name)).toEqual([JobName.CanaryReview, JobName.RecommendationRun]);

    const strict = setup({ canaryHits: 50, productionHits: 280, inconclusive: 'rollback' });
    await strict.rollout.reviewCanary('v2');
    expect((await strict.rollout.reviewCanary('v2')).decision).toBe('rolled_back');
    expect(strict.versions.get('v2')).toMatchObject({ status: 'rejected', decision: 'rolled_back' });
  });

  it('rolls back at the first review a canary clearly worse than production, and recomputes playlists', async () => {
    const { rollout, versions, enqueued } = setup({ canaryHits: 20, productionHits: 280 });
    const out = await rollout.reviewCanary('v2');
    expect(out).toMatchObject({ decision: 'rolled_back', outcome: { decision: 'rollback', verdict: 'inferior', look: 1 } });
    expect(versions.get('v2')!.canary!.outcome).toMatchObject({ decision: 'rollback', estimate: -0.18 });
    expect(versions.get('v1')!.status).toBe('production');
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]).toMatchObject({ name: JobName.RecommendationRun, payload: { trigger: 'rollback', force: true } });
  });

  it('promotes at the first review a canary non-inferior with enough users', async () => {
    const { rollout, versions } = setup({ canaryHits: 90, productionHits: 280 });
    const out = await rollout.reviewCanary('v2');
    expect(out).toMatchObject({ decision: 'promoted', outcome: { decision: 'promote', verdict: 'non_inferior', look: 1 } });
    expect(versions.get('v2')!.canary!.outcome).toMatchObject({ estimate: 0.17, verdict: 'non_inferior' });
  });
});
