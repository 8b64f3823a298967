/**
 * Fold-in: factors for a user the model has not seen (or whose listens are newer than the model),
 * from the fixed item factors, by one exact least-squares solve of the user's k x k ALS system.
 */
import { confidence, GRAM_BLOCKS, gramBlock, itemIndex, sumGram, userIndex, type AlsModel } from './als.js';

export interface UserListen {
  trackId: number;
  count: number;
  listenedAt?: Date;
}

const gramCache = new WeakMap<Float32Array, Float64Array>();

/** YtY of the item factors (without regularisation), computed once per model. */
export function itemGram(model: AlsModel): Float64Array {
  let g = gramCache.get(model.itemFactors);
  if (!g) {
    const k = model.settings.factors;
    const parts = new Float64Array(GRAM_BLOCKS * k * k);
    for (let blk = 0; blk < GRAM_BLOCKS; blk++) gramBlock(model.itemFactors, model.itemIds.length, k, blk, parts);
    g = new Float64Array(k * k);
    sumGram(parts, k, 0, g);
    gramCache.set(model.itemFactors, g);
  }
  return g;
}

/** How a fold-in is solved; 'auto' picks the cheaper, and both give the same vector up to rounding. */
export type FoldInMethod = 'auto' | 'direct' | 'low-rank';

/**
 * Solves (YtY + reg I + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i over the user's known tracks
 * (repeated tracks add up their counts). Returns null when none of the tracks is in the model.
 * A short history (at most k/2 tracks with c > 1, most users) is solved as a low-rank update of the
 * model-wide B = YtY + reg I (Woodbury), about a fifth of the direct k x k solve's work.
 */
export function foldInUser(model: AlsModel, listens: readonly UserListen[], method: FoldInMethod = 'auto'): Float32Array | null {
  const counts = new Map<number, number>();
  for (const l of listens) {
    const i = itemIndex(model, l.trackId);
    if (i >= 0) counts.set(i, (counts.get(i) ?? 0) + l.count);
  }
  if (counts.size === 0) return null;
  // Sorted item order makes the sums independent of the input order.
  const items = Int32Array.from(counts.keys()).sort();
  const conf = Float64Array.from(items, (i) => confidence(counts.get(i)!, model.settings));
  const k = model.settings.factors;
  const updates = conf.reduce((n, c) => n + (c > 1 ? 1 : 0), 0);
  if (method === 'low-rank' || (method === 'auto' && updates <= k / 2)) {
    const z = lowRankBasis(model);
    if (z) return foldInLowRank(model, z, items, conf);
    if (method === 'low-rank') throw new Error('fold-in: YtY + reg I is not positive definite, no low-rank basis');
  }
  return foldInDirect(model, items, conf);
}

function foldInDirect(model: AlsModel, items: Int32Array, conf: Float64Array): Float32Array {
  const k = model.settings.factors;
  const a = new Float64Array(k * k);
  a.set(itemGram(model));
  for (let d = 0; d < k; d++) a[d * k + d] += model.settings.regularization;
  const b = new Float64Array(k);
  const Y = model.itemFactors;
  items.forEach((i, n) => {
    const c = conf[n]!;
    const yo = i * k;
    for (let r = 0; r < k; r++) {
      const yr = Y[yo + r];
      b[r] += c * yr;
      const w = (c - 1) * yr;
      for (let s = 0; s <= r; s++) a[r * k + s] += w * Y[yo + s];
    }
  });
  choleskySolveInPlace(a, b, k);
  return Float32Array.from(b);
}

const bases = new WeakMap<Float32Array, Float64Array | null>();

/** Z = Y B^-1 row by row (B = YtY + reg I), once per model; null when B is not positive definite. */
function lowRankBasis(model: AlsModel): Float64Array | null {
  let z = bases.get(model.itemFactors);
  if (z !== undefined) return z;
  const k = model.settings.factors;
  const n = model.itemIds.length;
  const l = new Float64Array(k * k);
  l.set(itemGram(model));
  for (let d = 0; d < k; d++) l[d * k + d] += model.settings.regularization;
  try {
    choleskyFactorInPlace(l, k);
    z = new Float64Array(n * k);
    const Y = model.itemFactors;
    const row = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < k; f++) row[f] = Y[i * k + f];
      choleskySubstituteInPlace(l, row, k);
      z.set(row, i * k);
    }
  } catch {
    z = null;
  }
  bases.set(model.itemFactors, z);
  return z;
}

