import { describe, expect, it } from 'vitest';
import type { Listen } from '../../../src/training/model/als.js';
import { heldOutCount, splitListens } from '../../../src/training/evaluation/split.js';

const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d));

function timed(userId: number, tracks: number[]): Listen[] {
  return tracks.map((trackId, i) => ({ userId, trackId, count: 1, listenedAt: day(i) }));
}

describe('split', () => {
  it('held-out count: round(20%), at least 1, at least 1 left for training', () => {
    expect(heldOutCount(5, 0.2)).toBe(1);
    expect(heldOutCount(10, 0.2)).toBe(2);
    expect(heldOutCount(12, 0.2)).toBe(2);
    expect(heldOutCount(13, 0.2)).toBe(3);
    expect(heldOutCount(2, 0.9)).toBe(1);
  });

  it('time split holds out each user last 20% by time, whatever the input order', () => {
    const listens = [...timed(1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ...timed(2, [5, 4, 3, 2, 1])].reverse();
    const s = splitListens(listens);
    expect(s.method).toBe('time');
    expect(s.test.filter((l) => l.userId === 1).map((l) => l.trackId)).toEqual([9, 10]);
    expect(s.test.filter((l) => l.userId === 2).map((l) => l.trackId)).toEqual([1]);
    expect(s.train.length + s.test.length).toBe(listens.length);
  });

  it('users with fewer than 5 distinct tracks keep everything in training', () => {
    const listens = [...timed(1, [1, 2, 3, 4, 1, 2, 3, 4]), ...timed(2, [1, 2, 3, 4, 5])];
    const s = splitListens(listens);
    expect(s.test.some((l) => l.userId === 1)).toBe(false);
    expect(s.train.filter((l) => l.userId === 1)).toHaveLength(8);
    expect(s.test.filter((l) => l.userId === 2)).toHaveLength(1);
  });

  it('without times on every line: seeded random 20% of distinct tracks, lines of a pair added up', () => {
    const listens: Listen[] = [];
    for (let u = 1; u <= 30; u++) for (let t = 1; t <= 10; t++) listens.push({ userId: u, trackId: t, count: 1 });
    listens.push({ userId: 1, trackId: 1, count: 2, listenedAt: day(3) });
    const a = splitListens(listens, { seed: 7 });
    const b = splitListens([...listens].reverse(), { seed: 7 });
    const c = splitListens(listens, { seed: 8 });
    expect(a.method).toBe('random');
    const key = (s: typeof a) => s.test.map((l) => `${l.userId}:${l.trackId}`).join(',');
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
    for (let u = 1; u <= 30; u++) expect(a.test.filter((l) => l.userId === u)).toHaveLength(2);
    const pair = [...a.train, ...a.test].filter((l) => l.userId === 1 && l.trackId === 1);
    expect(pair).toHaveLength(1);
    expect(pair[0].count).toBe(3);
    for (const l of a.test) expect(a.train.some((t) => t.userId === l.userId && t.trackId === l.trackId)).toBe(false);
  });
});
