import { describe, expect, it } from 'vitest';
import {
  computeDrift,
  genreCounts,
  listensPerActiveUserBins,
  newShareBins,
  psi,
  psiByLabel,
} from '../../../src/training/pipeline/drift.js';
import { DAY_MS, type ListenEvent } from '../../../src/training/pipeline/preprocess.js';

const ev = (userId: number, trackId: number, day: number): ListenEvent => ({ userId, trackId, at: day * DAY_MS + 3600_000 });

describe('psi', () => {
  it('is zero for the same distribution, given as counts or as shares', () => {
    expect(psi([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(psi([10, 20, 30], [0.1, 0.2, 0.3])).toBeCloseTo(0, 12);
  });

  it('matches hand-computed values', () => {
    // (0.25-0.5) ln(0.25/0.5) + (0.75-0.5) ln(0.75/0.5)
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.274653072167, 10);
    expect(psi([2, 2], [1, 3])).toBeCloseTo(0.274653072167, 10);
    // 0.1 ln(1.5) + 0 + (-0.1) ln(0.8)
    expect(psi([0.2, 0.3, 0.5], [0.3, 0.3, 0.4])).toBeCloseTo(0.062860865942, 10);
  });

  it('floors an empty bin at 1e-4 instead of dividing by zero', () => {
    // (0.5-1) ln(0.5/1) + (0.5-1e-4) ln(0.5/1e-4)
    expect(psi([1, 0], [1, 1])).toBeCloseTo(4.604318466669, 9);
  });

  it('is symmetric and zero when a side is empty', () => {
    expect(psi([1, 3], [2, 2])).toBeCloseTo(psi([2, 2], [1, 3]), 12);
    expect(psi([0, 0], [1, 2])).toBe(0);
    expect(() => psi([1], [1, 2])).toThrow(/bins/);
  });

  it('aligns labelled histograms, a label missing on one side being an empty bin', () => {
    const e = new Map([
      ['Rock', 1],
      ['Pop', 1],
    ]);
    const a = new Map([
      ['Rock', 1],
      ['Jazz', 1],
    ]);
    const expected = psi([1, 0, 1], [1, 1, 0]); // labels sorted: Jazz, Pop, Rock
    expect(psiByLabel(e, a)).toBeCloseTo(expected, 12);
  });
});

describe('drift features', () => {
  it('counts listens per genre of the track, unknown tracks apart', () => {
    const genres = new Map([
      [1, 'Rock'],
      [2, 'Pop'],
    ]);
    expect(Object.fromEntries(genreCounts([ev(1, 1, 0), ev(2, 1, 0), ev(1, 2, 0), ev(1, 9, 0)], genres))).toEqual({
      Rock: 2,
      Pop: 1,
      unknown: 1,
    });
  });

  it('bins listens per active user and day: 1, 2, 3-4, 5-8, 9-16, 17-32, 33+', () => {
    const events = [
      ev(1, 1, 0), // user 1 day 0: 1
      ev(1, 1, 1),
      ev(1, 2, 1),
      ev(1, 3, 1), // user 1 day 1: 3
      ...Array.from({ length: 40 }, (_, i) => ev(2, i, 0)), // user 2 day 0: 40
      ev(3, 1, 5),
      ev(3, 2, 5), // user 3 day 5: 2
    ];
    expect(listensPerActiveUserBins(events)).toEqual([1, 1, 1, 0, 0, 0, 1]);
  });

  it('splits listens by users created within 7 days before the listen', () => {
    const created = new Map([
      [1, 0],
      [2, 10 * DAY_MS],
    ]);
    // user 1 created day 0: new on day 3, not on day 8; user 2 created day 10: new on day 12; user 3 unknown: old.
    expect(newShareBins([ev(1, 1, 3), ev(1, 1, 8), ev(2, 1, 12), ev(3, 1, 12)], created, 'userId')).toEqual([2, 2]);
  });

  it('reports every feature and flags those above the threshold', () => {
    const genres = new Map([
      [1, 'Rock'],
      [2, 'Pop'],
    ]);
    const window = [ev(1, 1, 0), ev(2, 1, 1), ev(3, 2, 2), ev(4, 2, 3)];
    const recent = [ev(3, 2, 2), ev(4, 2, 3)];
    const r = computeDrift({ window, recent, trackGenre: genres, userCreatedAt: new Map(), trackCreatedAt: new Map() }, 0.2);
    // genre: Rock/Pop 0.5/0.5 -> Pop only: (1e-4-0.5)ln(1e-4/0.5) + (1-0.5)ln(1/0.5)
    expect(r.psi.genre_share).toBeCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2), 5);
    expect(r.psi.listens_per_active_user).toBe(0);
    expect(r.psi.new_user_share).toBe(0);
    expect(r.drifted).toEqual(['genre_share']);
    expect(r.windowEvents).toBe(4);
    expect(r.recentEvents).toBe(2);
  });
});
