import { describe, expect, it } from 'vitest';
import {
  AlsTrainer,
  buildInteractions,
  confidence,
  resolveSettings,
  trainAls,
  userIndex,
  type Listen,
} from '../../../src/training/model/als.js';
import { csrFromCoo, transposeCsr } from '../../../src/training/model/csr.js';
import { Rng } from '../../../src/common/random.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';
import { evaluateAls, evaluatePopularity } from '../../../src/training/evaluation/evaluate.js';
import { buildTestSet } from '../../../src/training/evaluation/metrics.js';
import { fitPopularity } from '../../../src/training/evaluation/popularity.js';
import { splitListens } from '../../../src/training/evaluation/split.js';

const planted = { users: 400, tracks: 240, listens: 12_000, clusters: 8, seed: 3 };
const small = { factors: 16, regularization: 0.1, alpha: 5, iterations: 8 };

describe('random', () => {
  it('is seeded and uniform enough', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(new Rng(2).next()).not.toBe(xs[0]);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(m).toBeGreaterThan(0.45);
    expect(m).toBeLessThan(0.55);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('csr', () => {
  it('adds duplicates, sorts columns, transposes', () => {
    const m = csrFromCoo(3, 4, [2, 0, 0, 2, 0], [1, 3, 0, 1, 3], [1, 2, 3, 4, 5]);
    expect([...m.indptr]).toEqual([0, 2, 2, 3]);
    expect([...m.indices]).toEqual([0, 3, 1]);
    expect([...m.data]).toEqual([3, 7, 5]);
    const t = transposeCsr(m);
    expect([...t.indptr]).toEqual([0, 1, 2, 2, 3]);
    expect([...t.indices]).toEqual([0, 2, 0]);
    expect([...t.data]).toEqual([3, 5, 7]);
    expect(() => csrFromCoo(1, 1, [0], [1], [1])).toThrow(/column 1/);
  });
});

describe('ALS', () => {
  it('validates settings, naming the setting', () => {
    expect(() => resolveSettings({ factors: 0 })).toThrow(/factors/);
    expect(() => resolveSettings({ alpha: -1 })).toThrow(/alpha/);
    expect(() => resolveSettings({ confidence: 'cubic' as never })).toThrow(/confidence/);
    expect(resolveSettings({ factors: undefined }).factors).toBe(64);
  });

  it('confidence is 1 + alpha * count, or its log form', () => {
    expect(confidence(3, { alpha: 2, confidence: 'linear' })).toBe(7);
    expect(confidence(3, { alpha: 2, confidence: 'log' })).toBeCloseTo(1 + 2 * Math.log(4), 12);
  });

  it('aggregates listens per pair with ids in separate namespaces', () => {
    const m = buildInteractions([
      { userId: 5, trackId: 5, count: 1 },
      { userId: 5, trackId: 5, count: 2 },
      { userId: 1, trackId: 9, count: 1, listenedAt: new Date('2026-02-01T00:00:00Z') },
    ]);
    expect([...m.userIds]).toEqual([1, 5]);
    expect([...m.itemIds]).toEqual([5, 9]);
    expect([...m.counts.data]).toEqual([1, 3]);
    expect(m.trainedThrough).toBe(Date.parse('2026-02-01T00:00:00Z'));
    expect(() => buildInteractions([{ userId: 1.5, trackId: 1, count: 1 }])).toThrow(/userId/);
  });

  it('training lowers the loss', async () => {
    const m = buildInteractions(plantedListens(planted));
    const trainer = await AlsTrainer.create(m.counts, resolveSettings(small), { threads: 1 });
    await trainer.iterate();
    const first = trainer.loss();
    for (let i = 0; i < 5; i++) await trainer.iterate();
    expect(trainer.loss()).toBeLessThan(first);
    await trainer.close();
  });

  it('same data and seed give identical factors, whatever the listen order; another seed does not', async () => {
    const listens = plantedListens(planted);
    const a = await trainAls(listens, small, { threads: 1 });
    const b = await trainAls([...listens].reverse(), small, { threads: 1 });
    const c = await trainAls(listens, { ...small, seed: 43 }, { threads: 1 });
    expect(Buffer.from(b.userFactors.buffer).equals(Buffer.from(a.userFactors.buffer))).toBe(true);
    expect(Buffer.from(b.itemFactors.buffer).equals(Buffer.from(a.itemFactors.buffer))).toBe(true);
    expect(Buffer.from(c.itemFactors.buffer).equals(Buffer.from(a.itemFactors.buffer))).toBe(false);
  });

  it('learns planted structure: NDCG@10 far above popularity', async () => {
    const split = splitListens(plantedListens(planted));
    const model = await trainAls(split.train, small, { threads: 1 });
    const ts = buildTestSet(split.train, split.test);
    const als = evaluateAls(model, ts, 10);
    const pop = evaluatePopularity(fitPopularity(split.train, ts.catalogue), ts, 10);
    expect(ts.users.length).toBeGreaterThan(300);
    expect(als.ndcg).toBeGreaterThan(2 * pop.ndcg);
    expect(als.coverage).toBeGreaterThan(pop.coverage);
  });

  it('users with listens: each has a factor row', async () => {
    const listens: Listen[] = [
      { userId: 10, trackId: 1, count: 1 },
      { userId: 20, trackId: 2, count: 4 },
    ];
    const model = await trainAls(listens, { factors: 4, iterations: 3 }, { threads: 1 });
    expect(userIndex(model, 20)).toBe(1);
    expect(userIndex(model, 30)).toBe(-1);
    expect(model.userFactors.every(Number.isFinite)).toBe(true);
  });
});
