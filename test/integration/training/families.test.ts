import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { RolloutService } from '../../../src/training/pipeline/rollout.service.js';
import { RegistryProductionModels } from '../../../src/training/serving/registry-production-models.js';
import { TrainingService } from '../../../src/training/training.service.js';
import { testSettings } from '../../support/settings.js';
import { addDays, api, openDb, seedTaste, startPipeline, type RunningApp, type TasteData } from './support.js';

/**
 * A family beside ALS through the whole registry life on real MongoDB and Redis: the search picks
 * it on a planted data set where it wins (an ALS of two factors cannot hold eight genres' worth of
 * co-listening; item-to-item models can), the gate passes it, the canary review promotes it,
 * serving uses it, and a rollback by API returns to the ALS model it replaced.
 */
describe('retraining with several model families', () => {
  let settings: Settings;
  let app: RunningApp;
  let db: Awaited<ReturnType<typeof openDb>>;
  let data: TasteData;
  let alsVersion: string;
  let itemVersion: string;

  const train = (a: RunningApp = app) => a.app.get(TrainingService).train({ runDate: '2026-01-15', trigger: 'api', jobId: null });
  const served = () => app.app.get(RegistryProductionModels).current();

  beforeAll(async () => {
    settings = testSettings('training-families', {
      CANARY_DAYS: '2',
      CANARY_PERCENT: '50',
      CANARY_MAX_DAYS: '4',
      CANARY_CONFIDENCE: '0.95',
      CANARY_NON_INFERIORITY_MARGIN: '0.05',
      CANARY_MIN_USERS: '100',
      TUNING_TRIALS: '2',
      ALS_FACTORS: '2',
      ALS_ITERATIONS: '6',
      ALS_THREADS: '1',
      MODEL_FAMILIES: 'als,ease,rp3beta',
      MODEL_SEARCH_SECONDS: '60',
      VALIDATION_DAYS: '4',
      // The first model here is ALS, put in production by hand; the family candidate is held to it.
      GATE_NDCG_TOLERANCE: '0.02',
    });
    db = await openDb(settings);
    data = await seedTaste(db.db, { users: 240, tracks: 160, days: 14, seed: 3 });
    app = await startPipeline(settings, 'api');
  });

  afterAll(async () => {
    await app?.close();
    await db?.dropAndClose();
  });

  it('an ALS model first (only ALS allowed), promoted by API', async () => {
    const alsOnly = await startPipeline(
      { ...settings, MODEL_FAMILIES: ['als'], ALS_FACTORS: 16, TUNING_TRIALS: 0, GATE_NDCG_TOLERANCE: 1 },
      'api',
    );
    try {
      const out = await train(alsOnly);
      expect(out.decision).toBe('canary');
      alsVersion = out.version!;
    } finally {
      await alsOnly.close();
    }
    const promoted = await api(app.base, 'POST', `/models/${alsVersion}/promote`, { reason: 'first model' });
    expect(promoted.status).toBe(200);
    expect((await api(app.base, 'GET', `/models/${alsVersion}`)).body).toMatchObject({ status: 'production', family: 'als' });
  });

  it('the search chooses an item-to-item family, records every trial, and the gate holds it to production', async () => {
    await addDays(db.db, data, 4);
    const out = await train();
    expect(out.decision, out.reason).toBe('canary');
    itemVersion = out.version!;
    const v = (await api(app.base, 'GET', `/models/${itemVersion}`)).body;
    expect(['ease', 'rp3beta']).toContain(v.family);
    expect(v.settings).toMatchObject({ countScale: expect.any(Number), weighting: expect.stringMatching(/^(binary|log)$/) });
    expect(v.baselines).toMatchObject({ production_version: alsVersion, production_kind: 'model' });
    expect(v.metrics.ndcg).toBeGreaterThanOrEqual(v.baselines.production.ndcg * 0.98);
    const run = (await api(app.base, 'GET', '/training/runs?limit=1')).body.items[0];
    expect(run.settings.family).toBe(v.family);
    const families = new Set(run.tuning.trials.map((t: { family: string }) => t.family));
    expect(families).toEqual(new Set(['als', 'ease', 'rp3beta']));
    expect(run.tuning.chosen.family).toBe(v.family);
    expect(run.tuning.trials.every((t: { ndcg: number; seconds: number }) => t.ndcg >= 0 && t.seconds >= 0)).toBe(true);
    expect(run.gate.passed).toBe(true);
  });

  it('the canary serves the family, and its review promotes it', async () => {
    const current = await served();
    expect(current).toMatchObject({ production: { version: alsVersion }, canary: { version: itemVersion } });
    const user = data.users[0];
    const heard = (await db.db.collection('listen_events').find({ user_id: user }).toArray()).map((e) => e.track_id as number);
    const recs = await current.canary!.recommend(user, heard, 10, new Set([1, 2]));
    expect(recs).toHaveLength(10);
    expect(recs.filter((r) => heard.includes(r.trackId) || r.trackId <= 2)).toEqual([]);

    // Next-day listens: both groups hit their playlists.
    const now = new Date();
    const playlists = data.users.map((u) => ({
      _id: `p-${u}`,
      user_id: u,
      track_ids: [data.tracks[u % data.tracks.length]],
      model_version: u % 2 === 0 ? itemVersion : alsVersion,
      variant: u % 2 === 0 ? 'canary' : 'production',
      created_at: now,
    }));
    const events = data.users.map((u) => ({
      _id: `${u}:9:0`,
      user_id: u,
      track_id: data.tracks[u % data.tracks.length],
      listened_at: new Date(now.getTime() + 3600_000),
      position: 0,
      generation: 9,
      run_id: 'next-day',
    }));
    await db.db.collection('playlists').insertMany(playlists as never[]);
    await db.db.collection('listen_events').insertMany(events as never[]);
    const review = await app.app.get(RolloutService).reviewCanary(itemVersion);
    expect(review.decision).toBe('promoted');
    expect((await served()).production?.version).toBe(itemVersion);
    expect((await api(app.base, 'GET', `/models/${alsVersion}`)).body).toMatchObject({ status: 'retired' });
  });

  it('rolls back by API to the ALS model, which serves again', async () => {
    const back = await api(app.base, 'POST', '/models/rollback', { reason: 'compare by hand' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ version: alsVersion, replaced: itemVersion, decision: 'rolled_back' });
    const current = await served();
    expect(current.production?.version).toBe(alsVersion);
    const recs = await current.production!.recommend(data.users[1], [], 10, new Set());
    // ALS serves a user from their own row when the history is empty; the list is made.
    expect(recs.length).toBe(10);
  });
});
