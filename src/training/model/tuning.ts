/**
 * A small seeded random search over ALS settings, scored by NDCG@k on a validation carve-out of
 * the training listens (split by the same rules as the test split), never on the test split.
 */
import { buildTestSet, evaluateRecommender, type RankingMetrics } from '../evaluation/metrics.js';
import { splitListens, type SplitMethod } from '../evaluation/split.js';
import { resolveSettings, trainAls, type AlsSettings, type Listen } from './als.js';
import { deriveSeed, Rng } from './random.js';
import { catalogueRecommender } from './recommend.js';

export interface SearchSpace {
  factors: readonly number[];
  /** Log-uniform range. */
  regularization: readonly [number, number];
  /** Log-uniform range. */
  alpha: readonly [number, number];
}

export const DEFAULT_SEARCH_SPACE: SearchSpace = {
  factors: [16, 32, 64, 96],
  regularization: [0.01, 10],
  alpha: [0.5, 50],
};

export interface TuningOptions {
  /** Trials including the first, which uses the base settings as they are (6). */
  trials?: number;
  seed?: number;
  k?: number;
  /** Settings not searched (confidence form, iterations, CG steps, seed) and the first trial's values. */
  base?: Partial<AlsSettings>;
  space?: SearchSpace;
  threads?: number;
  catalogue?: Iterable<number>;
  /** Called after each trial, e.g. to log progress. */
  onTrial?: (trial: TrialResult) => void;
}

export interface TrialResult {
  trial: number;
  settings: AlsSettings;
  metrics: RankingMetrics;
  seconds: number;
}

export interface TuningReport {
  best: AlsSettings;
  trials: TrialResult[];
  validation: { method: SplitMethod; trainListens: number; validationListens: number; users: number };
}

/** Settings of every trial, drawn from the seed alone (not from results), so the search is reproducible. */
export function trialSettings(count: number, seed: number, base: Partial<AlsSettings> = {}, space: SearchSpace = DEFAULT_SEARCH_SPACE): AlsSettings[] {
  const first = resolveSettings(base);
  const rng = new Rng(deriveSeed(seed, 'tuning'));
  const out = [first];
  for (let t = 1; t < count; t++) {
    out.push(
      resolveSettings({
        ...first,
        factors: rng.pick(space.factors),
        regularization: roundSig(rng.logUniform(space.regularization[0], space.regularization[1])),
        alpha: roundSig(rng.logUniform(space.alpha[0], space.alpha[1])),
      }),
    );
  }
  return out;
}

/** Three significant digits: readable settings in reports, exact in JSON. */
function roundSig(v: number): number {
  return Number(v.toPrecision(3));
}

export async function tuneAls(train: readonly Listen[], options: TuningOptions = {}): Promise<TuningReport> {
  const k = options.k ?? 10;
  const seed = options.seed ?? 42;
  const candidates = trialSettings(Math.max(1, options.trials ?? 6), seed, options.base, options.space);
  const carve = splitListens(train, { seed: deriveSeed(seed, 'validation') });
  const catalogue = [...(options.catalogue ?? [])];
  const testSet = buildTestSet(carve.train, carve.test, catalogue);
  const validation = { method: carve.method, trainListens: carve.train.length, validationListens: carve.test.length, users: testSet.users.length };
  if (testSet.users.length === 0) return { best: candidates[0], trials: [], validation };
  const trials: TrialResult[] = [];
  let best = 0;
  for (let t = 0; t < candidates.length; t++) {
    const t0 = performance.now();
    const model = await trainAls(carve.train, candidates[t], { threads: options.threads });
    const metrics = evaluateRecommender(testSet, k, catalogueRecommender(model, catalogue));
    const result: TrialResult = { trial: t, settings: candidates[t], metrics, seconds: (performance.now() - t0) / 1000 };
    trials.push(result);
    options.onTrial?.(result);
    if (metrics.ndcg > trials[best].metrics.ndcg) best = t;
  }
  return { best: candidates[best], trials, validation };
}
