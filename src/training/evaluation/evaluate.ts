/**
 * A full offline evaluation on in-memory listens (docs/datasets.md): split, tune ALS on a
 * validation carve-out of the training listens, refit on all training listens, then score ALS and
 * the popularity baseline on the test split. The retraining job's gate calls the same functions.
 */
import { trainAls, type AlsModel, type AlsSettings, type Listen } from '../model/als.js';
import { catalogueRecommender } from '../model/recommend.js';
import { tuneAls, type SearchSpace, type TuningReport } from '../model/tuning.js';
import { buildTestSet, evaluateRecommender, type RankingMetrics, type TestSet } from './metrics.js';
import { fitPopularity, recommendPopular, type PopularityModel } from './popularity.js';
import { splitListens, type Split, type SplitMethod } from './split.js';

export interface EvaluationOptions {
  /** All listens, or the training listens when `test` is given. */
  listens: readonly Listen[];
  /** A given test split (the same split as another system's); otherwise `listens` is split. */
  test?: readonly Listen[];
  /** Catalogue track ids (e.g. tracks.ndjson); tracks of the listens are always included. */
  catalogue?: Iterable<number>;
  k?: number;
  seed?: number;
  /** Tuning trials (6). */
  trials?: number;
  threads?: number;
  /** Settings not searched, and the first trial's values. */
  base?: Partial<AlsSettings>;
  space?: SearchSpace;
  /** Skip the search and train with these settings. */
  settings?: AlsSettings;
  onProgress?: (message: string) => void;
}

export interface ModelResult extends RankingMetrics {
  model: string;
  trainSeconds: number;
}

export interface EvaluationReport {
  k: number;
  split: { method: SplitMethod; trainListens: number; testListens: number; testUsers: number };
  catalogue: number;
  settings: AlsSettings;
  tuning: TuningReport | null;
  tuningSeconds: number;
  models: ModelResult[];
}

export interface EvaluationRun {
  report: EvaluationReport;
  split: Split;
  model: AlsModel;
  popularity: PopularityModel;
}

export async function runEvaluation(o: EvaluationOptions): Promise<EvaluationRun> {
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const log = o.onProgress ?? (() => {});
  const split: Split = o.test ? { train: [...o.listens], test: [...o.test], method: 'given' } : splitListens(o.listens, { seed });
  const catalogue = [...(o.catalogue ?? [])];
  const testSet = buildTestSet(split.train, split.test, catalogue);
  log(`split ${split.method}: ${split.train.length} training and ${split.test.length} test listens, ${testSet.users.length} test users, ${testSet.catalogue.length} tracks`);

  let tuning: TuningReport | null = null;
  let settings: AlsSettings;
  const tuneStart = performance.now();
  if (o.settings) {
    settings = o.settings;
  } else {
    tuning = await tuneAls(split.train, {
      trials: o.trials,
      seed,
      k,
      base: { seed, ...o.base },
      space: o.space,
      threads: o.threads,
      // The catalogue file's ids only: the search must not see which tracks the test split holds.
      catalogue,
      onTrial: (t) => log(`trial ${t.trial}: ${describeSettings(t.settings)} -> validation NDCG@${k} ${t.metrics.ndcg.toFixed(4)} (${t.seconds.toFixed(1)} s)`),
    });
    settings = tuning.best;
  }
  const tuningSeconds = (performance.now() - tuneStart) / 1000;
  log(`chosen settings: ${describeSettings(settings)}`);

  const t0 = performance.now();
  const model = await trainAls(split.train, settings, { threads: o.threads });
  const alsSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const popularity = fitPopularity(split.train, testSet.catalogue);
  const popSeconds = (performance.now() - t1) / 1000;

  const models: ModelResult[] = [
    { model: 'als', ...evaluateAls(model, testSet, k), trainSeconds: alsSeconds },
    { model: 'popularity', ...evaluatePopularity(popularity, testSet, k), trainSeconds: popSeconds },
  ];
  const report: EvaluationReport = {
    k,
    split: { method: split.method, trainListens: split.train.length, testListens: split.test.length, testUsers: testSet.users.length },
    catalogue: testSet.catalogue.length,
    settings,
    tuning,
    tuningSeconds,
    models,
  };
  return { report, split, model, popularity };
}

export function evaluateAls(model: AlsModel, testSet: TestSet, k: number): RankingMetrics {
  return evaluateRecommender(testSet, k, catalogueRecommender(model, testSet.catalogue));
}

export function evaluatePopularity(popularity: PopularityModel, testSet: TestSet, k: number): RankingMetrics {
  return evaluateRecommender(testSet, k, (_userId, exclude, n) => recommendPopular(popularity, n, exclude));
}

export function describeSettings(s: AlsSettings): string {
  return `factors=${s.factors} regularization=${s.regularization} alpha=${s.alpha} confidence=${s.confidence} iterations=${s.iterations} cgSteps=${s.cgSteps} seed=${s.seed}`;
}

/** The tuning trials, the results table, and last the RESULT line. */
export function renderReport(r: EvaluationReport): string {
  const lines: string[] = [];
  const f4 = (v: number) => v.toFixed(4);
  if (r.tuning) {
    const v = r.tuning.validation;
    lines.push(`Hyper-parameter search: ${r.tuning.trials.length} trials on a ${v.method} validation carve-out of the training listens (${v.trainListens} fit, ${v.validationListens} held out, ${v.users} users)`);
    lines.push(table(['trial', 'factors', 'regularization', 'alpha', 'confidence', `NDCG@${r.k}`, 'seconds'], r.tuning.trials.map((t) => [String(t.trial), String(t.settings.factors), String(t.settings.regularization), String(t.settings.alpha), t.settings.confidence, f4(t.metrics.ndcg), t.seconds.toFixed(1)])));
    lines.push('');
  }
  lines.push(`Chosen settings: ${describeSettings(r.settings)}`);
  lines.push(`Split: ${r.split.method}; ${r.split.trainListens} training listens, ${r.split.testListens} test listens, ${r.split.testUsers} test users; catalogue ${r.catalogue} tracks`);
  lines.push('');
  lines.push(table(['model', `P@${r.k}`, `R@${r.k}`, `NDCG@${r.k}`, `MAP@${r.k}`, 'coverage', 'train s'], r.models.map((m) => [m.model, f4(m.precision), f4(m.recall), f4(m.ndcg), f4(m.map), f4(m.coverage), m.trainSeconds.toFixed(2)])));
  const result = {
    k: r.k,
    split: r.split.method,
    train_listens: r.split.trainListens,
    test_listens: r.split.testListens,
    test_users: r.split.testUsers,
    catalogue: r.catalogue,
    settings: r.settings,
    tuning_trials: r.tuning?.trials.length ?? 0,
    tuning_seconds: round(r.tuningSeconds, 3),
    models: Object.fromEntries(
      r.models.map((m) => [
        m.model,
        { precision: round(m.precision, 6), recall: round(m.recall, 6), ndcg: round(m.ndcg, 6), map: round(m.map, 6), coverage: round(m.coverage, 6), users: m.users, train_seconds: round(m.trainSeconds, 3) },
      ]),
    ),
  };
  lines.push(`RESULT ${JSON.stringify(result)}`);
  return lines.join('\n');
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

/** A plain-text table with right-aligned columns after the first. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
