import { describe, expect, it } from 'vitest';
import type { Listen } from '../../../src/training/model/als.js';
import { plantedListens } from '../../../src/training/model/synthetic.js';
import { trialSettings, tuneAls } from '../../../src/training/model/tuning.js';
import { renderReport, runEvaluation } from '../../../src/training/evaluation/evaluate.js';

const listens = plantedListens({ users: 300, tracks: 150, listens: 7500, clusters: 6, seed: 21 });

describe('hyper-parameter search', () => {
  it('draws trial settings from the seed; the first trial is the base settings', () => {
    const a = trialSettings(5, 1, { iterations: 7, confidence: 'log' });
    expect(a).toEqual(trialSettings(5, 1, { iterations: 7, confidence: 'log' }));
    expect(a).not.toEqual(trialSettings(5, 2, { iterations: 7, confidence: 'log' }));
    expect(a[0]).toMatchObject({ factors: 64, iterations: 7, confidence: 'log' });
    expect(a.every((s) => s.iterations === 7 && s.confidence === 'log')).toBe(true);
  });

  it('picks the trial with the best validation NDCG, on a carve-out of the training listens only', async () => {
    const r = await tuneAls(listens, { trials: 3, seed: 3, base: { iterations: 5 }, threads: 1 });
    expect(r.trials).toHaveLength(3);
    const best = r.trials.reduce((b, t) => (t.metrics.ndcg > b.metrics.ndcg ? t : b));
    expect(r.best).toEqual(best.settings);
    expect(r.validation.trainListens + r.validation.validationListens).toBe(listens.length);
    expect(r.validation.users).toBeGreaterThan(200);
  });
});

describe('runEvaluation', () => {
  it('splits, tunes on training listens only, and reports ALS beside popularity', async () => {
    const progress: string[] = [];
    const run = await runEvaluation({ listens, k: 10, trials: 2, seed: 5, threads: 1, base: { iterations: 6 }, onProgress: (m) => progress.push(m) });
    const r = run.report;
    expect(r.split.method).toBe('time');
    expect(r.split.trainListens + r.split.testListens).toBe(listens.length);
    expect(r.tuning!.validation.trainListens + r.tuning!.validation.validationListens).toBe(r.split.trainListens);
    expect(r.models.map((m) => m.model)).toEqual(['als', 'popularity']);
    const [als, pop] = r.models;
    expect(als.users).toBe(r.split.testUsers);
    expect(pop.users).toBe(r.split.testUsers);
    expect(als.ndcg).toBeGreaterThan(1.5 * pop.ndcg);
    expect(progress.some((m) => m.startsWith('chosen settings'))).toBe(true);

    const text = renderReport(r);
    const lines = text.split('\n');
    const last = lines[lines.length - 1];
    expect(last.startsWith('RESULT {')).toBe(true);
    const result = JSON.parse(last.slice(7));
    expect(result.models.als.ndcg).toBeCloseTo(als.ndcg, 5);
    expect(result.models.popularity.precision).toBeCloseTo(pop.precision, 5);
    expect(result.settings).toEqual(r.settings);
    expect(text).toContain('Chosen settings: factors=');
  });

  it('with a given test split, trains on all listens and evaluates on the given ones; fixed settings skip the search', async () => {
    const train: Listen[] = listens.filter((l) => l.listenedAt!.getTime() < Date.UTC(2026, 2, 1));
    const test: Listen[] = listens.filter((l) => l.listenedAt!.getTime() >= Date.UTC(2026, 2, 1));
    const run = await runEvaluation({ listens: train, test, threads: 1, settings: { factors: 8, regularization: 0.1, alpha: 2, confidence: 'linear', iterations: 4, cgSteps: 3, seed: 1 } });
    expect(run.report.split).toMatchObject({ method: 'given', trainListens: train.length, testListens: test.length });
    expect(run.report.tuning).toBeNull();
    expect(run.model.settings.factors).toBe(8);
  });
});
