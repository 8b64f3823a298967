import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COLLECTIONS } from '../../../src/catalog/catalog.schemas.js';
import { ProductionModels } from '../../../src/recommendations/production-models.js';
import { RECOMMENDATION_COLLECTIONS, type PlaylistDoc } from '../../../src/recommendations/recommendation.schemas.js';
import { RunContexts } from '../../../src/recommendations/run-contexts.js';
import { GENRES } from '../../../src/catalog/vocabulary.js';
import { syntheticCatalogue, type SyntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { descendingIdModel, flushCache, metricValue, startRecApp, type RecApp } from './support.js';

const SIZE = 30;
const CAP = 3;

describe('daily playlists on the real store and Redis', () => {
  let rec: RecApp;
  let data: SyntheticCatalogue;
  const trackOf = new Map<number, { artist: string; genres: string[] }>();
  const playlistsOf = async (userId?: number) =>
    (await rec.db
      .collection<PlaylistDoc>(RECOMMENDATION_COLLECTIONS.playlists)
      .find(userId === undefined ? {} : { user_id: userId })
      .toArray()) as PlaylistDoc[];

  beforeAll(async () => {
    rec = await startRecApp('rec_playlists', {
      RECOMMENDATION_LOCAL_CACHE_TTL: '0',
      PLAYLIST_SIZE: String(SIZE),
      MAX_TRACKS_PER_ARTIST: String(CAP),
    });
    data = syntheticCatalogue({ users: 150, tracks: 400, listensPerUser: 12, seed: 5, newUserShare: 0.05 });
    for (const t of data.tracks) trackOf.set(t._id, { artist: t.artist!, genres: t.genres! });
    await rec.seed(data);
  });
  afterAll(() => rec.close());

  it('gives every user a playlist of PLAYLIST_SIZE tracks, none heard, at most MAX_TRACKS_PER_ARTIST per artist', async () => {
    const loadsBefore = rec.app.get(RunContexts).loads;
    const run = await rec.runAndWait();
    expect(run).toMatchObject({
      status: 'succeeded',
      users_total: 150,
      users_computed: 150,
      users_failed: 0,
      reasons: { new: 150 },
      batches: 3,
    });
    // One load of the catalogue, users and histories for the whole run, not one per batch.
    expect(rec.app.get(RunContexts).loads - loadsBefore).toBe(1);
    const playlists = await playlistsOf();
    expect(playlists).toHaveLength(150);
    for (const h of data.histories) {
      const p = playlists.find((x) => x.user_id === h._id)!;
      expect(p.track_ids).toHaveLength(SIZE);
      expect(p.track_ids.filter((t) => h.items.includes(t))).toEqual([]);
      const perArtist = new Map<string, number>();
      for (const t of p.track_ids) perArtist.set(trackOf.get(t)!.artist, (perArtist.get(trackOf.get(t)!.artist) ?? 0) + 1);
      expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(CAP);
      expect(p).toMatchObject({ playlist_id: p._id, is_generated: true, variant: 'default', model_version: null });
      expect(p.scores).toHaveLength(SIZE);
    }
  });

  it('answers from Redis, with the tracks detailed', async () => {
    const hits = await metricValue(rec, 'moovitamix_recommendation_cache_requests_total', { result: 'hit' });
    const user = data.users[3]!._id;
    const r = await rec.get(`/users/${user}/recommendations?limit=10`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-recommendation-source')).toBe('cache');
    expect(r.body).toMatchObject({
      user_id: user,
      playlist_id: expect.stringMatching(new RegExp(`^${user}-`)),
      model_version: null,
      variant: 'default',
      recommender: 'hybrid',
    });
    expect(r.body.tracks).toHaveLength(10);
    expect(r.body.tracks[0]).toEqual({
      track_id: expect.any(Number),
      name: expect.any(String),
      artist: expect.any(String),
      genres: expect.any(Array),
      score: expect.any(Number),
    });
    expect((await rec.get(`/users/${user}/recommendations`)).body.tracks).toHaveLength(SIZE);
    expect(await metricValue(rec, 'moovitamix_recommendation_cache_requests_total', { result: 'hit' })).toBe(hits + 2);
  });

  it('after Redis is flushed answers from MongoDB, and the next call is a cache hit again', async () => {
    const user = data.users[4]!._id;
    const before = (await rec.get(`/users/${user}/recommendations`)).body;
    expect(await flushCache(rec)).toBeGreaterThan(150);
    const misses = await metricValue(rec, 'moovitamix_recommendation_cache_requests_total', { result: 'miss_store' });
    const fromStore = await rec.get(`/users/${user}/recommendations`);
    expect(fromStore.headers.get('x-recommendation-source')).toBe('store');
    expect(fromStore.body).toEqual(before);
    expect(await metricValue(rec, 'moovitamix_recommendation_cache_requests_total', { result: 'miss_store' })).toBe(misses + 1);
    const again = await rec.get(`/users/${user}/recommendations`);
    expect(again.headers.get('x-recommendation-source')).toBe('cache');
    expect(again.body).toEqual(before);
  });

  it('recomputes nobody on a second run with no new data', async () => {
    const count = (await playlistsOf()).length;
    const run = await rec.runAndWait();
    expect(run).toMatchObject({
      status: 'succeeded',
      users_selected: 0,
      users_computed: 0,
      users_skipped: 150,
      batches: 0,
      reasons: {},
      coverage_ratio: 1,
    });
    expect(await playlistsOf()).toHaveLength(count);
  });

  it('recomputes a user with new listens, and only that user', async () => {
    const h = data.histories.find((x) => x.items.length > 3)!;
    const newTracks = (await playlistsOf(h._id))[0]!.track_ids.slice(0, 2);
    await rec.db.collection(COLLECTIONS.listenHistory).updateOne({ _id: h._id } as never, { $set: { items: [...h.items, ...newTracks] } });
    const run = await rec.runAndWait();
    expect(run).toMatchObject({ users_selected: 1, users_computed: 1, reasons: { new_listens: 1 } });
    const latest = (await playlistsOf(h._id)).sort((a, b) => b.created_at.getTime() - a.created_at.getTime())[0]!;
    expect(latest.track_ids.filter((t) => newTracks.includes(t))).toEqual([]);
    expect((await rec.get(`/users/${h._id}/recommendations`)).body.playlist_id).toBe(latest.playlist_id);
  });

  it('serves a new user the cold-start list of their favourite genre, then computes a playlist in that genre', async () => {
    const counts = new Map<string, number>();
    for (const t of data.tracks) counts.set(t.genres![0]!, (counts.get(t.genres![0]!) ?? 0) + 1);
    const genre = GENRES.find((g) => (counts.get(g) ?? 0) >= 3 * SIZE)!;
    expect(genre).toBeDefined();
    const id = 2_000_001;
    await rec.db.collection(COLLECTIONS.users).insertOne({
      _id: id,
      first_name: 'New',
      last_name: 'Listener',
      favorite_genres: [genre],
      account_status: null,
      created_at: new Date(),
    } as never);
    await rec.db.collection(COLLECTIONS.listenHistory).insertOne({ _id: id, items: [], generation: 0 } as never);
    const cold = await rec.get(`/users/${id}/recommendations`);
    expect(cold.status).toBe(200);
    expect(cold.headers.get('x-recommendation-source')).toBe('cold_start');
    expect(cold.body).toMatchObject({ user_id: id, playlist_id: null, variant: 'cold_start' });
    expect(cold.body.tracks.every((t: { genres: string[] }) => t.genres.includes(genre))).toBe(true);

    const run = await rec.runAndWait();
    expect(run.reasons).toEqual({ new: 1 });
    const p = (await playlistsOf(id))[0]!;
    expect(p.track_ids).toHaveLength(SIZE);
    expect(p.track_ids.every((t) => trackOf.get(t)!.genres.includes(genre))).toBe(true);
    expect((await rec.get(`/users/${id}/recommendations`)).headers.get('x-recommendation-source')).toBe('cache');
  });

  it('recomputes playlists older than RECOMMENDATION_MAX_AGE', async () => {
    await rec.db
      .collection(RECOMMENDATION_COLLECTIONS.userStates)
      .updateMany({}, { $set: { computed_at: new Date(Date.now() - 8 * 86_400_000) } });
    const run = await rec.runAndWait();
    expect(run).toMatchObject({ users_selected: 151, reasons: { stale: 151 } });
  });

  it('recomputes everyone with the production model when it changes, and says which model served', async () => {
    const models = rec.app.get(ProductionModels);
    vi.spyOn(models, 'current').mockResolvedValue({
      production: descendingIdModel(
        'als-test-1',
        data.tracks.map((t) => t._id),
      ),
      canaryPercent: 0,
    });
    const run = await rec.runAndWait();
    expect(run).toMatchObject({
      status: 'succeeded',
      model_version: 'als-test-1',
      users_computed: 151,
      reasons: { model_changed: 151 },
      variants: { production: 151 },
    });
    const user = data.users[0]!._id;
    const r = await rec.get(`/users/${user}/recommendations`);
    expect(r.body).toMatchObject({ model_version: 'als-test-1', variant: 'production', recommender: 'model' });
    expect(r.body.tracks[0].track_id).toBe(
      Math.max(...data.tracks.map((t) => t._id).filter((t) => !data.histories.find((h) => h._id === user)!.items.includes(t))),
    );
    expect((await rec.runAndWait()).users_selected).toBe(0);
  });
});
