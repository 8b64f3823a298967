/**
 * Ranking metrics at k exactly as docs/datasets.md defines them (binary relevance, averaged over
 * test users, coverage over the full catalogue).
 */

export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
  /** Test users averaged over. */
  users: number;
}

/** Hits among the first k recommended tracks. */
export function hitsAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  for (let i = 0; i < Math.min(k, recommended.length); i++) if (relevant.has(recommended[i])) hits++;
  return hits;
}

export function precisionAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return hitsAtK(recommended, relevant, k) / k;
}

export function recallAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return relevant.size === 0 ? 0 : hitsAtK(recommended, relevant, k) / relevant.size;
}

/** DCG over hit positions i (1-based) of 1 / log2(i + 1), over the ideal DCG of min(k, |T|) hits. */
export function ndcgAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let dcg = 0;
  for (let i = 0; i < Math.min(k, recommended.length); i++) if (relevant.has(recommended[i])) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

/** (1 / min(k, |T|)) * sum over hit positions i of (hits within the first i) / i. */
export function averagePrecisionAtK(recommended: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  const denom = Math.min(k, relevant.size);
  if (denom === 0) return 0;
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < Math.min(k, recommended.length); i++) {
    if (relevant.has(recommended[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / denom;
}

/** Averages the per-user metrics and collects the union of recommended tracks for coverage. */
export class RankingAccumulator {
  private users = 0;
  private precision = 0;
  private recall = 0;
  private ndcg = 0;
  private map = 0;
  private readonly recommended = new Set<number>();

  constructor(
    readonly k: number,
    readonly catalogueSize: number,
  ) {
    if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k must be an integer >= 1, got ${k}`);
  }

  /** One test user's list L_u (best first) and distinct test tracks T_u. */
  add(recommended: ArrayLike<number>, relevant: ReadonlySet<number>): void {
    const k = this.k;
    this.users++;
    this.precision += precisionAtK(recommended, relevant, k);
    this.recall += recallAtK(recommended, relevant, k);
    this.ndcg += ndcgAtK(recommended, relevant, k);
    this.map += averagePrecisionAtK(recommended, relevant, k);
    for (let i = 0; i < Math.min(k, recommended.length); i++) this.recommended.add(recommended[i]);
  }

  result(): RankingMetrics {
    const n = this.users || 1;
    return {
      precision: this.precision / n,
      recall: this.recall / n,
      ndcg: this.ndcg / n,
      map: this.map / n,
      coverage: this.catalogueSize === 0 ? 0 : this.recommended.size / this.catalogueSize,
      users: this.users,
    };
  }
}

/** The test users of a split with their training and test tracks, and the catalogue. */
export interface TestSet {
  /** Sorted track ids: catalogue file ids plus every track of the split. */
  catalogue: Float64Array;
  users: TestUser[];
}

export interface TestUser {
  userId: number;
  /** Distinct training tracks: excluded from the user's list. */
  train: Set<number>;
  /** Distinct test tracks T_u. */
  test: Set<number>;
}

interface UserTrack {
  userId: number;
  trackId: number;
}

/** Test users are those with at least one training and one test track, in ascending id order. */
export function buildTestSet(train: readonly UserTrack[], test: readonly UserTrack[], catalogue: Iterable<number> = []): TestSet {
  const tracks = new Set<number>(catalogue);
  const trainBy = new Map<number, Set<number>>();
  for (const l of train) {
    tracks.add(l.trackId);
    let s = trainBy.get(l.userId);
    if (!s) trainBy.set(l.userId, (s = new Set()));
    s.add(l.trackId);
  }
  const testBy = new Map<number, Set<number>>();
  for (const l of test) {
    tracks.add(l.trackId);
    let s = testBy.get(l.userId);
    if (!s) testBy.set(l.userId, (s = new Set()));
    s.add(l.trackId);
  }
  const users: TestUser[] = [];
  for (const [userId, t] of testBy) {
    const tr = trainBy.get(userId);
    if (tr && tr.size > 0 && t.size > 0) users.push({ userId, train: tr, test: t });
  }
  users.sort((a, b) => a.userId - b.userId);
  return { catalogue: Float64Array.from(tracks).sort(), users };
}

/** A recommender under evaluation: the user's top-k track ids, best first, none of `exclude`. */
export type RecommendFn = (userId: number, exclude: ReadonlySet<number>, k: number) => ArrayLike<number>;

export function evaluateRecommender(testSet: TestSet, k: number, recommend: RecommendFn): RankingMetrics {
  const acc = new RankingAccumulator(k, testSet.catalogue.length);
  for (const u of testSet.users) acc.add(recommend(u.userId, u.train, k), u.test);
  return acc.result();
}
