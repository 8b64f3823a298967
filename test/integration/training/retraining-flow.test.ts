import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { RolloutService } from '../../../src/training/pipeline/rollout.service.js';
import { RegistryProductionModels } from '../../../src/training/serving/registry-production-models.js';
import { TrainingService } from '../../../src/training/training.service.js';
import { testSettings } from '../../support/settings.js';
import { addDays, api, DAY, openDb, seedTaste, startPipeline, type RunningApp, type TasteData } from './support.js';

/**
 * The registry's life on real MongoDB and Redis: a first candidate into canary, promotion after
 * review, a bad candidate stopped by the gate, a canary rolled back, promotion and rollback by API.
 */
describe('retraining: gate, canary, promotion, rollback', () => {
  let settings: Settings;
  let app: RunningApp;
  let db: Awaited<ReturnType<typeof openDb>>;
  let data: TasteData;
  const versions: string[] = [];

  const train = (a: RunningApp = app) => a.app.get(TrainingService).train({ runDate: '2026-01-15', trigger: 'api', jobId: null });
  const rollout = () => app.app.get(RolloutService);
  const served_ = () => app.app.get(RegistryProductionModels).current();

  /** Playlists since the canary started, and next-day listens that hit them or not (all, none, or a share of each group). */
  async function playlistsAndListens(version: string, hits: { canary: boolean | number; production: boolean | number }) {
    const now = new Date();
    const playlists = [];
    const events = [];
    const share = (h: boolean | number) => (typeof h === 'number' ? h : h ? 1 : 0);
    const seen = { canary: 0, production: 0 };
    for (const u of data.users) {
      const canary = u % 2 === 0;
      const group = canary ? 'canary' : 'production';
      // Tracks of another genre, which the seeded user has (almost surely) never heard.
      const foreign = data.tracks.filter((t) => data.trackGenre.get(t) === (data.userGenre.get(u)! + 3) % 8).slice(-5);
      playlists.push({
        _id: `p-${version}-${u}`,
        user_id: u,
        track_ids: foreign,
        model_version: canary ? version : null,
        variant: canary ? 'canary' : 'production',
        created_at: now,
      });
      // The first share x 120 users of the group hit.
      const hit = seen[group]++ < share(hits[group]) * (data.users.length / 2);
      events.push({
        _id: `${u}:1:${version}`,
        user_id: u,
        track_id: hit ? foreign[0] : 9_999_999,
        listened_at: new Date(data.day0 + (data.days - 1) * DAY + 7200_000),
        position: 0,
        generation: 1,
        run_id: 'next-day',
      });
    }
    await db.db.collection('playlists').insertMany(playlists as never[]);
    await db.db.collection('listen_events').insertMany(events as never[]);
  }

  beforeAll(async () => {
    settings = testSettings('training-flow', {
      CANARY_DAYS: '2',
      CANARY_PERCENT: '50',
      // Three looks (days 2, 3, 4), each at 1 - 0.05/3; 120 users a group suffice; 5 points of margin.
      CANARY_MAX_DAYS: '4',
      CANARY_CONFIDENCE: '0.95',
      CANARY_NON_INFERIORITY_MARGIN: '0.05',
      CANARY_MIN_USERS: '100',
      CANARY_INCONCLUSIVE: 'promote',
      TUNING_TRIALS: '0',
      ALS_FACTORS: '16',
      ALS_ITERATIONS: '10',
      ALS_REGULARIZATION: '0.1',
      ALS_THREADS: '1',
      VALIDATION_DAYS: '4',
    });
    db = await openDb(settings);
    data = await seedTaste(db.db, { users: 240, tracks: 160, days: 14 });
    app = await startPipeline(settings, 'api');
  });

  afterAll(async () => {
    await app?.close();
    await db?.dropAndClose();
  });

  it('trains a first candidate that beats popularity, and puts it in canary with its review scheduled', async () => {
    const out = await train();
    expect(out.decision).toBe('canary');
    versions.push(out.version!);
    const models = await api(app.base, 'GET', '/models');
    expect(models.status).toBe(200);
    expect(models.body).toMatchObject({ production: null, canary: out.version, total: 1 });
    const v = models.body.items[0];
    expect(v).toMatchObject({ version: out.version, status: 'canary', previous_production_version: null, canary: { percent: 50 } });
    expect(v.metrics.ndcg).toBeGreaterThan(v.baselines.popularity.ndcg * 1.1);
    expect(v.artifact.chunks).toBeGreaterThanOrEqual(1);

    const runs = await api(app.base, 'GET', '/training/runs?limit=5');
    const run = runs.body.items[0];
    expect(run).toMatchObject({ run_id: out.runId, status: 'succeeded', decision: 'canary', version: out.version, gate: { passed: true } });
    expect(Object.keys(run.drift.psi).sort()).toEqual(['genre_share', 'listens_per_active_user', 'new_track_share', 'new_user_share']);
    expect(run.sizes.trainPairs).toBeGreaterThan(0);
    expect(run.durations.total).toBeGreaterThan(0);

    const review = await app.app.get(JobQueue).queue(QueueName.Training).getJob(`canary-review-${out.version}`);
    expect(await review?.getState()).toBe('delayed');
    expect(review!.opts.delay).toBe(2 * DAY);

    // What the recommendation run is handed: no production yet, the canary for 50% of users.
    const served = await served_();
    expect(served.production).toBeUndefined();
    expect(served).toMatchObject({ canaryPercent: 50, canary: { version: out.version } });
    const user = data.users[0];
    const heard = (await db.db.collection('listen_events').find({ user_id: user }).toArray()).map((e) => e.track_id as number);
    const recs = await served.canary!.recommend(user, heard, 10, new Set([1, 2]));
    expect(recs).toHaveLength(10);
    expect(recs.filter((r) => heard.includes(r.trackId) || r.trackId <= 2)).toEqual([]);
    // A user the model has never seen is folded in from their listens; one with none is a cold start.
    expect(await served.canary!.recommend(999_999, heard.slice(0, 5), 10, new Set())).toHaveLength(10);
    expect(await served.canary!.recommend(999_998, [], 10, new Set())).toEqual([]);
  });

  it('promotes the canary when its next-day hit rate holds against production', async () => {
    const v1 = versions[0];
    await playlistsAndListens(v1, { canary: true, production: true });
    const out = await rollout().reviewCanary(v1);
    expect(out.decision).toBe('promoted');
    expect(out.outcome).toMatchObject({
      canary: { users: 120, hits: 120 },
      production: { users: 120, hits: 120 },
      decision: 'promote',
      verdict: 'non_inferior',
      look: 1,
      maxLooks: 3,
    });
    expect(out.recommendationJobId).toBeTruthy();
    const got = await api(app.base, 'GET', `/models/${v1}`);
    expect(got.body).toMatchObject({ version: v1, status: 'production', decision: 'promoted' });
    // The review is kept on the canary record: the test, the interval, the sizes, the decision.
    expect(got.body.canary.reviews).toHaveLength(1);
    const rec = got.body.canary.outcome;
    expect(rec).toMatchObject({
      look: 1,
      max_looks: 3,
      days: 2,
      confidence: 0.95,
      margin: 0.05,
      min_users: 100,
      estimate: 0,
      verdict: 'non_inferior',
      decision: 'promote',
      canary: { users: 120, hits: 120, rate: 1 },
      production: { users: 120, hits: 120, rate: 1 },
    });
    expect(rec.test).toMatch(/Newcombe/);
    expect(rec.look_confidence).toBeCloseTo(1 - 0.05 / 3, 6);
    // Both rates at 1: the interval is +-(1 - Wilson lower bound of 120/120 at z = 2.394).
    expect(rec.lower).toBeCloseTo(-0.045582, 6);
    expect(rec.upper).toBeCloseTo(0.045582, 6);
    expect(got.body.history.find((h: { decision: string }) => h.decision === 'canary_passed').reason).toMatch(
      /^promoted: non-inferior, .*difference \+0.0 points, 98.33% interval \[-4.6, \+4.6\]/,
    );
    expect(got.body.history.map((h: { decision: string }) => h.decision)).toEqual([
      'candidate',
      'refit',
      'canary',
      'canary_passed',
      'promoted',
    ]);
    expect(await served_()).toMatchObject({ production: { version: v1 } });
    expect((await served_()).canary).toBeUndefined();
    // A review that comes again (a retried job) changes nothing.
    expect((await rollout().reviewCanary(v1)).decision).toBe('skipped');
  });

  it('rejects a deliberately bad candidate (one factor, no iterations) and keeps production', async () => {
    const bad = await startPipeline({ ...settings, ALS_FACTORS: 1, ALS_ITERATIONS: 0, TUNING_TRIALS: 0 }, 'api');
    try {
      await addDays(db.db, data, 4);
      const out = await train(bad);
      expect(out.decision).toBe('rejected');
      expect(out.reason).toMatch(/rejected: .*NDCG@10 .* < (popularity|production)/);
      const models = await api(app.base, 'GET', '/models');
      expect(models.body.production).toBe(versions[0]);
      const v = await api(app.base, 'GET', `/models/${out.version}`);
      expect(v.body).toMatchObject({ status: 'rejected', decision: 'rejected', artifact: null, settings: { factors: 1, iterations: 0 } });
      expect(v.body.baselines.production_version).toBe(versions[0]);
      expect(v.body.metrics.ndcg).toBeLessThan(v.body.baselines.production.ndcg);
      const runs = await api(app.base, 'GET', '/training/runs?limit=1');
      expect(runs.body.items[0]).toMatchObject({ decision: 'rejected', gate: { passed: false }, production_version: versions[0] });
    } finally {
      await bad.close();
    }
  });

  it('rolls back a canary whose users hit less than production users', async () => {
    await addDays(db.db, data, 4);
    const out = await train();
    expect(out.decision).toBe('canary');
    await playlistsAndListens(out.version!, { canary: false, production: true });
    const review = await rollout().reviewCanary(out.version!);
    expect(review.decision).toBe('rolled_back');
    expect(review.reason).toMatch(
      /^rolled back: worse than production by more than the margin, next-day hit rate canary 0.0% of 120 users, production 100.0% of 120 users; difference -100.0 points/,
    );
    const models = await api(app.base, 'GET', '/models');
    expect(models.body).toMatchObject({ production: versions[0], canary: null });
    const v = await api(app.base, 'GET', `/models/${out.version}`);
    expect(v.body).toMatchObject({ status: 'rejected', decision: 'rolled_back' });
    expect(v.body.canary.outcome).toMatchObject({ decision: 'rollback', verdict: 'inferior', estimate: -1 });
  });

  it('promotes by API, then rolls back by API to the previous production version with the reason given', async () => {
    await addDays(db.db, data, 4);
    const out = await train();
    expect(out.decision).toBe('canary');
    const v1 = versions[0];
    const v3 = out.version!;
    const promoted = await api(app.base, 'POST', `/models/${v3}/promote`, { reason: 'reviewed by hand' });
    expect(promoted.status).toBe(200);
    expect((await served_()).production?.version).toBe(v3);
    expect(promoted.body).toMatchObject({ version: v3, decision: 'promoted' });
    expect((await api(app.base, 'GET', '/models')).body.production).toBe(v3);
    expect((await api(app.base, 'GET', `/models/${v1}`)).body).toMatchObject({ status: 'retired', decision: 'replaced' });
    expect((await api(app.base, 'GET', `/models/${v3}`)).body).toMatchObject({
      previous_production_version: v1,
      reason: 'reviewed by hand',
    });

    expect((await api(app.base, 'POST', '/models/rollback', {})).status).toBe(400);
    const back = await api(app.base, 'POST', '/models/rollback', { reason: 'playlists look wrong' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ version: v1, replaced: v3, decision: 'rolled_back' });
    expect((await api(app.base, 'GET', '/models')).body.production).toBe(v1);
    expect((await served_()).production?.version).toBe(v1);
    const v3doc = (await api(app.base, 'GET', `/models/${v3}`)).body;
    expect(v3doc).toMatchObject({ status: 'retired', decision: 'rolled_back', reason: 'playlists look wrong' });
    expect(v3doc.history.at(-1)).toMatchObject({ by: 'api', decision: 'rolled_back' });
    // The first production version has nothing before it.
    const again = await api(app.base, 'POST', '/models/rollback', { reason: 'further' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/no previous production version/);
  });

  it('answers 401 without the admin token, 404 for an unknown version, 409 for a version without a model, 400 for bad paging', async () => {
    expect((await fetch(`${app.base}/models`)).status).toBe(401);
    expect((await api(app.base, 'GET', '/models/v-none')).status).toBe(404);
    const rejected = (await api(app.base, 'GET', '/models?status=rejected')).body.items[0];
    expect((await api(app.base, 'POST', `/models/${rejected.version}/promote`, {})).status).toBe(409);
    const bad = await api(app.base, 'GET', '/training/runs?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/limit/);
  });

  it('keeps an inconclusive canary and reviews it daily, then decides at CANARY_MAX_DAYS as CANARY_INCONCLUSIVE says', async () => {
    await addDays(db.db, data, 4);
    const out = await train();
    expect(out.decision).toBe('canary');
    const v = out.version!;
    const queue = app.app.get(JobQueue).queue(QueueName.Training);
    // 50% against 55% of 120 users: the interval (about -23 to +13 points) straddles -5.
    await playlistsAndListens(v, { canary: 0.5, production: 0.55 });
    const first = await rollout().reviewCanary(v);
    expect(first).toMatchObject({
      decision: 'waiting',
      recommendationJobId: null,
      outcome: { decision: 'wait', verdict: 'inconclusive', look: 1 },
    });
    expect(first.reason).toMatch(
      /^waiting: inconclusive, next-day hit rate canary 50.0% of 120 users, production 55.0% of 120 users; difference -5.0 points, 98.33% interval \[-\d+\.\d, \+\d+\.\d\] \(95% over 3 looks\), margin -5.0 points; look 1 of 3$/,
    );
    let doc = (await api(app.base, 'GET', `/models/${v}`)).body;
    expect(doc).toMatchObject({ status: 'canary', decision: 'canary_waiting', canary: { review_job_id: `canary-review-${v}-look-2` } });
    expect(doc.canary.reviews.map((r: { look: number; days: number; decision: string }) => [r.look, r.days, r.decision])).toEqual([
      [1, 2, 'wait'],
    ]);
    const next = await queue.getJob(`canary-review-${v}-look-2`);
    expect(await next?.getState()).toBe('delayed');
    expect(next!.opts.delay).toBe(DAY);
    expect(next!.data).toMatchObject({ version: v });

    expect((await rollout().reviewCanary(v)).decision).toBe('waiting');
    const last = await rollout().reviewCanary(v);
    expect(last).toMatchObject({ decision: 'promoted', outcome: { decision: 'promote', verdict: 'inconclusive', look: 3 } });
    expect(last.reason).toMatch(
      /^canary promoted at the last look: not shown worse by more than the margin, the offline gate stands \(inconclusive; CANARY_INCONCLUSIVE=promote\)/,
    );
    doc = (await api(app.base, 'GET', `/models/${v}`)).body;
    expect(doc.status).toBe('production');
    expect(doc.canary.reviews.map((r: { look: number; days: number; decision: string }) => [r.look, r.days, r.decision])).toEqual([
      [1, 2, 'wait'],
      [2, 3, 'wait'],
      [3, 4, 'promote'],
    ]);
    expect(doc.history.map((h: { decision: string }) => h.decision)).toEqual([
      'candidate',
      'refit',
      'canary',
      'canary_waiting',
      'canary_waiting',
      'canary_passed',
      'promoted',
    ]);
  });
});
