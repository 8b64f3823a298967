/**
 * Candidate, what production serves today and popularity on one held-out split, with the metric
 * code of the `evaluate` command. No I/O: the job hands in the data and the production model.
 *
 * "What production serves" is the production model when there is one, else the fallback the
 * recommendation run serves without a model: the genre + popularity hybrid (recommenders.ts), built
 * from the same training listens and catalogue genres. The gate holds the candidate to that.
 */
import { CatalogueIndex, type TrackFacts } from '../../recommendations/catalogue-index.js';
import { HybridRecommender } from '../../recommendations/recommenders.js';
import type { Listen } from '../model/als.js';
import type { UserListen } from '../model/fold-in.js';
import { describeSpec, specOf, trainSpec, type ModelSpec, type TrainedModel } from '../model/model.js';
import { absoluteAls, selectModel, type RelativeAlsSettings, type SelectionReport } from '../model/selection.js';
import { buildInteractions } from '../model/als.js';
import { dataScale } from '../model/selection.js';
import type { ModelFamily } from '../model/model.js';
import { evaluatePopularity } from '../evaluation/evaluate.js';
import { buildTestSet, evaluateRecommender, type RankingMetrics, type TestSet } from '../evaluation/metrics.js';
import { fitPopularity } from '../evaluation/popularity.js';
import { servedRecommendations } from '../serving/serving-model.js';

export const GATE_K = 10;

/** What the hybrid fallback needs to know of the catalogue and the users. */
export interface FallbackFacts {
  trackGenre: ReadonlyMap<number, string>;
  favoriteGenres: ReadonlyMap<number, readonly string[]>;
}

export interface CandidateOptions {
  /** The first ALS configuration and the fixed ALS settings (ALS_*), relative to the data. */
  als: RelativeAlsSettings;
  /** ALS configurations raced; 0: no search, train ALS with `als` as it is. */
  trials: number;
  budgetSeconds: number;
  families: readonly ModelFamily[];
  easeMaxItems?: number;
  threads?: number;
  catalogue: readonly number[];
  production: TrainedModel | null;
  /** Without a production model, the hybrid fallback is scored from these (when given). */
  fallback?: FallbackFacts;
  onProgress?: (message: string) => void;
}

export interface CandidateEvaluation {
  spec: ModelSpec;
  search: SelectionReport | null;
  /** Trained on the training part only. */
  model: TrainedModel;
  /** `production` is what production serves: its model, or the hybrid fallback (`productionKind`). */
  metrics: { candidate: RankingMetrics; production: RankingMetrics | null; popularity: RankingMetrics };
  productionKind: 'model' | 'hybrid' | null;
  testUsers: number;
  seconds: { tune: number; train: number; evaluate: number };
}

function histories(train: readonly Listen[]): Map<number, UserListen[]> {
  const byUser = new Map<number, UserListen[]>();
  for (const l of train) {
    let list = byUser.get(l.userId);
    if (!list) byUser.set(l.userId, (list = []));
    list.push({ trackId: l.trackId, count: l.count, listenedAt: l.listenedAt });
  }
  return byUser;
}

/**
 * A model scored as it serves (servedRecommendations): each test user's list made from their
 * training listens. Candidate and production go through this same path, so neither is favoured by
 * how its user vectors were made.
 */
export function evaluateServedModel(model: TrainedModel, testSet: TestSet, train: readonly Listen[], k: number): RankingMetrics {
  const byUser = histories(train);
  return evaluateRecommender(testSet, k, (userId, exclude, n) =>
    servedRecommendations(model, userId, byUser.get(userId) ?? [], n, exclude).map((r) => r.trackId),
  );
}

/** The genre + popularity hybrid the recommendation run serves without a model, on the same split. */
export function evaluateHybrid(testSet: TestSet, train: readonly Listen[], facts: FallbackFacts, k: number): RankingMetrics {
  const byUser = histories(train);
  const tracks: TrackFacts[] = [...testSet.catalogue].map((id) => {
    const g = facts.trackGenre.get(id);
    return { id, name: '', artist: '', genres: g ? [g] : [] };
  });
  // Histories as the run sees them: track ids with repeats (capped, so play counts stay cheap).
  const items = new Map<number, number[]>();
  for (const [userId, list] of byUser)
    items.set(
      userId,
      list.flatMap((l) => Array<number>(Math.min(100, Math.max(1, Math.round(l.count)))).fill(l.trackId)),
    );
  const index = CatalogueIndex.build(
    tracks,
    [...items.values()].map((i) => ({ items: i })),
  );
  const hybrid = new HybridRecommender(index);
  return evaluateRecommender(testSet, k, (userId, exclude, n) => {
    const listened = items.get(userId) ?? [];
    const out: number[] = [];
    for (const c of hybrid.candidates({ userId, favoriteGenres: facts.favoriteGenres.get(userId) ?? [], listened, heard: exclude })) {
      if (exclude.has(c.trackId)) continue;
      out.push(c.trackId);
      if (out.length >= n) break;
    }
    return out;
  });
}

export async function trainAndEvaluate(
  train: readonly Listen[],
  validation: readonly Listen[],
  o: CandidateOptions,
): Promise<CandidateEvaluation> {
  const log = o.onProgress ?? (() => {});
  const testSet = buildTestSet(train, validation, o.catalogue);
  const t0 = performance.now();
  let search: SelectionReport | null = null;
  let spec: ModelSpec;
  if (o.trials > 0) {
    search = await selectModel(train, {
      k: GATE_K,
      seed: o.als.seed,
      budgetSeconds: o.budgetSeconds,
      alsTrials: o.trials,
      families: o.families,
      als: o.als,
      easeMaxItems: o.easeMaxItems,
      threads: o.threads,
      catalogue: testSet.catalogue,
      onTrial: (t) =>
        log(
          `search trial ${t.trial}: ${describeSpec({ family: t.family, settings: t.settings } as ModelSpec)} -> NDCG@${GATE_K} ${t.metrics.ndcg.toFixed(4)} (${t.seconds.toFixed(1)} s)`,
        ),
    });
    spec = search.best;
  } else {
    spec = { family: 'als', settings: absoluteAls(o.als, dataScale(buildInteractions(train))) };
  }
  log(`chosen: ${describeSpec(spec)}`);
  const t1 = performance.now();
  const model = await trainSpec(spec, train, { threads: o.threads });
  const t2 = performance.now();
  const candidate = evaluateServedModel(model, testSet, train, GATE_K);
  let production: RankingMetrics | null = null;
  let productionKind: CandidateEvaluation['productionKind'] = null;
  if (o.production) {
    production = evaluateServedModel(o.production, testSet, train, GATE_K);
    productionKind = 'model';
  } else if (o.fallback) {
    production = evaluateHybrid(testSet, train, o.fallback, GATE_K);
    productionKind = 'hybrid';
  }
  const popularity = evaluatePopularity(fitPopularity(train, testSet.catalogue), testSet, GATE_K);
  const t3 = performance.now();
  return {
    spec: specOf(model),
    search,
    model,
    metrics: { candidate, production, popularity },
    productionKind,
    testUsers: testSet.users.length,
    seconds: { tune: (t1 - t0) / 1000, train: (t2 - t1) / 1000, evaluate: (t3 - t2) / 1000 },
  };
}
