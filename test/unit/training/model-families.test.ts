import { describe, expect, it } from 'vitest';
import { buildInteractions, type Listen } from '../../../src/training/model/als.js';
import { deserializeModel, serializeModel } from '../../../src/training/model/artifact.js';
import { easeGram, gramDense, invertSpd, trainEase, trainRp3beta, type ItemModel } from '../../../src/training/model/item-model.js';
import { bruteForceItems, recommendItems } from '../../../src/training/model/item-recommend.js';
import { familyOf, trainSpec } from '../../../src/training/model/model.js';
import { Rng } from '../../../src/common/random.js';
import {
  alsConfigurations,
  alsRungs,
  DEFAULT_RELATIVE_ALS,
  historyByUser,
  modelRecommender,
  selectModel,
} from '../../../src/training/model/selection.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';
import { buildTestSet, evaluateRecommender } from '../../../src/training/evaluation/metrics.js';
import { splitListens } from '../../../src/training/evaluation/split.js';

/** Random listens with repeated counts (ties in scores) over a small catalogue. */
function randomListens(seed: number, users = 60, tracks = 40, perUser = 8): Listen[] {
  const rng = new Rng(seed);
  const out: Listen[] = [];
  for (let u = 1; u <= users; u++) {
    const seen = new Set<number>();
    for (let n = 0; n < perUser; n++) {
      const t = 1000 + Math.floor(rng.next() * tracks);
      if (seen.has(t)) continue;
      seen.add(t);
      out.push({ userId: u, trackId: t, count: 1 + Math.floor(rng.next() * 3) });
    }
  }
  return out;
}

