import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durationSeconds, itemsDigest, parseSourceDate, validateItem } from '../../../src/ingestion/contract.js';

const sample = (name: string) =>
  JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'moovitamix', `sample_${name}_page1_size3.json`), 'utf8')).items;

describe('source dates', () => {
  it('reads ISO-8601 without time zone, with or without microseconds, as UTC', () => {
    expect(parseSourceDate('2026-09-30T00:15:27.257113')!.toISOString()).toBe('2026-09-30T00:15:27.257Z');
    expect(parseSourceDate('2026-09-30T00:15:27')!.toISOString()).toBe('2026-09-30T00:15:27.000Z');
    expect(parseSourceDate('2024-02-29T23:59:59.5')!.toISOString()).toBe('2024-02-29T23:59:59.500Z');
  });
  it('refuses what is not such a date, or names a day or time that does not exist', () => {
    for (const bad of [
      'not-a-date',
      '2026-02-30T10:00:00',
      '2026-02-28T25:61:00',
      '31/12/2025 10:00',
      '',
      '2026-09-30T00:15:27Z',
      '2026-09-30',
      '2026-09-30T00:15:27.1234567',
    ]) {
      expect(parseSourceDate(bad), bad).toBeNull();
    }
  });
});

describe('the item contract', () => {
  it('accepts the captured answers of the original API', () => {
    for (const [endpoint, name] of [
      ['tracks', 'tracks'],
      ['users', 'users'],
      ['listen_history', 'listen_history'],
    ] as const) {
      for (const item of sample(name)) expect(validateItem(endpoint, item)).toMatchObject({ ok: true });
    }
  });

  it('names the field and what is wrong with it', () => {
    const [track] = sample('tracks');
    const reasons = (raw: unknown, endpoint: 'tracks' | 'users' | 'listen_history' = 'tracks') => {
      const v = validateItem(endpoint, raw);
      return v.ok ? [] : v.reasons;
    };
    expect(reasons({ ...track, id: String(track.id) })).toEqual([expect.stringMatching(/^id: .*expected number/)]);
    expect(reasons({ ...track, duration: 1969 })).toEqual([expect.stringMatching(/^duration: /)]);
    expect(reasons({ ...track, duration: '61:00' })).toEqual([expect.stringMatching(/^duration: expected "MM:SS"/)]);
    const { name: _name, ...noName } = track;
    expect(reasons(noName)).toEqual([expect.stringMatching(/^name: /)]);
    expect(reasons({ ...track, created_at: '2026-02-30T25:61:00' })).toEqual([expect.stringMatching(/^created_at: expected a date/)]);
    const [user] = sample('users');
    expect(reasons({ ...user, favorite_genres: ['Rock'] }, 'users')).toEqual([expect.stringMatching(/^favorite_genres: /)]);
    expect(reasons({ ...user, gender: 'Robot' }, 'users')).toEqual([expect.stringMatching(/^gender: /)]);
    const [h] = sample('listen_history');
    expect(reasons({ ...h, items: h.items.join(',') }, 'listen_history')).toEqual([expect.stringMatching(/^items: /)]);
    expect(reasons({ ...h, items: [1, 'x'] }, 'listen_history')).toEqual([expect.stringMatching(/^items\.1: /)]);
    expect(reasons({ ...h, user_id: null }, 'listen_history')).toEqual([expect.stringMatching(/^user_id: /)]);
    expect(reasons('not an object')).toEqual([expect.stringMatching(/^\(item\): /)]);
    expect(reasons({ ...track, id: -1, album: 3 })).toHaveLength(2);
  });

  it('ignores fields the contract does not name', () => {
    const [track] = sample('tracks');
    expect(validateItem('tracks', { ...track, mood: 'happy' })).toEqual({ ok: true, item: track });
  });

  it('accepts an empty history (a new user)', () => {
    expect(
      validateItem('listen_history', { user_id: 1, items: [], created_at: '2026-01-01T00:00:00', updated_at: '2026-01-01T00:00:00' }),
    ).toMatchObject({ ok: true });
  });
});

describe('small helpers', () => {
  it('turns "MM:SS" into seconds', () => {
    expect(durationSeconds('00:00')).toBe(0);
    expect(durationSeconds('03:25')).toBe(205);
    expect(durationSeconds('59:59')).toBe(3599);
  });
  it('digests an item list or its first n items', () => {
    expect(itemsDigest([1, 2, 3], 2)).toBe(itemsDigest([1, 2]));
    expect(itemsDigest([1, 2, 3])).not.toBe(itemsDigest([1, 2]));
    expect(itemsDigest([12, 3])).not.toBe(itemsDigest([1, 23]));
  });
});
