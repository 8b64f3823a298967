/**
 * Candidate, production and popularity on one held-out split, with the metric code of the
 * `evaluate` command. No I/O: the job hands in the data and the production model.
 */
import { resolveSettings, trainAls, type AlsModel, type AlsSettings, type Listen } from '../model/als.js';
import type { UserListen } from '../model/fold-in.js';
import { tuneAls, type TuningReport } from '../model/tuning.js';
import { evaluatePopularity } from '../evaluation/evaluate.js';
import { buildTestSet, evaluateRecommender, type RankingMetrics, type TestSet } from '../evaluation/metrics.js';
import { fitPopularity } from '../evaluation/popularity.js';
import { servedRecommendations } from '../serving/serving-model.js';

export const GATE_K = 10;

export interface CandidateOptions {
  base: AlsSettings;
  /** 0: train with `base` as it is. */
  trials: number;
  threads?: number;
  catalogue: readonly number[];
  production: AlsModel | null;
  onProgress?: (message: string) => void;
}

export interface CandidateEvaluation {
  settings: AlsSettings;
  tuning: TuningReport | null;
  /** Trained on the training part only. */
  model: AlsModel;
  metrics: { candidate: RankingMetrics; production: RankingMetrics | null; popularity: RankingMetrics };
  testUsers: number;
  seconds: { tune: number; train: number; evaluate: number };
}

/**
 * A model scored as it serves (servedRecommendations): each test user's vector folded in from their
 * training listens. Candidate and production go through this same path, so neither is favoured by
 * how its user vectors were made.
 */
export function evaluateServedModel(model: AlsModel, testSet: TestSet, train: readonly Listen[], k: number): RankingMetrics {
  const byUser = new Map<number, UserListen[]>();
  for (const l of train) {
    let list = byUser.get(l.userId);
    if (!list) byUser.set(l.userId, (list = []));
    list.push({ trackId: l.trackId, count: l.count, listenedAt: l.listenedAt });
  }
  return evaluateRecommender(testSet, k, (userId, exclude, n) => servedRecommendations(model, userId, byUser.get(userId) ?? [], n, exclude).map((r) => r.trackId));
}

export async function trainAndEvaluate(train: readonly Listen[], validation: readonly Listen[], o: CandidateOptions): Promise<CandidateEvaluation> {
  const log = o.onProgress ?? (() => {});
  const testSet = buildTestSet(train, validation, o.catalogue);
  const t0 = performance.now();
  let tuning: TuningReport | null = null;
  let settings = resolveSettings(o.base);
  if (o.trials > 0) {
    tuning = await tuneAls(train, {
      trials: o.trials,
      seed: settings.seed,
      k: GATE_K,
      base: settings,
      threads: o.threads,
      catalogue: testSet.catalogue,
      onTrial: (t) => log(`tuning trial ${t.trial}: factors=${t.settings.factors} regularization=${t.settings.regularization} alpha=${t.settings.alpha} -> NDCG@${GATE_K} ${t.metrics.ndcg.toFixed(4)}`),
    });
    settings = tuning.best;
  }
  const t1 = performance.now();
  const model = await trainAls(train, settings, { threads: o.threads });
  const t2 = performance.now();
  const candidate = evaluateServedModel(model, testSet, train, GATE_K);
  const production = o.production ? evaluateServedModel(o.production, testSet, train, GATE_K) : null;
  const popularity = evaluatePopularity(fitPopularity(train, testSet.catalogue), testSet, GATE_K);
  const t3 = performance.now();
  return {
    settings,
    tuning,
    model,
    metrics: { candidate, production, popularity },
    testUsers: testSet.users.length,
    seconds: { tune: (t1 - t0) / 1000, train: (t2 - t1) / 1000, evaluate: (t3 - t2) / 1000 },
  };
}
