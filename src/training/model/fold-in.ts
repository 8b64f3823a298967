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

/**
 * Solves (YtY + reg I + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i over the user's known tracks
 * (repeated tracks add up their counts). Returns null when none of the tracks is in the model.
 */
export function foldInUser(model: AlsModel, listens: readonly UserListen[]): Float32Array | null {
  const k = model.settings.factors;
  const counts = new Map<number, number>();
  for (const l of listens) {
    const i = itemIndex(model, l.trackId);
    if (i >= 0) counts.set(i, (counts.get(i) ?? 0) + l.count);
  }
  if (counts.size === 0) return null;
  const a = new Float64Array(k * k);
  a.set(itemGram(model));
  for (let d = 0; d < k; d++) a[d * k + d] += model.settings.regularization;
  const b = new Float64Array(k);
  const Y = model.itemFactors;
  // Sorted item order makes the sums independent of the input order.
  for (const i of [...counts.keys()].sort((p, q) => p - q)) {
    const c = confidence(counts.get(i)!, model.settings);
    const yo = i * k;
    for (let r = 0; r < k; r++) {
      const yr = Y[yo + r];
      b[r] += c * yr;
      const w = (c - 1) * yr;
      for (let s = 0; s <= r; s++) a[r * k + s] += w * Y[yo + s];
    }
  }
  choleskySolveInPlace(a, b, k);
  return Float32Array.from(b);
}

/** Solves A x = b for symmetric positive definite A given by its lower triangle; b becomes x. */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let s = 0; s < j; s++) d -= a[j * k + s] * a[j * k + s];
    if (!(d > 0)) throw new Error('fold-in: the system is not positive definite (regularization 0 with too few items?)');
    const ljj = Math.sqrt(d);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = a[i * k + j];
      for (let s = 0; s < j; s++) v -= a[i * k + s] * a[j * k + s];
      a[i * k + j] = v / ljj;
    }
  }
  for (let i = 0; i < k; i++) {
    let v = b[i];
    for (let s = 0; s < i; s++) v -= a[i * k + s] * b[s];
    b[i] = v / a[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let v = b[i];
    for (let s = i + 1; s < k; s++) v -= a[s * k + i] * b[s];
    b[i] = v / a[i * k + i];
  }
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
  const newer = model.trainedThrough !== null && listens.some((l) => l.listenedAt !== undefined && l.listenedAt.getTime() > model.trainedThrough!);
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
