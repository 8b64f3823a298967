/**
 * The popularity baseline of docs/datasets.md: tracks ranked by distinct training users (ties by
 * ascending track id), each user's training tracks excluded.
 */
import type { Listen } from '../model/als.js';

export interface PopularityModel {
  /** Track ids, most popular first; catalogue tracks nobody listened to come last. */
  ranked: Float64Array;
  /** Distinct training users of ranked[i]. */
  users: Int32Array;
}

export function fitPopularity(train: readonly Listen[], catalogue: Iterable<number> = []): PopularityModel {
  const listeners = new Map<number, Set<number>>();
  for (const id of catalogue) if (!listeners.has(id)) listeners.set(id, new Set());
  for (const l of train) {
    let s = listeners.get(l.trackId);
    if (!s) listeners.set(l.trackId, (s = new Set()));
    s.add(l.userId);
  }
  const entries = [...listeners.entries()].map(([id, s]) => [id, s.size] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return { ranked: Float64Array.from(entries, (e) => e[0]), users: Int32Array.from(entries, (e) => e[1]) };
}

/** The k most popular tracks not in `exclude`. */
export function recommendPopular(model: PopularityModel, k: number, exclude: ReadonlySet<number> = new Set()): number[] {
  const out: number[] = [];
  for (let i = 0; i < model.ranked.length && out.length < k; i++) {
    const id = model.ranked[i];
    if (!exclude.has(id)) out.push(id);
  }
  return out;
}
