/**
 * Seeded synthetic listens with planted structure: users and tracks fall in taste clusters, a user
 * listens mostly inside its cluster, and popularity is heavy-tailed. A model that learns the
 * clusters beats popularity by far; one that does not, cannot. Used by tests and bench:train.
 */
import type { Listen } from '../training/model/als.js';
import { deriveSeed, Rng } from '../common/random.js';

export interface PlantedOptions {
  users: number;
  tracks: number;
  /** Distinct (user, track) pairs to draw. */
  listens: number;
  clusters?: number;
  /** Share of a user's tracks drawn from its own cluster; the rest follow global popularity. */
  inCluster?: number;
  seed?: number;
}

export interface PlantedData {
  users: number;
  tracks: number;
  /** Row (user index), column (track index) and listen count of each distinct pair. */
  rows: Int32Array;
  cols: Int32Array;
  counts: Float32Array;
  userCluster: Int32Array;
  trackCluster: Int32Array;
}

export function plantedInteractions(o: PlantedOptions): PlantedData {
  const { users, tracks } = o;
  const clusters = Math.max(1, Math.min(o.clusters ?? 16, tracks));
  const inCluster = o.inCluster ?? 0.8;
  const seed = o.seed ?? 42;
  if (!(users >= 1 && tracks >= 1 && o.listens >= 0)) throw new Error('plantedInteractions: users and tracks must be >= 1, listens >= 0');
  const cap = Math.max(1, Math.floor(tracks / 2));
  if (o.listens > users * cap) throw new Error(`plantedInteractions: at most ${users * cap} distinct pairs fit (half the tracks per user)`);
  const rng = new Rng(deriveSeed(seed, 'planted'));

  const trackCluster = new Int32Array(tracks);
  const userCluster = new Int32Array(users);
  for (let i = 0; i < tracks; i++) trackCluster[i] = i % clusters;
  for (let u = 0; u < users; u++) userCluster[u] = rng.int(clusters);

  // Heavy-tailed popularity: a random permutation of ranks, weight ~ 1 / (rank + 10)^0.9.
  const rank = Array.from({ length: tracks }, (_, i) => i);
  rng.shuffle(rank);
  const weight = new Float64Array(tracks);
  for (let i = 0; i < tracks; i++) weight[i] = 1 / Math.pow(rank[i] + 10, 0.9);
  const globalCum = cumulative(Array.from({ length: tracks }, (_, i) => i), weight);
  const members: number[][] = Array.from({ length: clusters }, () => []);
  for (let i = 0; i < tracks; i++) members[trackCluster[i]].push(i);
  const clusterCum = members.map((m) => cumulative(m, weight));

  // Per-user quotas: log-normal activity, capped, summing exactly to listens.
  const activity = new Float64Array(users);
  let total = 0;
  for (let u = 0; u < users; u++) total += activity[u] = Math.exp(0.8 * rng.normal());
  const quota = new Int32Array(users);
  let assigned = 0;
  for (let u = 0; u < users; u++) assigned += quota[u] = Math.min(cap, Math.floor((o.listens * activity[u]) / total));
  for (let u = 0; assigned < o.listens; u = (u + 1) % users) {
    if (quota[u] < cap) {
      quota[u]++;
      assigned++;
    }
  }

  const rows = new Int32Array(o.listens);
  const cols = new Int32Array(o.listens);
  const counts = new Float32Array(o.listens);
  const stamp = new Int32Array(tracks);
  let e = 0;
  for (let u = 0; u < users; u++) {
    const own = clusterCum[userCluster[u]];
    for (let q = 0; q < quota[u]; q++) {
      let item = -1;
      for (let attempt = 0; attempt < 64 && item < 0; attempt++) {
        const cand = rng.next() < inCluster ? sample(own, rng) : sample(globalCum, rng);
        if (stamp[cand] !== u + 1) item = cand;
      }
      if (item < 0) {
        item = rng.int(tracks);
        while (stamp[item] === u + 1) item = (item + 1) % tracks;
      }
      stamp[item] = u + 1;
      let count = 1;
      while (count < 50 && rng.next() < 0.4) count++;
      rows[e] = u;
      cols[e] = item;
      counts[e] = count;
      e++;
    }
  }
  return { users, tracks, rows, cols, counts, userCluster, trackCluster };
}

/** Planted data as listens: user ids 1..users and track ids 1..tracks (the same numbers, on purpose: separate namespaces). */
export function plantedListens(o: PlantedOptions & { start?: Date; days?: number }): Listen[] {
  const d = plantedInteractions(o);
  const rng = new Rng(deriveSeed(o.seed ?? 42, 'planted-times'));
  const start = (o.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
  const span = (o.days ?? 90) * 86_400_000;
  const out: Listen[] = new Array(d.rows.length);
  for (let e = 0; e < d.rows.length; e++) {
    out[e] = { userId: d.rows[e] + 1, trackId: d.cols[e] + 1, count: d.counts[e], listenedAt: new Date(start + Math.floor(rng.next() * span)) };
  }
  return out;
}

interface Cumulative {
  items: Int32Array;
  cum: Float64Array;
}

function cumulative(items: number[], weight: Float64Array): Cumulative {
  const cum = new Float64Array(items.length);
  let s = 0;
  for (let i = 0; i < items.length; i++) cum[i] = s += weight[items[i]];
  return { items: Int32Array.from(items), cum };
}

function sample(c: Cumulative, rng: Rng): number {
  const target = rng.next() * c.cum[c.cum.length - 1];
  let lo = 0;
  let hi = c.cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return c.items[lo];
}
