/**
 * Train/test split of docs/datasets.md: a time split when every listen has a time (each user's
 * last 20% of listens by time held out), else a seeded random 20% of each user's distinct tracks.
 * Users with fewer than 5 distinct tracks keep everything in training.
 */
import type { Listen } from '../model/als.js';
import { deriveSeed, Rng } from '../../common/random.js';

export type SplitMethod = 'time' | 'random' | 'given';

export interface Split {
  train: Listen[];
  test: Listen[];
  method: SplitMethod;
}

export interface SplitOptions {
  /** Share of each eligible user's listens held out (0.2). */
  testShare?: number;
  /** Users with fewer distinct tracks keep all of theirs in training (5). */
  minDistinctTracks?: number;
  /** Seed of the random split (ignored by the time split). */
  seed?: number;
}

/** Held-out count for n units: round(share * n), at least 1 and leaving at least 1 in training. */
export function heldOutCount(n: number, share: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(share * n)));
}

export function splitListens(listens: readonly Listen[], options: SplitOptions = {}): Split {
  const share = options.testShare ?? 0.2;
  const minDistinct = options.minDistinctTracks ?? 5;
  if (!(share > 0 && share < 1)) throw new Error(`testShare must be in (0, 1), got ${share}`);
  const timed = listens.length > 0 && listens.every((l) => l.listenedAt instanceof Date && !Number.isNaN(l.listenedAt.getTime()));
  return timed ? timeSplit(listens, share, minDistinct) : randomSplit(listens, share, minDistinct, options.seed ?? 42);
}

function byUser(listens: readonly Listen[]): Map<number, Listen[]> {
  const users = new Map<number, Listen[]>();
  for (const l of listens) {
    let list = users.get(l.userId);
    if (!list) users.set(l.userId, (list = []));
    list.push(l);
  }
  return new Map([...users.entries()].sort((a, b) => a[0] - b[0]));
}

function distinctTracks(list: readonly Listen[]): number {
  return new Set(list.map((l) => l.trackId)).size;
}

/** Each listen line is one unit; ties in time break by track id, then by input order. */
function timeSplit(listens: readonly Listen[], share: number, minDistinct: number): Split {
  const train: Listen[] = [];
  const test: Listen[] = [];
  for (const list of byUser(listens).values()) {
    const ordered = list
      .map((l, i) => ({ l, i }))
      .sort((a, b) => a.l.listenedAt!.getTime() - b.l.listenedAt!.getTime() || a.l.trackId - b.l.trackId || a.i - b.i)
      .map((e) => e.l);
    if (distinctTracks(ordered) < minDistinct) {
      train.push(...ordered);
      continue;
    }
    const cut = ordered.length - heldOutCount(ordered.length, share);
    train.push(...ordered.slice(0, cut));
    test.push(...ordered.slice(cut));
  }
  return { train, test, method: 'time' };
}

/**
 * Without times, lines of one (user, track) are one unit (their counts add up), so a track never
 * lands on both sides. The user's tracks are sorted before the seeded shuffle: input order does not matter.
 */
function randomSplit(listens: readonly Listen[], share: number, minDistinct: number, seed: number): Split {
  const train: Listen[] = [];
  const test: Listen[] = [];
  const rng = new Rng(deriveSeed(seed, 'random-split'));
  for (const [userId, list] of byUser(listens)) {
    const pairs = new Map<number, Listen>();
    for (const l of list) {
      const prev = pairs.get(l.trackId);
      if (!prev) {
        pairs.set(l.trackId, { userId, trackId: l.trackId, count: l.count, ...(l.listenedAt ? { listenedAt: l.listenedAt } : {}) });
      } else {
        prev.count += l.count;
        if (l.listenedAt && (!prev.listenedAt || l.listenedAt > prev.listenedAt)) prev.listenedAt = l.listenedAt;
      }
    }
    const aggregated = [...pairs.values()].sort((a, b) => a.trackId - b.trackId);
    if (aggregated.length < minDistinct) {
      train.push(...aggregated);
      continue;
    }
    const nTest = heldOutCount(aggregated.length, share);
    const order = rng.shuffle(aggregated.map((_, i) => i));
    const held = new Uint8Array(aggregated.length);
    for (let i = 0; i < nTest; i++) held[order[i]] = 1;
    aggregated.forEach((l, i) => (held[i] ? test : train).push(l));
  }
  return { train, test, method: 'random' };
}
