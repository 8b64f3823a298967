import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { CatalogueReader } from '../../../src/recommendations/catalogue-reader.js';
import { startRecApp, type RecApp } from './support.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

// Issue 11 (medium): unknown user ids were not cached and each scanned the users collection on
// FerretDB (0.3-0.5 s against 1-5 ms): a public, unthrottled amplifier.
describe('unknown user ids', () => {
  let rec: RecApp;
  let other: NestFastifyApplication | undefined;
  const API_ONLY = ROLE_PRESETS.api;

  beforeAll(async () => {
    rec = await startRecApp('rec_unknown', { RECOMMENDATION_LOCAL_CACHE_TTL: '0' }, API_ONLY);
    await rec.db.collection('users').insertOne({ _id: 5 as never, favorite_genres: ['Rock'] });
  });
  afterAll(async () => {
    await other?.close();
    await rec?.close();
  });

  it('read the store once, then are answered 404 from the mark, in this process and in another', async () => {
    const reader = rec.app.get(CatalogueReader);
    const reads = vi.spyOn(reader, 'favouriteGenres');
    for (let i = 0; i < 5; i++) {
      expect((await rec.get('/users/424242/recommendations')).status).toBe(404);
      expect((await rec.get('/users/424242/playlists')).status).toBe(404);
    }
    expect(reads.mock.calls.filter(([u]) => u === 424242)).toHaveLength(1);
    expect(await rec.redis.ttl(`${rec.settings.REDIS_PREFIX}:rec:unknown:424242`)).toBeGreaterThan(500);

    other = (await createPipelineApp(rec.settings, API_ONLY, createLogger('warn'))) as NestFastifyApplication;
    await other.init();
    await other.getHttpAdapter().getInstance().ready();
    const otherReads = vi.spyOn(other.get(CatalogueReader), 'favouriteGenres');
    const res = await other.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/users/424242/recommendations' });
    expect(res.statusCode).toBe(404);
    expect(otherReads).not.toHaveBeenCalled();
  });

  it('do not mark a known user', async () => {
    const r = await rec.get('/users/5/recommendations');
    expect(r.status).toBe(404);
    expect(r.body.message).toMatch(/no recommendation run has completed/);
    expect(await rec.redis.exists(`${rec.settings.REDIS_PREFIX}:rec:unknown:5`)).toBe(0);
  });
});
