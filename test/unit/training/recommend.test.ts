import { describe, expect, it } from 'vitest';
import { resolveSettings, type AlsModel } from '../../../src/training/model/als.js';
import { fitPopularity, recommendPopular } from '../../../src/training/evaluation/popularity.js';
import { recommend, topK } from '../../../src/training/model/recommend.js';

describe('top-k', () => {
  it('best first, ties by ascending id, exclusions skipped', () => {
    const scores = [0.5, 0.9, 0.5, 0.1, 0.9, 0.5];
    expect([...topK(scores, 4)]).toEqual([1, 4, 0, 2]);
    expect([...topK(scores, 3, Uint8Array.from([0, 1, 0, 0, 0, 0]))]).toEqual([4, 0, 2]);
    expect([...topK(scores, 3, undefined, [60, 50, 40, 30, 20, 10])]).toEqual([4, 1, 5]);
    expect([...topK([1, 2], 5)]).toEqual([1, 0]);
  });

  it('recommend maps rows to track ids and excludes by track id', () => {
    const model: AlsModel = {
      settings: resolveSettings({ factors: 2 }),
      userIds: Float64Array.from([1]),
      itemIds: Float64Array.from([3, 7, 9]),
      userFactors: Float32Array.from([1, 0]),
      itemFactors: Float32Array.from([0.5, 0, 2, 0, 0.5, 5]),
      trainedThrough: null,
    };
    const recs = recommend(model, Float32Array.from([1, 0]), { k: 2, exclude: [7] });
    expect(recs).toEqual([
      { trackId: 3, score: 0.5 },
      { trackId: 9, score: 0.5 },
    ]);
  });
});

describe('popularity baseline', () => {
  it('ranks by distinct users (not counts), ties by id, excludes training tracks', () => {
    const pop = fitPopularity(
      [
        { userId: 1, trackId: 5, count: 100 },
        { userId: 1, trackId: 6, count: 1 },
        { userId: 2, trackId: 6, count: 1 },
        { userId: 2, trackId: 4, count: 1 },
        { userId: 3, trackId: 5, count: 1 },
      ],
      [1, 4],
    );
    expect([...pop.ranked]).toEqual([5, 6, 4, 1]);
    expect([...pop.users]).toEqual([2, 2, 1, 0]);
    expect(recommendPopular(pop, 2, new Set([5]))).toEqual([6, 4]);
  });
});
