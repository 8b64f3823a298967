import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { TEST_ADMIN_TOKEN, testId } from '../../support/settings.js';
import { StallProxy } from '../../support/stall-proxy.js';
import { startRecApp, type RecApp } from './support.js';

// Issue 11 (medium): with Redis and MongoDB behind a stalled network, GET /users/:id/recommendations
// hung for more than 110 s and /playlists/:id answered 500 after 30 s.
describe('serving while Redis and MongoDB stall', () => {
  let rec: RecApp;
  let redisProxy: StallProxy;
  let mongoProxy: StallProxy;
  let user: number;
  let playlistId: string;

  beforeAll(async () => {
    const mongo = new URL((process.env.TEST_MONGODB_URL ?? 'mongodb://127.0.0.1:27017').replace(/^mongodb:/, 'http:'));
    const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    mongoProxy = await new StallProxy(mongo.hostname, Number(mongo.port || 27017)).start();
    redisProxy = await new StallProxy(redis.hostname, Number(redis.port || 6379)).start();
    rec = await startRecApp('rec_stall', {
      MONGODB_URI: `mongodb://127.0.0.1:${mongoProxy.port}/t_${testId('rec_stall')}`,
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
      RECOMMENDATION_LOCAL_CACHE_TTL: '0',
      SERVING_TIMEOUT_MS: '300',
      REDIS_COMMAND_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '4000',
    });
    await rec.seed(syntheticCatalogue({ users: 30, tracks: 120, listensPerUser: 6, seed: 5 }));
    await rec.runAndWait({ runDate: '2026-11-26' });
    const p = await rec.db.collection('playlists').findOne({ is_generated: true });
    user = p!.user_id as number;
    playlistId = p!.playlist_id as string;
  }, 120_000);
  afterAll(async () => {
    redisProxy?.resume();
    mongoProxy?.resume();
    await rec?.close();
    await redisProxy?.stop();
    await mongoProxy?.stop();
  });

  const timed = async (path: string) => {
    const t0 = Date.now();
    const r = await rec.get(path);
    return { ...r, ms: Date.now() - t0 };
  };

  it('answers from the cache while nothing stalls', async () => {
    const r = await timed(`/users/${user}/recommendations`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-recommendation-source')).toBe('cache');
  });

  it('answers from MongoDB, degraded, when Redis stalls', async () => {
    redisProxy.stall();
    const r = await timed(`/users/${user}/recommendations`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-recommendation-source')).toBe('store');
    expect(r.body).toMatchObject({ user_id: user, playlist_id: playlistId });
    expect(r.ms).toBeLessThan(3000);
    const p = await timed(`/playlists/${playlistId}`);
    expect(p.status).toBe(200);
    expect(p.body.tracks.length).toBeGreaterThan(0);
    expect(p.ms).toBeLessThan(3000);
  });

  it('answers 503 within its deadlines, not a hang or a 500, when MongoDB stalls too', async () => {
    mongoProxy.stall();
    for (const path of [`/users/${user}/recommendations`, `/playlists/${playlistId}`, `/users/${user}/playlists`]) {
      const r = await timed(path);
      expect(r.status, path).toBe(503);
      expect(r.ms, path).toBeLessThan(4500);
    }
  });

  it('answers 503 at HTTP_REQUEST_TIMEOUT_MS on a route without deadlines of its own', async () => {
    const t0 = Date.now();
    const r = await fetch(`${rec.base}/ingestion/runs`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('4');
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(3900);
    expect(ms).toBeLessThan(6000);
  });

  it('serves from the cache again once the network is back', async () => {
    redisProxy.resume();
    mongoProxy.resume();
    const r = await timed(`/users/${user}/recommendations`);
    expect(r.status).toBe(200);
  });
});
