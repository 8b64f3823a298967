/**
 * Top-k scoring over the whole catalogue of a model. Ties are broken by ascending track id, so
 * equal scores always give the same list.
 */
import { itemIndex, userIndex, type AlsModel } from './als.js';
import { userFactors, type UserListen } from './fold-in.js';

export interface Recommendation {
  trackId: number;
  score: number;
}

/** Dot product of the user vector with every item row. */
export function scoreItems(model: AlsModel, user: Float32Array, out: Float64Array = new Float64Array(model.itemIds.length)): Float64Array {
  const k = model.settings.factors;
  if (user.length !== k) throw new Error(`user vector has ${user.length} factors, the model ${k}`);
  const Y = model.itemFactors;
  const n = model.itemIds.length;
  for (let i = 0; i < n; i++) {
    const yo = i * k;
    let s = 0;
    for (let f = 0; f < k; f++) s += user[f] * Y[yo + f];
    out[i] = s;
  }
  return out;
}

/**
 * Indices of the k best scores, best first, skipping indices with excluded[i] = 1. Equal scores
 * rank by `ids` ascending (by index when ids are not given). Linear scan with a sorted buffer of k.
 */
export function topK(scores: ArrayLike<number>, k: number, excluded?: Uint8Array, ids?: ArrayLike<number>): Int32Array {
  const best = new Int32Array(k);
  const bestScore = new Float64Array(k);
  let size = 0;
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (excluded !== undefined && excluded[i] === 1) continue;
    const s = scores[i];
    if (size === k && !before(s, i, bestScore[k - 1], best[k - 1], ids)) continue;
    let pos = size < k ? size++ : k - 1;
    while (pos > 0 && before(s, i, bestScore[pos - 1], best[pos - 1], ids)) {
      best[pos] = best[pos - 1];
      bestScore[pos] = bestScore[pos - 1];
      pos--;
    }
    best[pos] = i;
    bestScore[pos] = s;
  }
  return size === k ? best : best.slice(0, size);
}

/** Whether (score a, index ia) ranks before (score b, index ib); NaN ranks last. */
function before(a: number, ia: number, b: number, ib: number, ids: ArrayLike<number> | undefined): boolean {
  if (a > b || (b !== b && a === a)) return true;
  if (a === b || (a !== a && b !== b)) return ids === undefined ? ia < ib : ids[ia] < ids[ib];
  return false;
}

export interface RecommendOptions {
  k: number;
  /** Track ids never to recommend (e.g. the user's known tracks). */
  exclude?: Iterable<number>;
}

/** Top-k tracks for a user vector. */
export function recommend(model: AlsModel, user: Float32Array, options: RecommendOptions): Recommendation[] {
  const scores = scoreItems(model, user);
  let excluded: Uint8Array | undefined;
  if (options.exclude) {
    excluded = new Uint8Array(model.itemIds.length);
    for (const id of options.exclude) {
      const i = itemIndex(model, id);
      if (i >= 0) excluded[i] = 1;
    }
  }
  return Array.from(topK(scores, options.k, excluded, model.itemIds), (i) => ({ trackId: model.itemIds[i], score: scores[i] }));
}

/**
 * Top-k tracks for a user id: the model's factors, or a fold-in from `listens` when the user is
 * unknown or has newer listens. The user's listened tracks are excluded unless `excludeListened`
 * is false. Null for a cold-start user (no factors and no known track).
 */
export function recommendForUser(
  model: AlsModel,
  userId: number,
  options: { k: number; listens?: readonly UserListen[]; exclude?: Iterable<number>; excludeListened?: boolean },
): Recommendation[] | null {
  const listens = options.listens ?? [];
  const u = userFactors(model, userId, listens);
  if (!u) return null;
  const exclude = new Set<number>(options.exclude ?? []);
  if (options.excludeListened !== false) for (const l of listens) exclude.add(l.trackId);
  return recommend(model, u.factors, { k: options.k, exclude });
}

/**
 * A recommender over a whole catalogue for offline evaluation: tracks the model scores first, then
 * catalogue tracks it has no factors for (it has no evidence on them), by ascending id.
 * Scratch arrays are reused across calls.
 */
export function catalogueRecommender(model: AlsModel, catalogue: Iterable<number> = []): (userId: number, exclude: ReadonlySet<number>, k: number) => number[] {
  const unknown = Float64Array.from(new Set([...catalogue].filter((id) => itemIndex(model, id) < 0))).sort();
  const scores = new Float64Array(model.itemIds.length);
  const excluded = new Uint8Array(model.itemIds.length);
  const k = model.settings.factors;
  return (userId, exclude, n) => {
    const row = userIndex(model, userId);
    const out: number[] = [];
    if (row >= 0) {
      scoreItems(model, model.userFactors.subarray(row * k, (row + 1) * k), scores);
      const marked: number[] = [];
      for (const id of exclude) {
        const i = itemIndex(model, id);
        if (i >= 0) {
          excluded[i] = 1;
          marked.push(i);
        }
      }
      for (const i of topK(scores, n, excluded, model.itemIds)) out.push(model.itemIds[i]);
      for (const i of marked) excluded[i] = 0;
    }
    for (let j = 0; j < unknown.length && out.length < n; j++) if (!exclude.has(unknown[j])) out.push(unknown[j]);
    return out;
  };
}
