/**
 * Exact top-k of an item-to-item model for one user. Scores are accumulated only over the
 * neighbour rows of the user's tracks; every other track scores exactly 0. The order is by score,
 * then by training popularity (then id): positives first, then zero-score tracks in popularity
 * order (which fills a short list the way a cold list would), then negatives (EASE has some).
 * `bruteForceItems` scores every track and sorts; the two are tested to agree.
 */
import type { UserListen } from './fold-in.js';
import { itemWeight, type ItemModel } from './item-model.js';
import type { Recommendation } from './recommend.js';

interface ItemIndex {
  byId: Map<number, number>;
  /** Position of each row in the popularity order. */
  rank: Int32Array;
  acc: Float64Array;
  mark: Uint8Array;
  touched: Int32Array;
  excluded: Uint8Array;
}

const indexes = new WeakMap<ItemModel, ItemIndex>();

function indexOf(model: ItemModel): ItemIndex {
  let ix = indexes.get(model);
  if (ix) return ix;
  const n = model.itemIds.length;
  const byId = new Map<number, number>();
  for (let i = 0; i < n; i++) byId.set(model.itemIds[i], i);
  const rank = new Int32Array(n);
  for (let p = 0; p < n; p++) rank[model.popularity[p]] = p;
  ix = { byId, rank, acc: new Float64Array(n), mark: new Uint8Array(n), touched: new Int32Array(n), excluded: new Uint8Array(n) };
  indexes.set(model, ix);
  return ix;
}

/** The user's known tracks as (row, weight), repeats adding up their counts. */
function userRows(model: ItemModel, ix: ItemIndex, listened: readonly UserListen[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of listened) {
    const row = ix.byId.get(l.trackId);
    if (row !== undefined) counts.set(row, (counts.get(row) ?? 0) + l.count);
  }
  const s = model.settings;
  for (const [row, c] of counts) counts.set(row, itemWeight(c, s.weighting, s.countScale));
  return counts;
}

export function recommendItems(
  model: ItemModel,
  listened: readonly UserListen[],
  k: number,
  exclude: Iterable<number> = [],
): Recommendation[] {
  const ix = indexOf(model);
  const { acc, mark, touched, excluded, rank } = ix;
  const rows = userRows(model, ix, listened);
  let count = 0;
  for (const [i, w] of rows) {
    for (let a = model.indptr[i]; a < model.indptr[i + 1]; a++) {
      const j = model.indices[a];
      if (!mark[j]) {
        mark[j] = 1;
        touched[count++] = j;
      }
      acc[j] += w * model.values[a];
    }
  }
  const excludedRows: number[] = [];
  const exclude1 = (row: number | undefined) => {
    if (row !== undefined && !excluded[row]) {
      excluded[row] = 1;
      excludedRows.push(row);
    }
  };
  for (const l of listened) exclude1(ix.byId.get(l.trackId));
  for (const id of exclude) exclude1(ix.byId.get(id));
  try {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let t = 0; t < count; t++) {
      const j = touched[t];
      if (excluded[j]) continue;
      if (acc[j] > 0) positives.push(j);
      else if (acc[j] < 0) negatives.push(j);
    }
    const byScore = (a: number, b: number) => acc[b] - acc[a] || rank[a] - rank[b];
    const out = topRows(positives, k, byScore);
    if (out.length < k) {
      for (let p = 0; p < model.popularity.length && out.length < k; p++) {
        const j = model.popularity[p];
        if (!excluded[j] && acc[j] === 0) out.push(j);
      }
    }
    if (out.length < k) out.push(...topRows(negatives, k - out.length, byScore));
    return out.map((j) => ({ trackId: model.itemIds[j], score: acc[j] }));
  } finally {
    for (let t = 0; t < count; t++) {
      acc[touched[t]] = 0;
      mark[touched[t]] = 0;
    }
    for (const row of excludedRows) excluded[row] = 0;
  }
}

/** The k first of `rows` under `cmp`: a partial sort by a bounded insertion buffer. */
function topRows(rows: number[], k: number, cmp: (a: number, b: number) => number): number[] {
  if (rows.length <= k) return rows.sort(cmp);
  const best: number[] = [];
  for (const r of rows) {
    if (best.length === k && cmp(r, best[k - 1]) >= 0) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length === k) best.pop();
    while (at > 0 && cmp(r, best[at - 1]) < 0) at--;
    best.splice(at, 0, r);
  }
  return best;
}

/** Every track scored and sorted: the reference the fast path is tested against. */
export function bruteForceItems(
  model: ItemModel,
  listened: readonly UserListen[],
  k: number,
  exclude: Iterable<number> = [],
): Recommendation[] {
  const ix = indexOf(model);
  const n = model.itemIds.length;
  const scores = new Float64Array(n);
  for (const [i, w] of userRows(model, ix, listened)) {
    for (let a = model.indptr[i]; a < model.indptr[i + 1]; a++) scores[model.indices[a]] += w * model.values[a];
  }
  const skip = new Set<number>([...listened.map((l) => l.trackId), ...exclude]);
  const rows = [...Array(n).keys()].filter((j) => !skip.has(model.itemIds[j]));
  rows.sort((a, b) => scores[b] - scores[a] || ix.rank[a] - ix.rank[b]);
  return rows.slice(0, k).map((j) => ({ trackId: model.itemIds[j], score: scores[j] }));
}
