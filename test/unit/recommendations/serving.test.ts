import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { CatalogueReader } from '../../../src/recommendations/catalogue-reader.js';
import { coldStartTemplate, type TrackDetails } from '../../../src/recommendations/playlist-views.js';
import type { PlaylistRepository } from '../../../src/recommendations/playlist.repository.js';
import type { RecentRuns } from '../../../src/recommendations/recent-runs.js';
import type { RecommendationCache } from '../../../src/recommendations/recommendation-cache.js';
import { RecommendationServing } from '../../../src/recommendations/recommendation-serving.service.js';
import type { ColdStartDoc, PlaylistDoc } from '../../../src/recommendations/recommendation.schemas.js';

const playlist: PlaylistDoc = {
  _id: '7-20261126',
  playlist_id: '7-20261126',
  user_id: 7,
  track_ids: [1, 2],
  scores: [0.9, 0.8],
  playlist_name: 'Daily mix 2026-11-26',
  is_generated: true,
  model_version: null,
  recommender: 'hybrid',
  variant: 'default',
  experiment: null,
  run_id: 'r',
  run_key: '20261126',
  run_date: '2026-11-26',
  created_at: new Date(0),
  updated_at: new Date(0),
};
const cold: ColdStartDoc = {
  _id: '20261126:Rock',
  run_key: '20261126',
  genre: 'Rock',
  track_ids: [5],
  scores: [0.5],
  created_at: new Date(0),
};
const track = (id: number): TrackDetails => ({ track_id: id, name: `t${id}`, artist: 'a', genres: ['Rock'] });

function setup(o: { localTtl?: string; redis?: Map<string, string> } = {}) {
  const config = loadConfig({
    ADMIN_TOKEN: 'x'.repeat(20),
    RECOMMENDATION_LOCAL_CACHE_TTL: o.localTtl ?? '0',
    SERVING_TIMEOUT_MS: '100',
  }) as unknown as AppConfig;
  const redis = o.redis ?? new Map<string, string>();
  const cache = {
    isUnknownUser: vi.fn(async (u: number) => redis.has(`unknown${u}`)),
    rememberUnknownUser: vi.fn(async (u: number) => void redis.set(`unknown${u}`, '1')),
    getUser: vi.fn(async (u: number) => redis.get(`u${u}`) ?? null),
    setUsers: vi.fn(async (e: Array<{ userId: number; json: string }>) => e.forEach((x) => redis.set(`u${x.userId}`, x.json))),
    getColdStart: vi.fn(async (g: string | null) => redis.get(`c${g}`) ?? null),
    setColdStart: vi.fn(async (l: Array<{ genre: string | null; json: string }>) => l.forEach((x) => redis.set(`c${x.genre}`, x.json))),
    getTracks: vi.fn(async () => new Map([[1, track(1)]])),
    setTracks: vi.fn(async () => undefined),
  } as unknown as RecommendationCache;
  const playlists = {
    latestPlaylist: vi.fn(async (u: number) => (u === 7 ? playlist : null)),
    latestColdStart: vi.fn(async (g: string) => (g === 'Rock' ? cold : null)),
    userPlaylists: vi.fn(async () => []),
    findPlaylist: vi.fn(async () => null),
  } as unknown as PlaylistRepository;
  const reader = {
    favouriteGenres: vi.fn(async (u: number) => (u === 8 ? ['Rock'] : u === 9 ? ['Polka'] : null)),
    trackDetails: vi.fn(async (ids: number[]) => new Map(ids.map((id) => [id, track(id)]))),
  } as unknown as CatalogueReader;
  const recent = { keys: vi.fn(async () => ['20261126']) } as unknown as RecentRuns;
  const metrics = new PipelineMetrics();
  const serving = new RecommendationServing(config, cache, playlists, recent, reader, metrics);
  const counts = async () => Object.fromEntries(metrics.recommendationCacheRequests.get().values.map((v) => [v.labels.result, v.value]));
  return { serving, redis, cache, reader, playlists, metrics, counts, recent };
}