/**
 * x = B^-1 b - W^T (C^-1 + W V^T)^-1 W b, with V the rows of the tracks with c > 1, W = V B^-1
 * (rows of Z) and C = diag(c - 1): the Woodbury form of the direct system.
 */
function foldInLowRank(model: AlsModel, z: Float64Array, items: Int32Array, conf: Float64Array): Float32Array {
  const k = model.settings.factors;
  const Y = model.itemFactors;
  const x = new Float64Array(k);
  items.forEach((i, n) => {
    const c = conf[n]!;
    for (let f = 0; f < k; f++) x[f] += c * z[i * k + f]!;
  });
  const v: number[] = [];
  const w: number[] = [];
  items.forEach((i, n) => {
    if (conf[n]! > 1) {
      v.push(i);
      w.push(conf[n]! - 1);
    }
  });
  const m = v.length;
  if (m === 0) return Float32Array.from(x);
  const mm = new Float64Array(m * m);
  const r = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    const zp = v[p]! * k;
    for (let q = 0; q <= p; q++) {
      const yq = v[q]! * k;
      let s = 0;
      for (let f = 0; f < k; f++) s += z[zp + f]! * Y[yq + f]!;
      mm[p * m + q] = s;
    }
    mm[p * m + p]! += 1 / w[p]!;
    let s = 0;
    for (let f = 0; f < k; f++) s += Y[zp + f]! * x[f]!;
    r[p] = s;
  }
  choleskySolveInPlace(mm, r, m);
  for (let p = 0; p < m; p++) {
    const t = r[p]!;
    const zp = v[p]! * k;
    for (let f = 0; f < k; f++) x[f]! -= t * z[zp + f]!;
  }
  return Float32Array.from(x);
}

/** Replaces the lower triangle of symmetric positive definite A (k x k) by its Cholesky factor L. */
export function choleskyFactorInPlace(a: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let s = 0; s < j; s++) d -= a[j * k + s]! * a[j * k + s]!;
    if (!(d > 0)) throw new Error('fold-in: the system is not positive definite (regularization 0 with too few items?)');
    const ljj = Math.sqrt(d);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = a[i * k + j]!;
      for (let s = 0; s < j; s++) v -= a[i * k + s]! * a[j * k + s]!;
      a[i * k + j] = v / ljj;
    }
  }
}

/** b becomes x with L L^T x = b, L from choleskyFactorInPlace. */
export function choleskySubstituteInPlace(l: Float64Array, b: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    let v = b[i]!;
    for (let s = 0; s < i; s++) v -= l[i * k + s]! * b[s]!;
    b[i] = v / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let v = b[i]!;
    for (let s = i + 1; s < k; s++) v -= l[s * k + i]! * b[s]!;
    b[i] = v / l[i * k + i]!;
  }
}

/** Solves A x = b for symmetric positive definite A given by its lower triangle; b becomes x. */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, k: number): void {
  choleskyFactorInPlace(a, k);
  choleskySubstituteInPlace(a, b, k);
}

export interface UserFactors {
  factors: Float32Array;
  source: 'model' | 'fold-in';
}

/**
 * A user's factors: the model's row when the user is known and has nothing newer than the model,
 * else folded in from `listens` (the user's whole history). Null when neither is possible (cold start).
 */
export function userFactors(model: AlsModel, userId: number, listens: readonly UserListen[] = []): UserFactors | null {
  const row = userIndex(model, userId);
  const newer =
    model.trainedThrough !== null && listens.some((l) => l.listenedAt !== undefined && l.listenedAt.getTime() > model.trainedThrough!);
  if (row >= 0 && !newer) {
    const k = model.settings.factors;
    return { factors: model.userFactors.subarray(row * k, (row + 1) * k), source: 'model' };
  }
  const folded = foldInUser(model, listens);
  if (folded) return { factors: folded, source: 'fold-in' };
  if (row >= 0) {
    const k = model.settings.factors;
    return { factors: model.userFactors.subarray(row * k, (row + 1) * k), source: 'model' };
  }
  return null;
}
