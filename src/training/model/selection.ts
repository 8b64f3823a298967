/**
 * Model selection: one search over every family (ALS, EASE, RP3beta), scored by NDCG@k on a
 * validation carve-out of the training listens (split by the same rules as the test split), within
 * a time budget. `evaluate` and the weekly retraining both call it, with the same defaults.
 *
 * The search space is relative to the data, so it means the same on single listens, ratings or
 * play counts: every family reads counts divided by the training data's median count
 * (`countScale`), and ALS regularisation is a multiple of the mean number of interactions per row.
 * Multiplying every count by a constant therefore leaves every trial, and the choice, unchanged.
 *
 * ALS configurations are raced by successive halving over iterations: every configuration gets a
 * few sweeps, the best third continues from where it stopped (warm factors, no retraining), and so
 * on; the chosen iteration count is the rung where its validation NDCG peaked (early stopping).
 * The item families are cheap to fit and are tried on a small grid around data-independent
 * defaults. Trials run in rounds that interleave the families, so a short budget still sees each.
 */
import { buildTestSet, evaluateRecommender, type RankingMetrics } from '../evaluation/metrics.js';
import { splitListens, type SplitMethod } from '../evaluation/split.js';
import {
  AlsTrainer,
  buildInteractions,
  resolveSettings,
  type AlsModel,
  type AlsSettings,
  type ConfidenceForm,
  type InteractionMatrix,
  type Listen,
} from './als.js';
import type { UserListen } from './fold-in.js';
import {
  EASE_MAX_ITEMS,
  easeGram,
  resolveEaseSettings,
  resolveRp3betaSettings,
  trainEase,
  trainRp3beta,
  type ItemModel,
  type ItemWeighting,
} from './item-model.js';
import { recommendItems } from './item-recommend.js';
import { describeSpec, medianCount, MODEL_FAMILIES, type ModelFamily, type ModelSpec, type TrainedModel } from './model.js';
import { deriveSeed, Rng } from '../../common/random.js';
import { catalogueRecommender } from './recommend.js';

/** ALS settings as the search and the ALS_* settings express them: relative to the data. */
export interface RelativeAlsSettings {
  factors: number;
  /** Multiple of the mean number of interactions per row (users and tracks). */
  regularization: number;
  /** Confidence weight on counts divided by the median count. */
  alpha: number;
  confidence: ConfidenceForm;
  /** Upper bound of the iterations; the search stops earlier where validation says so. */
  iterations: number;
  cgSteps: number;
  seed: number;
}

export const DEFAULT_RELATIVE_ALS: Readonly<RelativeAlsSettings> = Object.freeze({
  factors: 64,
  regularization: 0.5,
  alpha: 2,
  confidence: 'log',
  iterations: 24,
  cgSteps: 3,
  seed: 7,
});

export interface AlsSpace {
  factors: readonly number[];
  /** Log-uniform ranges. */
  regularization: readonly [number, number];
  alpha: readonly [number, number];
}

export const DEFAULT_ALS_SPACE: AlsSpace = { factors: [32, 64, 128], regularization: [0.02, 4], alpha: [0.3, 30] };

/** What the data says about scale: the unit of counts and the mean row length. */
export interface DataScale {
  countScale: number;
  meanRowInteractions: number;
  /** False when every count is the same: weighting by count cannot matter. */
  countsVary: boolean;
}

export function dataScale(m: InteractionMatrix): DataScale {
  const nnz = m.counts.indptr[m.counts.rows];
  const rows = m.userIds.length + m.itemIds.length;
  const d = m.counts.data;
  let vary = false;
  for (let j = 1; j < nnz && !vary; j++) vary = d[j] !== d[0];
  return { countScale: medianCount(m), meanRowInteractions: rows > 0 ? Math.max(nnz / rows, 1e-9) : 1, countsVary: vary };
}

