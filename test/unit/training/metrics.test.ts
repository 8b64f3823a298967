import { describe, expect, it } from 'vitest';
import {
  averagePrecisionAtK,
  buildTestSet,
  evaluateRecommender,
  ndcgAtK,
  precisionAtK,
  RankingAccumulator,
  recallAtK,
} from '../../../src/training/evaluation/metrics.js';

const L2 = (i: number) => 1 / Math.log2(i + 1);

describe('ranking metrics at k (docs/datasets.md)', () => {
  // L = [10, 20, 30, 40], T = {20, 40, 99}: hits at positions 2 and 4.
  const L = [10, 20, 30, 40];
  const T = new Set([20, 40, 99]);

  it('precision and recall', () => {
    expect(precisionAtK(L, T, 4)).toBeCloseTo(2 / 4, 12);
    expect(recallAtK(L, T, 4)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtK(L, T, 2)).toBeCloseTo(1 / 2, 12);
    expect(recallAtK(L, T, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('precision divides by k even when the list is shorter', () => {
    expect(precisionAtK([20], T, 10)).toBeCloseTo(0.1, 12);
  });

  it('NDCG: DCG over hit positions, IDCG over min(k, |T|) positions', () => {
    const dcg = L2(2) + L2(4);
    expect(ndcgAtK(L, T, 4)).toBeCloseTo(dcg / (L2(1) + L2(2) + L2(3)), 12);
    expect(ndcgAtK(L, T, 2)).toBeCloseTo(L2(2) / (L2(1) + L2(2)), 12);
    expect(ndcgAtK([20, 40, 99], T, 3)).toBeCloseTo(1, 12);
    expect(ndcgAtK([1, 2, 3], T, 3)).toBe(0);
  });

  it('MAP: (1 / min(k, |T|)) * sum of precision at hit positions', () => {
    expect(averagePrecisionAtK(L, T, 4)).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
    expect(averagePrecisionAtK(L, T, 2)).toBeCloseTo(1 / 2 / 2, 12);
    expect(averagePrecisionAtK([20, 40], new Set([20, 40]), 10)).toBeCloseTo(1, 12);
  });

  it('only the first k of a longer list count', () => {
    expect(precisionAtK([1, 2, 20], T, 2)).toBe(0);
    expect(ndcgAtK([1, 2, 20], T, 2)).toBe(0);
  });

  it('averages over users and measures coverage over the catalogue', () => {
    const acc = new RankingAccumulator(2, 10);
    acc.add([1, 2], new Set([1]));
    acc.add([2, 3], new Set([4]));
    const r = acc.result();
    expect(r.users).toBe(2);
    expect(r.precision).toBeCloseTo((1 / 2 + 0) / 2, 12);
    expect(r.recall).toBeCloseTo((1 + 0) / 2, 12);
    expect(r.ndcg).toBeCloseTo((1 + 0) / 2, 12);
    expect(r.map).toBeCloseTo((1 + 0) / 2, 12);
    expect(r.coverage).toBeCloseTo(3 / 10, 12);
  });

  it('test users need a training and a test track; the catalogue is the file plus the split', () => {
    const train = [
      { userId: 1, trackId: 1 },
      { userId: 1, trackId: 2 },
      { userId: 2, trackId: 3 },
    ];
    const test = [
      { userId: 1, trackId: 3 },
      { userId: 1, trackId: 3 },
      { userId: 3, trackId: 1 },
    ];
    const ts = buildTestSet(train, test, [50, 1]);
    expect(ts.users.map((u) => u.userId)).toEqual([1]);
    expect([...ts.users[0].test]).toEqual([3]);
    expect([...ts.catalogue]).toEqual([1, 2, 3, 50]);
    const seen: number[][] = [];
    const m = evaluateRecommender(ts, 2, (userId, exclude, k) => {
      seen.push([userId, ...exclude, k]);
      return [3, 50];
    });
    expect(seen).toEqual([[1, 1, 2, 2]]);
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.coverage).toBeCloseTo(2 / 4, 12);
  });
});
