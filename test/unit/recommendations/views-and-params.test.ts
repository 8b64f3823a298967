import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalAnswerCache } from '../../../src/recommendations/local-cache.js';
import {
  coldStartTemplate,
  fillColdStartTemplate,
  limitRendered,
  recommendationsView,
  variantOfRendered,
} from '../../../src/recommendations/playlist-views.js';
import type { PlaylistDoc } from '../../../src/recommendations/recommendation.schemas.js';
import { RequestValidationPipe, userIdParam, validateParameter } from '../../../src/common/request-validation.js';
import { playlistIdParam, recommendationsLimitParam } from '../../../src/recommendations/request-params.js';
import { batchJobId, finalizeJobId, runKeyOf } from '../../../src/recommendations/run-keys.js';

const doc: PlaylistDoc = {
  _id: '7-20261126',
  playlist_id: '7-20261126',
  user_id: 7,
  track_ids: [3, 1, 2],
  scores: [0.9, 0.8, 0.7],
  playlist_name: 'Daily mix 2026-11-26',
  is_generated: true,
  model_version: null,
  recommender: 'hybrid',
  variant: 'exp:a "quoted"',
  experiment: 'exp',
  run_id: 'recommendations-2026-11-26',
  run_key: '20261126',
  run_date: '2026-11-26',
  created_at: new Date('2026-11-26T05:00:00Z'),
  updated_at: new Date('2026-11-26T05:00:00Z'),
};
const details = (id: number) => (id === 2 ? undefined : { track_id: id, name: `t${id}`, artist: `a${id}`, genres: ['Rock'] });

describe('answers', () => {
  it('renders the tracks with name, artist, genres and score; a track gone from the catalogue by id only', () => {
    const v = recommendationsView(doc, details);
    expect(v).toMatchObject({
      user_id: 7,
      playlist_id: '7-20261126',
      generated_at: '2026-11-26T05:00:00.000Z',
      model_version: null,
      variant: 'exp:a "quoted"',
    });
    expect(v.tracks).toEqual([
      { track_id: 3, name: 't3', artist: 'a3', genres: ['Rock'], score: 0.9 },
      { track_id: 1, name: 't1', artist: 'a1', genres: ['Rock'], score: 0.8 },
      { track_id: 2, name: null, artist: null, genres: [], score: 0.7 },
    ]);
  });

  it('cuts a pre-rendered answer to the limit, and reads its variant without parsing it', () => {
    const json = JSON.stringify(recommendationsView(doc, details));
    expect(limitRendered(json, 30, 30)).toBe(json);
    expect(JSON.parse(limitRendered(json, 2, 30)).tracks.map((t: { track_id: number }) => t.track_id)).toEqual([3, 1]);
    expect(limitRendered(json, 5, 30)).toBe(json);
    expect(JSON.parse(`"${variantOfRendered(json)}"`)).toBe('exp:a "quoted"');
  });

  it('fills the user into a cold-start template', () => {
    const t = coldStartTemplate({ track_ids: [1], scores: [0.5], created_at: new Date(0) }, details);
    expect(JSON.parse(fillColdStartTemplate(t, 123))).toMatchObject({
      user_id: 123,
      playlist_id: null,
      variant: 'cold_start',
      tracks: [{ track_id: 1 }],
    });
    expect(() => fillColdStartTemplate('{"x":1}', 1)).toThrow();
  });
});

describe('request parameters', () => {
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestException);
      return (err as BadRequestException).getResponse();
    }
    throw new Error('no error');
  };

  const userId = (raw: string) => validateParameter(userIdParam, raw, { type: 'param', data: 'userId' });
  const limit = (raw: string | undefined) => validateParameter(recommendationsLimitParam, raw, { type: 'query', data: 'limit' });
  const playlistId = (raw: string) => validateParameter(playlistIdParam, raw, { type: 'param', data: 'playlistId' });

  it('names the parameter and says why', () => {
    expect(message(() => userId('abc'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      parameter: 'userId',
      message: 'userId must be a non-negative integer (a MooVitamix user id), got "abc"',
    });
    expect(message(() => limit('0'))).toMatchObject({ parameter: 'limit', message: 'limit must be an integer from 1 to 100, got "0"' });
    expect(message(() => limit('1.5'))).toMatchObject({ parameter: 'limit' });
    expect(message(() => playlistId('x'.repeat(200)))).toMatchObject({ parameter: 'playlistId' });
  });

  it('accepts valid values and defaults', () => {
    expect(userId('0')).toBe(0);
    expect(userId('1042')).toBe(1042);
    expect(limit(undefined)).toBe(30);
    expect(limit('100')).toBe(100);
    expect(playlistId('1042-20261126-ab12cd')).toBe('1042-20261126-ab12cd');
  });

  it('checks a parameter declared with a schema through the global pipe, and passes the others', () => {
    const pipe = new RequestValidationPipe();
    expect(pipe.transform('7', { type: 'param', data: 'userId', schema: userIdParam })).toBe(7);
    expect(pipe.transform('x', { type: 'param', data: 'id' })).toBe('x');
    expect(
      message(() => pipe.transform({ days: '0' }, { type: 'query', schema: z.object({ days: recommendationsLimitParam }) })),
    ).toMatchObject({ parameter: 'days' });
    expect(message(() => pipe.transform([], { type: 'body', schema: z.object({}, { error: 'must be a JSON object' }) }))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      parameter: 'body',
      message: 'body must be a JSON object',
    });
  });
});

describe('run keys and job ids', () => {
  it('keys the daily run by its date and any other run by date and a hash of its id', () => {
    expect(runKeyOf('2026-11-26', 'recommendations-2026-11-26')).toBe('20261126');
    const other = runKeyOf('2026-11-26', 'recommendations-2026-11-26-api-1795000000000');
    expect(other).toMatch(/^20261126-[0-9a-z]{6}$/);
    expect(runKeyOf('2026-11-26', 'recommendations-2026-11-26-api-1795000000000')).toBe(other);
    expect(runKeyOf('2026-11-26', 'recommendations-2026-11-26-api-1795000000001')).not.toBe(other);
  });

  it('never puts ":" in a BullMQ job id', () => {
    expect(finalizeJobId('recommendations-2026-11-26')).not.toContain(':');
    expect(batchJobId('recommendations-2026-11-26', 3)).toBe('recommendations-2026-11-26-b3');
  });
});

describe('LocalAnswerCache', () => {
  it('answers until its TTL, then forgets', () => {
    let now = 0;
    const c = new LocalAnswerCache(1000, 10, () => now);
    c.set(1, '{}', 'default');
    expect(c.get(1)?.variant).toBe('default');
    now = 1000;
    expect(c.get(1)).toBeUndefined();
  });

  it('evicts the oldest entry beyond its size, and stores nothing when its TTL is 0', () => {
    const c = new LocalAnswerCache(1000, 2, () => 0);
    c.set(1, 'a', 'v');
    c.set(2, 'b', 'v');
    c.set(3, 'c', 'v');
    expect([c.get(1), c.get(2)?.json, c.get(3)?.json]).toEqual([undefined, 'b', 'c']);
    const off = new LocalAnswerCache(0);
    off.set(1, 'a', 'v');
    expect(off.get(1)).toBeUndefined();
    expect(off.enabled).toBe(false);
  });
});