/** Absolute ALS settings for these data. */
export function absoluteAls(r: RelativeAlsSettings, scale: DataScale, iterations = r.iterations): AlsSettings {
  return resolveSettings({
    factors: r.factors,
    regularization: Number((r.regularization * scale.meanRowInteractions).toPrecision(6)),
    alpha: r.alpha,
    confidence: r.confidence,
    iterations,
    cgSteps: r.cgSteps,
    seed: r.seed,
    countScale: scale.countScale,
  });
}

export interface SelectionOptions {
  k?: number;
  seed?: number;
  /** Wall-clock seconds the search may spend; a round already started finishes its current trial. */
  budgetSeconds: number;
  /** ALS configurations raced (the first is `als` as given). */
  alsTrials: number;
  families?: readonly ModelFamily[];
  /** The first ALS configuration and the fixed ALS settings (CG steps, seed, iteration cap). */
  als?: Partial<RelativeAlsSettings>;
  alsSpace?: AlsSpace;
  /** EASE is tried up to this many tracks. */
  easeMaxItems?: number;
  threads?: number;
  /** Catalogue track ids (the split's tracks are always included). */
  catalogue?: Iterable<number>;
  onTrial?: (trial: SearchTrial) => void;
}

export interface SearchTrial {
  trial: number;
  family: ModelFamily;
  settings: ModelSpec['settings'];
  /** Validation NDCG@k and the other metrics. */
  metrics: RankingMetrics;
  /** Wall seconds of this trial (ALS: of this rung's sweeps and scoring). */
  seconds: number;
  /** ALS: the configuration's index, its rung and its iterations so far. */
  config?: number;
  rung?: number;
}

export interface SelectionReport {
  best: ModelSpec;
  /** Validation metrics of `best`. */
  bestMetrics: RankingMetrics | null;
  trials: SearchTrial[];
  validation: { method: SplitMethod; trainListens: number; validationListens: number; users: number };
  scale: DataScale;
  budgetSeconds: number;
  seconds: number;
  /** Families that were eligible but got no trial before the budget ran out, and why others were left out. */
  skipped: { family: ModelFamily; reason: string }[];
}

/** ALS sweeps at the end of each rung of successive halving; capped by the iteration setting. */
export function alsRungs(maxIterations: number): number[] {
  const rungs = [4, 10, 24, 48].filter((r) => r < maxIterations);
  return [...rungs, maxIterations].filter((r) => r > 0);
}

/** ALS configurations from the seed alone (not from results), so the search is reproducible. */
export function alsConfigurations(
  count: number,
  seed: number,
  first: RelativeAlsSettings,
  space: AlsSpace = DEFAULT_ALS_SPACE,
): RelativeAlsSettings[] {
  const rng = new Rng(deriveSeed(seed, 'tuning'));
  const out = [first];
  for (let t = 1; t < count; t++) {
    out.push({
      ...first,
      factors: rng.pick(space.factors),
      regularization: roundSig(rng.logUniform(space.regularization[0], space.regularization[1])),
      alpha: roundSig(rng.logUniform(space.alpha[0], space.alpha[1])),
      // Both confidence forms, alternating, so a small race still sees each.
      confidence: t % 2 === 1 ? (first.confidence === 'log' ? 'linear' : 'log') : first.confidence,
    });
  }
  return out;
}

function roundSig(v: number): number {
  return Number(v.toPrecision(3));
}

/** EASE λ (relative to the mean of diag(XᵀX)) tried, in order: a middle value, then around it. */
const EASE_LAMBDAS = [8, 2.5, 25, 80, 0.8];
/** RP3beta (alpha, beta) tried in order, with NEIGHBOURS neighbours. */
const RP3_GRID: ReadonlyArray<readonly [number, number]> = [
  [1, 0.5],
  [0.75, 0.3],
  [1, 0.7],
  [0.6, 0.5],
  [1.2, 0.4],
  [0.8, 0.6],
];
const RP3_NEIGHBOURS = [200, 60, 600];