describe('the serving fallback chain', () => {
  it('answers from MongoDB on a miss, warms the cache again, then answers from the cache', async () => {
    const t = setup();
    const before = await t.counts();
    const first = await t.serving.recommendations(7, 30);
    expect(first.source).toBe('store');
    expect(JSON.parse(first.json)).toMatchObject({
      user_id: 7,
      playlist_id: '7-20261126',
      tracks: [
        { track_id: 1, name: 't1' },
        { track_id: 2, name: 't2' },
      ],
    });
    expect(t.reader.trackDetails).toHaveBeenCalledWith([2]);
    const second = await t.serving.recommendations(7, 1);
    expect(second.source).toBe('cache');
    expect(JSON.parse(second.json).tracks).toHaveLength(1);
    const after = await t.counts();
    expect((after.miss_store ?? 0) - (before.miss_store ?? 0)).toBe(1);
    expect((after.hit ?? 0) - (before.hit ?? 0)).toBe(1);
  });

  it('answers a user without a playlist with the cold-start list of their favourite genre, or the popular list', async () => {
    const t = setup();
    const served = await t.serving.recommendations(8, 30);
    expect(served.source).toBe('cold_start');
    expect(JSON.parse(served.json)).toMatchObject({ user_id: 8, playlist_id: null, variant: 'cold_start', tracks: [{ track_id: 5 }] });
    t.redis.set('cnull', coldStartTemplate({ ...cold, track_ids: [9] }, track));
    expect(JSON.parse((await t.serving.recommendations(9, 30)).json)).toMatchObject({ user_id: 9, tracks: [{ track_id: 9 }] });
  });

  it('answers 404 for an unknown user, never running anything', async () => {
    const t = setup();
    await expect(t.serving.recommendations(404, 30)).rejects.toBeInstanceOf(NotFoundException);
    await expect(t.serving.userPlaylists(404, 1, 20)).rejects.toThrow('user 404 does not exist');
    await expect(t.serving.playlist('1-x')).rejects.toThrow('playlist 1-x does not exist');
  });

  it('keeps answers in the near cache for RECOMMENDATION_LOCAL_CACHE_TTL', async () => {
    const t = setup({ localTtl: '60s' });
    await t.serving.recommendations(7, 30);
    t.redis.clear();
    expect(t.serving.fromNearCache(7, 30)?.source).toBe('cache');
    expect((await t.serving.recommendations(7, 30)).source).toBe('cache');
    expect(t.cache.getUser).toHaveBeenCalledTimes(1);
    expect(t.serving.fromNearCache(8, 30)).toBeUndefined();
  });

  it('remembers an unknown user, in this process and in Redis, so that asking again reads no store', async () => {
    const t = setup();
    await expect(t.serving.recommendations(404, 30)).rejects.toThrow('user 404 does not exist');
    expect(t.reader.favouriteGenres).toHaveBeenCalledTimes(1);
    await expect(t.serving.recommendations(404, 30)).rejects.toThrow('user 404 does not exist');
    await expect(t.serving.userPlaylists(404, 1, 20)).rejects.toThrow('user 404 does not exist');
    expect(t.reader.favouriteGenres).toHaveBeenCalledTimes(1);
    expect(t.redis.get('unknown404')).toBe('1');
    // Another API process sharing the Redis.
    const other = setup({ redis: t.redis });
    await expect(other.serving.recommendations(404, 30)).rejects.toThrow('user 404 does not exist');
    expect(other.reader.favouriteGenres).not.toHaveBeenCalled();
    // A user given a playlist since is answered from the cache before the mark is looked at.
    t.redis.set('u404', JSON.stringify({ user_id: 404, variant: 'default', tracks: [] }));
    expect((await t.serving.recommendations(404, 30)).source).toBe('cache');
  });

  it('serves from MongoDB when Redis fails or stalls, and answers 503 when MongoDB stalls', async () => {
    const t = setup();
    const never = () => new Promise<never>(() => undefined);
    vi.mocked(t.cache.getUser).mockImplementation(never);
    vi.mocked(t.cache.getTracks).mockRejectedValue(new Error('Command timed out'));
    vi.mocked(t.cache.setUsers).mockImplementation(never);
    const t0 = Date.now();
    const served = await t.serving.recommendations(7, 30);
    expect(served.source).toBe('store');
    expect(JSON.parse(served.json).tracks).toHaveLength(2);
    expect(Date.now() - t0).toBeLessThan(1000);
    vi.mocked(t.playlists.latestPlaylist).mockImplementation(never);
    vi.mocked(t.playlists.findPlaylist).mockImplementation(never);
    await expect(t.serving.recommendations(7, 30)).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(t.serving.playlist('7-20261126')).rejects.toBeInstanceOf(ServiceUnavailableException);
  });
});