describe('EASE', () => {
  it('inverts a symmetric positive definite matrix (A A⁻¹ = I)', () => {
    const rng = new Rng(3);
    const n = 17;
    const x = Float64Array.from({ length: n * n }, () => rng.next() - 0.5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let p = 0; p < n; p++) a[i * n + j] += x[p * n + i] * x[p * n + j];
    for (let i = 0; i < n; i++) a[i * n + i] += 0.5;
    const inv = invertSpd(a.slice(), n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += a[i * n + p] * inv[p * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
    expect(() => invertSpd(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it("has a zero diagonal and is Steck's closed form: (G + λI)(I - B) is diagonal", () => {
    const m = buildInteractions(randomListens(5));
    const model = trainEase(m, { lambda: 3 });
    const n = m.itemIds.length;
    const b = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let a = model.indptr[i]; a < model.indptr[i + 1]; a++) b[i * n + model.indices[a]] = model.values[a];
    for (let i = 0; i < n; i++) expect(b[i * n + i]).toBe(0);
    // B = I - P diag(1/diag P) with P = (G + λI)⁻¹, so (G + λI)(I - B) = diag(1/diag P).
    const g = easeGram(m, 'binary', 1);
    let meanDiag = 0;
    for (let i = 0; i < n; i++) meanDiag += g[i * n + i] / n;
    for (let i = 0; i < n; i++) g[i * n + i] += 3 * meanDiag;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let s = g[i * n + j];
        for (let p = 0; p < n; p++) s -= g[i * n + p] * b[p * n + j];
        expect(Math.abs(s)).toBeLessThan(1e-3);
      }
    }
    expect(gramDense(m.counts).length).toBe(n * n);
  });
});

describe('item-to-item top-k', () => {
  const cases: Array<[string, (l: Listen[]) => ItemModel]> = [
    ['EASE', (l) => trainEase(buildInteractions(l), { lambda: 0.5, weighting: 'log', countScale: 2 })],
    ['EASE pruned to 5 neighbours', (l) => trainEase(buildInteractions(l), { lambda: 2, neighbours: 5 })],
    ['RP3beta', (l) => trainRp3beta(buildInteractions(l), { alpha: 0.8, beta: 0.4, neighbours: 12 })],
    [
      'RP3beta with count weights',
      (l) => trainRp3beta(buildInteractions(l), { alpha: 1, beta: 0.7, neighbours: 3, weighting: 'log', countScale: 2 }),
    ],
  ];
  for (const [name, train] of cases) {
    it(`${name}: exactly the brute-force list, for every user, k and exclusion`, () => {
      for (const seed of [1, 2, 3]) {
        const listens = randomListens(seed);
        const model = train(listens);
        const byUser = historyByUser(listens);
        const rng = new Rng(seed + 100);
        for (const [, history] of byUser) {
          for (const k of [1, 5, 10, 45]) {
            const exclude = [1000 + Math.floor(rng.next() * 40), 1000 + Math.floor(rng.next() * 40)];
            const fast = recommendItems(model, history, k, exclude);
            expect(fast).toEqual(bruteForceItems(model, history, k, exclude));
            expect(fast.length).toBe(
              Math.min(
                k,
                model.itemIds.length -
                  new Set([...history.map((h) => h.trackId), ...exclude.filter((e) => model.itemIds.includes(e))]).size,
              ),
            );
          }
        }
        // A user with no known track gets the most popular tracks.
        expect(recommendItems(model, [{ trackId: 999_999, count: 1 }], 3).map((r) => r.trackId)).toEqual(
          [...model.popularity.slice(0, 3)].map((j) => model.itemIds[j]),
        );
      }
    });
  }
});

describe('artifacts of every family', () => {
  it('round-trip byte-exact and keep serving the same lists', async () => {
    const listens = randomListens(9);
    for (const family of ['ease', 'rp3beta'] as const) {
      const model = (await trainSpec(
        family === 'ease'
          ? { family, settings: { lambda: 4, weighting: 'binary', countScale: 1, neighbours: 3000 } }
          : { family, settings: { alpha: 1, beta: 0.5, neighbours: 10, weighting: 'binary', countScale: 1 } },
        listens,
      )) as ItemModel;
      const a = serializeModel(model, { maxChunkBytes: 1000 });
      expect(a.meta).toMatchObject({ family, items: model.itemIds.length, users: 0, factors: 0, chunks: a.chunks.length });
      const back = deserializeModel(a.chunks, a.sha256) as ItemModel;
      expect(familyOf(back)).toBe(family);
      expect(back).toEqual(model);
      expect(serializeModel(back, { maxChunkBytes: 1000 }).sha256).toBe(a.sha256);
      const history = listens.filter((l) => l.userId === 7);
      expect(recommendItems(back, history, 10)).toEqual(recommendItems(model, history, 10));
    }
  });
});

describe('the model search', () => {
  it('draws ALS configurations from the seed; both confidence forms; rungs end at the iteration cap', () => {
    const first = { ...DEFAULT_RELATIVE_ALS, iterations: 30 };
    const a = alsConfigurations(6, 1, first);
    expect(a).toEqual(alsConfigurations(6, 1, first));
    expect(a).not.toEqual(alsConfigurations(6, 2, first));
    expect(a[0]).toEqual(first);
    expect(new Set(a.map((c) => c.confidence))).toEqual(new Set(['log', 'linear']));
    expect(alsRungs(30)).toEqual([4, 10, 24, 30]);
    expect(alsRungs(6)).toEqual([4, 6]);
    expect(alsRungs(24)).toEqual([4, 10, 24]);
  });

  it('is scale-invariant: multiplying every count by a constant chooses the same model with the same NDCG@10', async () => {
    const planted = plantedListens({ users: 200, tracks: 90, listens: 4000, clusters: 5, seed: 8 });
    const rng = new Rng(77);
    // Heavy-tailed play counts, as real listening data has.
    const base = planted.map((l) => ({ userId: l.userId, trackId: l.trackId, count: Math.max(1, Math.floor(Math.exp(rng.next() * 6))) }));
    const split = splitListens(base, { seed: 3 });
    const ndcgOf = async (factor: number) => {
      const scaled = (ls: Listen[]) => ls.map((l) => ({ ...l, count: l.count * factor }));
      const train = scaled(split.train);
      const report = await selectModel(train, {
        seed: 4,
        budgetSeconds: 120,
        alsTrials: 3,
        als: { factors: 8, iterations: 6 },
        threads: 1,
      });
      const model = await trainSpec(report.best, train, { threads: 1 });
      const testSet = buildTestSet(train, split.test);
      return { report, ndcg: evaluateRecommender(testSet, 10, modelRecommender(model, historyByUser(train), testSet.catalogue)).ndcg };
    };
    const one = await ndcgOf(1);
    expect(one.report.trials.length).toBeGreaterThan(5);
    for (const factor of [1000, 0.05]) {
      const other = await ndcgOf(factor);
      expect(other.report.best.family).toBe(one.report.best.family);
      expect(other.report.trials.map((t) => t.family)).toEqual(one.report.trials.map((t) => t.family));
      expect(Math.abs(other.ndcg - one.ndcg) / one.ndcg).toBeLessThanOrEqual(0.02);
    }
  });

  it('gives every family a trial even when the budget is spent at once', async () => {
    const listens = plantedListens({ users: 120, tracks: 60, listens: 1800, clusters: 4, seed: 2 });
    const r = await selectModel(listens, { budgetSeconds: 0, alsTrials: 5, als: { factors: 8, iterations: 6 }, threads: 1 });
    expect(r.trials.map((t) => t.family).sort()).toEqual(['als', 'ease', 'rp3beta']);
    const onlyAls = await selectModel(listens, {
      budgetSeconds: 0,
      alsTrials: 5,
      families: ['als', 'ease'],
      easeMaxItems: 10,
      als: { factors: 8, iterations: 6 },
      threads: 1,
    });
    expect(onlyAls.skipped).toEqual([{ family: 'ease', reason: expect.stringMatching(/above the EASE limit of 10/) }]);
    expect(onlyAls.best.family).toBe('als');
  });
});
