import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchHook, type BatchAttempt } from '../../../src/recommendations/batch-hook.js';
import { RECOMMENDATION_COLLECTIONS, type PlaylistDoc } from '../../../src/recommendations/recommendation.schemas.js';
import { syntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { metricValue, startRecApp, type RecApp } from './support.js';

const EXPERIMENTS = JSON.stringify([
  {
    name: 'ranker',
    variants: [
      { name: 'hybrid', weight: 3, recommender: 'hybrid' },
      { name: 'popular', weight: 1, recommender: 'popularity' },
    ],
  },
]);

describe('A/B variants and batch retries', () => {
  let rec: RecApp;
  const attempts: BatchAttempt[] = [];

  beforeAll(async () => {
    rec = await startRecApp('rec_ab_retry', { EXPERIMENTS, RECOMMENDATION_BATCH_SIZE: '200' });
    await rec.seed(syntheticCatalogue({ users: 1000, tracks: 300, listensPerUser: 8, seed: 9 }));
    // The fault hook, reached through DI: batch 1 throws on its first attempt only.
    const hook = rec.app.get(BatchHook);
    hook.beforeBatch = (a) => {
      attempts.push(a);
      if (a.batch === 1 && a.attempt === 1) throw new Error('injected fault in batch 1');
    };
  });
  afterAll(() => rec.close());

  it('retries a batch that throws, and the run still completes with every user', async () => {
    const run = await rec.runAndWait();
    expect(run).toMatchObject({ status: 'succeeded', users_computed: 1000, users_failed: 0, batches: 5 });
    expect(attempts.filter((a) => a.batch === 1).map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts.filter((a) => a.batch !== 1).every((a) => a.attempt === 1)).toBe(true);
    expect(await rec.db.collection(RECOMMENDATION_COLLECTIONS.playlists).countDocuments({})).toBe(1000);
  });

  it('splits users between variants in proportion to their weights, stores the variant and returns it', async () => {
    const playlists = (await rec.db.collection<PlaylistDoc>(RECOMMENDATION_COLLECTIONS.playlists).find({}).toArray()) as PlaylistDoc[];
    const share = playlists.filter((p) => p.variant === 'ranker:hybrid').length / playlists.length;
    expect(Math.abs(share - 0.75)).toBeLessThan(0.05);
    expect(
      playlists.filter((p) => p.variant === 'ranker:popular').length + playlists.filter((p) => p.variant === 'ranker:hybrid').length,
    ).toBe(1000);
    for (const p of playlists.slice(0, 50)) {
      expect(p.experiment).toBe('ranker');
      expect(p.recommender).toBe(p.variant === 'ranker:popular' ? 'popularity' : 'hybrid');
    }
    const popular = playlists.find((p) => p.variant === 'ranker:popular')!;
    const r = await rec.get(`/users/${popular.user_id}/recommendations`);
    expect(r.body).toMatchObject({ variant: 'ranker:popular', experiment: 'ranker', recommender: 'popularity' });
  });

  it('labels the metrics with the variant', async () => {
    const computed = await metricValue(rec, 'moovitamix_recommendation_users_total', { outcome: 'computed', variant: 'ranker:popular' });
    expect(computed).toBeGreaterThan(150);
    expect(await metricValue(rec, 'moovitamix_recommendation_served_total', { variant: 'ranker:popular' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(rec, 'moovitamix_recommendation_run_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metricValue(rec, 'moovitamix_recommendation_coverage_ratio')).toBe(1);
  });
});
