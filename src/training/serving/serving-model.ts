import { userIndex } from '../model/als.js';
import { foldInUser, type UserListen } from '../model/fold-in.js';
import { isItemModel } from '../model/item-model.js';
import { recommendItems } from '../model/item-recommend.js';
import type { TrainedModel } from '../model/model.js';
import { recommend, type Recommendation } from '../model/recommend.js';

/**
 * A user's top-k tracks as the recommendation run serves them: the vector is folded in from the
 * user's whole history (repeats add up to counts), so a list follows the newest listens without a
 * retrain and a user the model never saw is served too; the model's own row only when the history
 * holds no track the model knows. Listened tracks and `exclude` are left out. No vector: [].
 * An item-to-item model (EASE, RP3beta) scores from the same history, exactly (item-recommend.ts).
 * The training gate scores candidate and production through this same function.
 */
export function servedRecommendations(
  model: TrainedModel,
  userId: number,
  listened: readonly UserListen[],
  k: number,
  exclude: Iterable<number> = [],
): Recommendation[] {
  if (isItemModel(model)) return recommendItems(model, listened, k, exclude);
  let vector = listened.length > 0 ? foldInUser(model, listened) : null;
  if (!vector) {
    const row = userIndex(model, userId);
    if (row < 0) return [];
    const f = model.settings.factors;
    vector = model.userFactors.subarray(row * f, (row + 1) * f);
  }
  const skip = new Set(exclude);
  for (const l of listened) skip.add(l.trackId);
  return recommend(model, vector, { k, exclude: skip });
}

/** Track ids with repeats (a history's items) as listens with counts. */
export function countListens(trackIds: readonly number[]): UserListen[] {
  const counts = new Map<number, number>();
  for (const t of trackIds) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([trackId, count]) => ({ trackId, count }));
}
