import { describe, expect, it } from 'vitest';
import { trainAls, userIndex, type AlsModel } from '../../../src/training/model/als.js';
import { foldInUser, userFactors } from '../../../src/training/model/fold-in.js';
import { recommendForUser, scoreItems } from '../../../src/training/model/recommend.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';

const settings = { factors: 16, regularization: 0.5, alpha: 5, iterations: 12 };
const listens = plantedListens({ users: 600, tracks: 200, listens: 18_000, clusters: 6, seed: 11 });

function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function row(model: AlsModel, userId: number): Float32Array {
  const k = model.settings.factors;
  const u = userIndex(model, userId);
  return model.userFactors.subarray(u * k, (u + 1) * k);
}

function top(scores: Float64Array, n: number): number[] {
  return [...scores.keys()].sort((a, b) => scores[b] - scores[a] || a - b).slice(0, n);
}

describe('fold-in', () => {
  it('users left out of training, folded in, score items like a full refit', async () => {
    const full = await trainAls(listens, settings, { threads: 1 });
    for (const userId of [7, 31, 200]) {
      const without = await trainAls(
        listens.filter((l) => l.userId !== userId),
        settings,
        { threads: 1 },
      );
      expect(userIndex(without, userId)).toBe(-1);
      expect([...without.itemIds]).toEqual([...full.itemIds]);
      const folded = foldInUser(
        without,
        listens.filter((l) => l.userId === userId),
      )!;
      const foldedScores = scoreItems(without, folded);
      const refitScores = scoreItems(full, row(full, userId));
      expect(cosine(foldedScores, refitScores)).toBeGreaterThan(0.95);
      const refitTop = new Set(top(refitScores, 10));
      expect(top(foldedScores, 10).filter((i) => refitTop.has(i)).length).toBeGreaterThanOrEqual(6);
    }
  });

  it('fold-in of a known user reproduces its trained row closely', async () => {
    const model = await trainAls(listens, settings, { threads: 1 });
    const userId = 42;
    const folded = foldInUser(
      model,
      listens.filter((l) => l.userId === userId),
    )!;
    const s1 = scoreItems(model, folded);
    const s2 = scoreItems(model, row(model, userId));
    expect(cosine(s1, s2)).toBeGreaterThan(0.98);
  });

  it('picks the model row, or folds in for unknown users and newer listens; null at cold start', async () => {
    const model = await trainAls(listens, settings, { threads: 1 });
    expect(userFactors(model, 3)?.source).toBe('model');
    const later = new Date(model.trainedThrough! + 1000);
    expect(userFactors(model, 3, [{ trackId: 1, count: 1, listenedAt: later }])?.source).toBe('fold-in');
    expect(userFactors(model, 99_999, [{ trackId: 1, count: 2 }])?.source).toBe('fold-in');
    expect(userFactors(model, 99_999, [{ trackId: 123_456, count: 2 }])).toBeNull();
    expect(foldInUser(model, [])).toBeNull();
    const recs = recommendForUser(model, 99_999, { k: 5, listens: [{ trackId: 1, count: 2 }] })!;
    expect(recs).toHaveLength(5);
    expect(recs.some((r) => r.trackId === 1)).toBe(false);
  });

  it('solves short histories as a low-rank update, equal to the direct solve up to rounding', async () => {
    const model = await trainAls(listens, settings, { threads: 1 });
    const k = model.settings.factors;
    const histories = new Map<number, typeof listens>();
    for (const l of listens) histories.set(l.userId, [...(histories.get(l.userId) ?? []), l]);
    let compared = 0;
    for (const [, h] of [...histories].slice(0, 60)) {
      // The first few tracks: a history short enough for the low-rank form (<= k/2 tracks).
      const short = h.slice(0, 1 + (compared % k));
      const direct = foldInUser(model, short, 'direct')!;
      const lowRank = foldInUser(model, short, 'low-rank')!;
      const scale = Math.max(...direct.map(Math.abs));
      for (let f = 0; f < k; f++) expect(Math.abs(lowRank[f]! - direct[f]!)).toBeLessThan(1e-5 * scale);
      expect(foldInUser(model, short)).toEqual(short.length <= k / 2 ? lowRank : direct);
      compared++;
    }
    expect(compared).toBe(60);
  });

  it('counts only tracks with confidence above 1 as updates: with alpha 0 every history is the base solve', async () => {
    const model = await trainAls(listens, { ...settings, alpha: 0 }, { threads: 1 });
    const h = listens.filter((l) => l.userId === 5);
    const direct = foldInUser(model, h, 'direct')!;
    const auto = foldInUser(model, h)!;
    for (let f = 0; f < direct.length; f++) expect(auto[f]).toBeCloseTo(direct[f]!, 5);
  });
});
