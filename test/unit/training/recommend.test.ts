import { describe, expect, it } from 'vitest';
import { resolveSettings, type AlsModel } from '../../../src/training/model/als.js';
import { fitPopularity, recommendPopular } from '../../../src/training/evaluation/popularity.js';
import { trainAls } from '../../../src/training/model/als.js';
import { Rng } from '../../../src/common/random.js';
import { recommend, scoreItems, topK, topKExact } from '../../../src/training/model/recommend.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';

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

/** What the pruned search must equal: every item scored, then topK. */
function exhaustive(model: AlsModel, user: Float32Array, k: number, excluded?: Uint8Array) {
  const scores = scoreItems(model, user);
  const rows = topK(scores, k, excluded, model.itemIds);
  return { rows: [...rows], scores: Array.from(rows, (r) => scores[r]) };
}

function randomModel(rng: Rng, items: number, factors: number, values: () => number): AlsModel {
  return {
    settings: resolveSettings({ factors }),
    userIds: Float64Array.from([1]),
    // Ids in an order unrelated to the rows' norms, so ties are broken by id, not position.
    itemIds: Float64Array.from({ length: items }, (_, i) => 1000 + ((i * 7919) % items)).sort(),
    userFactors: new Float32Array(factors),
    itemFactors: Float32Array.from({ length: items * factors }, values),
    trainedThrough: null,
  };
}

describe('exact top-k by norm', () => {
  it('equals scoring every item, on random models with many ties, exclusions and negative scores', () => {
    const rng = new Rng(5);
    // 20, 37 and 64 factors have stage boundaries inside a row (16, 32, 48), where a dot product may stop.
    for (const factors of [1, 3, 8, 13, 20, 37, 64]) {
      // Small integers make many equal scores and equal norms.
      const model = randomModel(rng, 300, factors, () => rng.int(5) - 2);
      for (let trial = 0; trial < 20; trial++) {
        const user = Float32Array.from({ length: factors }, () => rng.int(5) - 2);
        const excluded = Uint8Array.from({ length: 300 }, () => (rng.next() < 0.2 ? 1 : 0));
        for (const k of [1, 10, 299, 400]) {
          const got = topKExact(model, user, k, excluded);
          expect({ rows: [...got.rows], scores: [...got.scores] }).toEqual(exhaustive(model, user, k, excluded));
        }
      }
    }
  });

  it('equals scoring every item on a trained model, and scores only part of the catalogue', async () => {
    const listens = plantedListens({ users: 400, tracks: 600, listens: 8000, clusters: 6, seed: 3 });
    const model = await trainAls(listens, { factors: 40, iterations: 4, seed: 1 }, { threads: 1 });
    const k = model.settings.factors;
    for (let row = 0; row < model.userIds.length; row += 7) {
      const user = model.userFactors.slice(row * k, (row + 1) * k);
      const got = topKExact(model, user, 30);
      expect({ rows: [...got.rows], scores: [...got.scores] }).toEqual(exhaustive(model, user, 30));
    }
  });

  it('refuses a vector of the wrong size', () => {
    const model = randomModel(new Rng(1), 4, 3, () => 1);
    expect(() => topKExact(model, new Float32Array(2), 2)).toThrow(/user vector has 2 factors, the model 3/);
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
