import { describe, expect, it } from 'vitest';
import type { Listen } from '../../../src/training/model/als.js';
import type { SearchSettings } from '../../../src/training/model/search-settings.js';
import { searchSettingsFromEnv } from '../../../src/training/model/search-settings.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';
import { runEvaluation } from '../../../src/training/evaluation/evaluate.js';
import { renderReport } from '../../../src/tools/evaluation-report.js';
import { SETTINGS } from '../../../src/config/settings.js';

const listens = plantedListens({ users: 300, tracks: 150, listens: 7500, clusters: 6, seed: 21 });
const search: SearchSettings = {
  als: { factors: 16, regularization: 0.5, alpha: 2, confidence: 'log', iterations: 6, cgSteps: 3, seed: 5 },
  trials: 2,
  budgetSeconds: 60,
  families: ['als', 'ease', 'rp3beta'],
  easeMaxItems: 3000,
};

describe('runEvaluation', () => {
  it('splits, searches on training listens only, and reports the chosen model beside popularity', async () => {
    const progress: string[] = [];
    const run = await runEvaluation({ listens, k: 10, seed: 5, threads: 1, search, onProgress: (m) => progress.push(m) });
    const r = run.report;
    expect(r.split.method).toBe('time');
    expect(r.split.trainListens + r.split.testListens).toBe(listens.length);
    expect(r.search!.validation.trainListens + r.search!.validation.validationListens).toBe(r.split.trainListens);
    expect(new Set(r.search!.trials.map((t) => t.family))).toEqual(new Set(['als', 'ease', 'rp3beta']));
    expect(r.models.map((m) => m.model)).toEqual([r.spec.family, 'popularity']);
    const [model, pop] = r.models;
    expect(model.users).toBe(r.split.testUsers);
    expect(pop.users).toBe(r.split.testUsers);
    expect(model.ndcg).toBeGreaterThan(1.5 * pop.ndcg);
    expect(progress.some((m) => m.startsWith('chosen: '))).toBe(true);

    const text = renderReport(r);
    const lines = text.split('\n');
    const last = lines[lines.length - 1];
    expect(last.startsWith('RESULT {')).toBe(true);
    const result = JSON.parse(last.slice(7));
    expect(result.model.ndcg).toBeCloseTo(model.ndcg, 5);
    expect(result.popularity.precision).toBeCloseTo(pop.precision, 5);
    expect(result.family).toBe(r.spec.family);
    expect(result.settings).toEqual(JSON.parse(JSON.stringify(r.spec.settings)));
    expect(text).toContain(`Chosen: ${r.spec.family} `);
  });

  it('with a given test split, trains on all listens and evaluates on the given ones; TUNING_TRIALS=0 trains ALS as set', async () => {
    const train: Listen[] = listens.filter((l) => l.listenedAt!.getTime() < Date.UTC(2026, 2, 1));
    const test: Listen[] = listens.filter((l) => l.listenedAt!.getTime() >= Date.UTC(2026, 2, 1));
    const run = await runEvaluation({ listens: train, test, threads: 1, search: { ...search, trials: 0 } });
    expect(run.report.split).toMatchObject({ method: 'given', trainListens: train.length, testListens: test.length });
    expect(run.report.search).toBeNull();
    expect(run.report.spec.family).toBe('als');
    expect(run.report.spec.settings).toMatchObject({ factors: 16, iterations: 6, alpha: 2, confidence: 'log' });
  });
});

describe('search settings', () => {
  it('are the service settings: with no environment, the defaults of the configuration reference', () => {
    const s = searchSettingsFromEnv({});
    expect(s.trials).toBe(Number(SETTINGS.TUNING_TRIALS.default));
    expect(s.budgetSeconds).toBe(Number(SETTINGS.MODEL_SEARCH_SECONDS.default));
    expect(s.families).toEqual(SETTINGS.MODEL_FAMILIES.default!.split(','));
    expect(s.als).toMatchObject({
      factors: Number(SETTINGS.ALS_FACTORS.default),
      regularization: Number(SETTINGS.ALS_REGULARIZATION.default),
      confidence: SETTINGS.ALS_CONFIDENCE.default,
    });
  });

  it('refuse a bad value naming the variable', () => {
    expect(() => searchSettingsFromEnv({ MODEL_FAMILIES: 'als,svd' })).toThrow(/^MODEL_FAMILIES: /);
    expect(() => searchSettingsFromEnv({ MODEL_SEARCH_SECONDS: '0' })).toThrow(/^MODEL_SEARCH_SECONDS: /);
  });
});
