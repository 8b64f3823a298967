/**
 * A full offline evaluation on in-memory listens (docs/datasets.md): split, search every model
 * family on a validation carve-out of the training listens (selection.ts, the retraining's own
 * search), refit the chosen one on all training listens, then score it and the popularity baseline
 * on the test split.
 */
import { buildInteractions, type AlsModel, type Listen } from '../model/als.js';
import { describeSpec, trainSpec, type ModelSpec, type TrainedModel } from '../model/model.js';
import { catalogueRecommender } from '../model/recommend.js';
import { absoluteAls, dataScale, historyByUser, modelRecommender, selectModel, type SelectionReport } from '../model/selection.js';
import type { SearchSettings } from '../model/search-settings.js';
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
  /** Seed of the split (the search has its own, ALS_SEED). */
  seed?: number;
  /** The search, as the retraining runs it (searchSettingsFromEnv()). */
  search: SearchSettings;
  threads?: number;
  /** Skip the search and train this model. */
  spec?: ModelSpec;
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
  spec: ModelSpec;
  search: SelectionReport | null;
  tuningSeconds: number;
  models: ModelResult[];
}

export interface EvaluationRun {
  report: EvaluationReport;
  split: Split;
  model: TrainedModel;
  popularity: PopularityModel;
}

export async function runEvaluation(o: EvaluationOptions): Promise<EvaluationRun> {
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const log = o.onProgress ?? (() => {});
  const split: Split = o.test ? { train: [...o.listens], test: [...o.test], method: 'given' } : splitListens(o.listens, { seed });
  const catalogue = [...(o.catalogue ?? [])];
  const testSet = buildTestSet(split.train, split.test, catalogue);
  log(
    `split ${split.method}: ${split.train.length} training and ${split.test.length} test listens, ${testSet.users.length} test users, ${testSet.catalogue.length} tracks`,
  );

  let search: SelectionReport | null = null;
  let spec: ModelSpec;
  const tuneStart = performance.now();
  if (o.spec) {
    spec = o.spec;
  } else if (o.search.trials === 0) {
    // As the retraining with TUNING_TRIALS=0: ALS with the ALS_* settings as they are.
    spec = { family: 'als', settings: absoluteAls(o.search.als, dataScale(buildInteractions(split.train))) };
  } else {
    const s = o.search;
    log(`model search: families ${s.families.join(', ')}, ${s.trials} ALS configurations, budget ${s.budgetSeconds} s`);
    search = await selectModel(split.train, {
      k,
      seed: s.als.seed,
      budgetSeconds: s.budgetSeconds,
      alsTrials: s.trials,
      families: s.families,
      als: s.als,
      easeMaxItems: s.easeMaxItems,
      threads: o.threads,
      // The catalogue file's ids only: the search must not see which tracks the test split holds.
      catalogue,
      onTrial: (t) =>
        log(
          `trial ${t.trial}: ${describeSpec({ family: t.family, settings: t.settings } as ModelSpec)} -> validation NDCG@${k} ${t.metrics.ndcg.toFixed(4)} (${t.seconds.toFixed(1)} s)`,
        ),
    });
    spec = search.best;
  }
  const tuningSeconds = (performance.now() - tuneStart) / 1000;
  log(`chosen: ${describeSpec(spec)}`);

  const t0 = performance.now();
  const model = await trainSpec(spec, split.train, { threads: o.threads });
  const modelSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const popularity = fitPopularity(split.train, testSet.catalogue);
  const popSeconds = (performance.now() - t1) / 1000;

  const history = historyByUser(split.train);
  const models: ModelResult[] = [
    {
      model: spec.family,
      ...evaluateRecommender(testSet, k, modelRecommender(model, history, testSet.catalogue)),
      trainSeconds: modelSeconds,
    },
    { model: 'popularity', ...evaluatePopularity(popularity, testSet, k), trainSeconds: popSeconds },
  ];
  const report: EvaluationReport = {
    k,
    split: { method: split.method, trainListens: split.train.length, testListens: split.test.length, testUsers: testSet.users.length },
    catalogue: testSet.catalogue.length,
    spec,
    search,
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