/** Recommendations for evaluation: ALS from the user's own row, item families from the user's history. */
export function modelRecommender(
  model: TrainedModel,
  history: ReadonlyMap<number, UserListen[]>,
  catalogue: Iterable<number>,
): (userId: number, exclude: ReadonlySet<number>, k: number) => number[] {
  if ('family' in model)
    return (userId, exclude, k) => recommendItems(model as ItemModel, history.get(userId) ?? [], k, exclude).map((r) => r.trackId);
  return catalogueRecommender(model as AlsModel, catalogue);
}

export function historyByUser(listens: readonly Listen[]): Map<number, UserListen[]> {
  const byUser = new Map<number, UserListen[]>();
  for (const l of listens) {
    let list = byUser.get(l.userId);
    if (!list) byUser.set(l.userId, (list = []));
    list.push({ trackId: l.trackId, count: l.count });
  }
  return byUser;
}

export async function selectModel(train: readonly Listen[], o: SelectionOptions): Promise<SelectionReport> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const families = o.families ?? MODEL_FAMILIES;
  const firstAls: RelativeAlsSettings = { ...DEFAULT_RELATIVE_ALS, seed, ...stripUndefined(o.als ?? {}) };
  const carve = splitListens(train, { seed: deriveSeed(seed, 'validation') });
  const catalogue = [...(o.catalogue ?? [])];
  const testSet = buildTestSet(carve.train, carve.test, catalogue);
  const fit = buildInteractions(carve.train);
  const full = buildInteractions(train);
  // The scale of the whole training data: the refit reads counts in the same unit as the trials.
  const scale = dataScale(full);
  const validation = {
    method: carve.method,
    trainListens: carve.train.length,
    validationListens: carve.test.length,
    users: testSet.users.length,
  };
  const history = historyByUser(carve.train);
  const trials: SearchTrial[] = [];
  const skipped: SelectionReport['skipped'] = [];
  const fallback: ModelSpec = { family: 'als', settings: absoluteAls(firstAls, scale) };
  if (testSet.users.length === 0 || fit.itemIds.length === 0) {
    return { best: fallback, bestMetrics: null, trials, validation, scale, budgetSeconds: o.budgetSeconds, seconds: elapsed(), skipped };
  }

  const record = (
    family: ModelFamily,
    settings: ModelSpec['settings'],
    metrics: RankingMetrics,
    seconds: number,
    extra: Partial<SearchTrial> = {},
  ) => {
    const t: SearchTrial = { trial: trials.length, family, settings, metrics, seconds, ...extra };
    trials.push(t);
    o.onTrial?.(t);
  };
  const score = (model: TrainedModel) => evaluateRecommender(testSet, k, modelRecommender(model, history, catalogue));
  const weightings: ItemWeighting[] = scale.countsVary ? ['binary', 'log'] : ['binary'];

  // Each round is a list of steps; a step runs only while the budget lasts, except in round 0.
  type Step = () => Promise<void>;
  const rounds: Step[][] = [[], [], [], [], []];

  // ALS: successive halving over iterations.
  if (families.includes('als')) {
    const configs = alsConfigurations(Math.max(1, o.alsTrials), seed, firstAls, o.alsSpace);
    const rungs = alsRungs(firstAls.iterations);
    const state = configs.map(() => ({
      done: 0,
      best: -1,
      bestIterations: 0,
      factors: null as null | { userFactors: Float32Array; itemFactors: Float32Array },
      alive: true,
    }));
    const runRung = async (c: number, rung: number) => {
      const st = state[c];
      const target = rungs[rung];
      const settings = absoluteAls(configs[c], scale, target);
      const t0 = performance.now();
      const trainer = await AlsTrainer.create(fit.counts, settings, {
        threads: o.threads,
        userIds: fit.userIds,
        itemIds: fit.itemIds,
        ...(st.factors ? { initial: st.factors } : {}),
      });
      try {
        for (let it = st.done; it < target; it++) await trainer.iterate();
        st.factors = { userFactors: trainer.userFactors.slice(), itemFactors: trainer.itemFactors.slice() };
      } finally {
        await trainer.close();
      }
      st.done = target;
      const model: AlsModel = {
        settings,
        userIds: fit.userIds,
        itemIds: fit.itemIds,
        userFactors: st.factors.userFactors,
        itemFactors: st.factors.itemFactors,
        trainedThrough: fit.trainedThrough,
      };
      const metrics = score(model);
      if (metrics.ndcg > st.best) {
        st.best = metrics.ndcg;
        st.bestIterations = target;
      } else {
        // Validation stopped improving: this configuration is done (early stopping).
        st.alive = false;
      }
      record('als', settings, metrics, (performance.now() - t0) / 1000, { config: c, rung });
    };
    rounds[0].push(() => runRung(0, 0));
    for (let c = 1; c < configs.length; c++) rounds[1].push(() => runRung(c, 0));
    // Later rungs keep the best third (at least one) of the configurations still improving.
    for (let rung = 1; rung < rungs.length; rung++) {
      const round = Math.min(rung + 1, rounds.length - 1);
      rounds[round].push(async () => {
        const ranked = state
          .map((s, c) => ({ s, c }))
          .filter(({ s }) => s.alive && s.done === rungs[rung - 1])
          .sort((a, b) => b.s.best - a.s.best);
        const keep = ranked.slice(0, Math.max(1, Math.ceil(ranked.length / 3)));
        for (const { c } of ranked.slice(keep.length)) state[c].alive = false;
        for (const { c } of keep) {
          if (elapsed() > o.budgetSeconds) return;
          await runRung(c, rung);
        }
      });
    }
    // Before the first halving: two neighbours of the best first-rung configuration, with half
    // and twice its regularisation (the setting validation NDCG is most sensitive to), join the race.
    if (configs.length > 1 && rungs.length > 1) {
      rounds[2].unshift(async () => {
        const ranked = state
          .map((st, c) => ({ st, c }))
          .filter(({ st }) => st.done === rungs[0])
          .sort((a, b) => b.st.best - a.st.best);
        if (ranked.length === 0) return;
        const best = configs[ranked[0].c];
        for (const factor of [2, 0.5]) {
          if (elapsed() > o.budgetSeconds) return;
          const regularization = roundSig(best.regularization * factor);
          if (
            configs.some(
              (c) =>
                c.factors === best.factors &&
                c.alpha === best.alpha &&
                c.confidence === best.confidence &&
                c.regularization === regularization,
            )
          )
            continue;
          configs.push({ ...best, regularization });
          state.push({ done: 0, best: -1, bestIterations: 0, factors: null, alive: true });
          await runRung(configs.length - 1, 0);
        }
      });
    }
  }

  // EASE: λ around a middle value, per weighting; the Gram matrix is computed once per weighting.
  const easeMax = o.easeMaxItems ?? EASE_MAX_ITEMS;
  if (families.includes('ease')) {
    if (fit.itemIds.length > easeMax) {
      skipped.push({ family: 'ease', reason: `${fit.itemIds.length} tracks, above the EASE limit of ${easeMax}` });
    } else {
      const grams = new Map<ItemWeighting, Float64Array>();
      const easeTrial = (lambda: number, weighting: ItemWeighting) => async () => {
        const t0 = performance.now();
        let g = grams.get(weighting);
        if (!g) grams.set(weighting, (g = easeGram(fit, weighting, scale.countScale)));
        const settings = resolveEaseSettings({ lambda, weighting, countScale: scale.countScale, neighbours: easeMax });
        const model = trainEase(fit, settings, g);
        record('ease', settings, score(model), (performance.now() - t0) / 1000);
      };
      rounds[0].push(easeTrial(EASE_LAMBDAS[0], 'binary'));
      for (const w of weightings) for (const l of EASE_LAMBDAS.slice(w === 'binary' ? 1 : 0, 3)) rounds[1].push(easeTrial(l, w));
      // Then the rest of the grid with the better weighting.
      rounds[2].push(async () => {
        const w = bestOf(trials, 'ease')?.settings as { weighting: ItemWeighting } | undefined;
        for (const l of EASE_LAMBDAS.slice(3)) {
          if (elapsed() > o.budgetSeconds) return;
          await easeTrial(l, w?.weighting ?? 'binary')();
        }
      });
    }
  }

  // RP3beta: a small grid; neighbours varied around the best (alpha, beta).
  if (families.includes('rp3beta')) {
    const rp3Trial = (alpha: number, beta: number, neighbours: number, weighting: ItemWeighting) => async () => {
      const t0 = performance.now();
      const settings = resolveRp3betaSettings({ alpha, beta, neighbours, weighting, countScale: scale.countScale });
      record('rp3beta', settings, score(trainRp3beta(fit, settings)), (performance.now() - t0) / 1000);
    };
    rounds[0].push(rp3Trial(RP3_GRID[0][0], RP3_GRID[0][1], RP3_NEIGHBOURS[0], 'binary'));
    for (const [a, b] of RP3_GRID.slice(1)) rounds[1].push(rp3Trial(a, b, RP3_NEIGHBOURS[0], 'binary'));
    if (scale.countsVary) rounds[1].push(rp3Trial(RP3_GRID[0][0], RP3_GRID[0][1], RP3_NEIGHBOURS[0], 'log'));
    rounds[2].push(async () => {
      const b = bestOf(trials, 'rp3beta')?.settings as { alpha: number; beta: number; weighting: ItemWeighting } | undefined;
      if (!b) return;
      for (const n of RP3_NEIGHBOURS.slice(1)) {
        if (elapsed() > o.budgetSeconds) return;
        await rp3Trial(b.alpha, b.beta, n, b.weighting)();
      }
    });
  }

  for (let r = 0; r < rounds.length; r++) {
    for (const step of rounds[r]) {
      if (r > 0 && elapsed() > o.budgetSeconds) break;
      // Let a job's lock renewal and other timers run between trials.
      await new Promise((resolve) => setImmediate(resolve));
      await step();
    }
  }

  for (const f of families)
    if (!skipped.some((s) => s.family === f) && !trials.some((t) => t.family === f))
      skipped.push({ family: f, reason: 'no trial within the budget' });
  // EASE is refit on all training listens, which may hold more tracks than its limit.
  const refitFits = (t: SearchTrial) => t.family !== 'ease' || full.itemIds.length <= easeMax;
  const winner = bestOf(trials.filter(refitFits));
  if (!winner)
    return { best: fallback, bestMetrics: null, trials, validation, scale, budgetSeconds: o.budgetSeconds, seconds: elapsed(), skipped };
  return {
    best: specFromTrial(winner),
    bestMetrics: winner.metrics,
    trials,
    validation,
    scale,
    budgetSeconds: o.budgetSeconds,
    seconds: elapsed(),
    skipped,
  };
}

/** The trial with the best validation NDCG (the earliest on a tie). */
function bestOf(trials: readonly SearchTrial[], family?: ModelFamily): SearchTrial | undefined {
  let best: SearchTrial | undefined;
  for (const t of trials) if ((!family || t.family === family) && (!best || t.metrics.ndcg > best.metrics.ndcg)) best = t;
  return best;
}

/** The spec to refit: a trial's settings (ALS with the iterations where it peaked). */
function specFromTrial(t: SearchTrial): ModelSpec {
  if (t.family === 'als') return { family: 'als', settings: resolveSettings(t.settings as AlsSettings) };
  if (t.family === 'ease') return { family: 'ease', settings: resolveEaseSettings(t.settings as object) };
  return { family: 'rp3beta', settings: resolveRp3betaSettings(t.settings as object) };
}

export { describeSpec };

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
