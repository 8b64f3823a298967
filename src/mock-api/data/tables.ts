import { formatIsoMicros } from './iso-dates.js';
import { growFloat64 } from './growable.js';

export const ENDPOINTS = ['tracks', 'users', 'listen_history'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** One endpoint's items in serving order; a page is a slice of `json(i)`. */
export interface ItemTable {
  readonly size: number;
  /** The id that names item i (user_id for listen history). */
  id(i: number): number;
  /** The item's JSON, serialised once per change of the item. */
  json(i: number): string;
  /** A fresh object of the item, for the fault injector to damage. */
  record(i: number): Record<string, unknown>;
}

/** Items that never change once created (tracks, users): serialised once, at creation. */
export class JsonTable implements ItemTable {
  private readonly ids: number[] = [];
  private readonly items: string[] = [];

  get size(): number {
    return this.items.length;
  }

  add(id: number, record: object): void {
    this.ids.push(id);
    this.items.push(JSON.stringify(record));
  }

  id(i: number): number {
    return this.ids[i]!;
  }

  json(i: number): string {
    return this.items[i]!;
  }

  record(i: number): Record<string, unknown> {
    return JSON.parse(this.items[i]!) as Record<string, unknown>;
  }
}

/**
 * One history record per user: the track ids of all users in one typed array (user i's are
 * pool[offsets[i]..offsets[i+1]]), compacted on each append, so millions of listens cost 4 bytes each.
 * A record's JSON is cached until that user's items change.
 */
export class ListenHistoryTable implements ItemTable {
  private readonly userIds: number[] = [];
  private readonly createdUs = growFloat64();
  private readonly updatedUs = growFloat64();
  private offsets = new Int32Array(17);
  private pool: Int32Array | Float64Array;
  private cache: (string | undefined)[] = [];

  /** wideIds: track ids may exceed 2^31 (a replayed data set), so the pool holds doubles. */
  constructor(private readonly wideIds = false) {
    this.pool = wideIds ? new Float64Array(0) : new Int32Array(0);
  }

  get size(): number {
    return this.userIds.length;
  }

  get totalListens(): number {
    return this.offsets[this.userIds.length]!;
  }

  /** Adds a user's record with no items (cold start); returns its index. */
  addUser(userId: number, createdUs: number, updatedUs: number): number {
    const i = this.userIds.length;
    if (i + 2 > this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.offsets[i + 1] = this.offsets[i]!;
    this.userIds.push(userId);
    this.createdUs.push(createdUs);
    this.updatedUs.push(updatedUs);
    this.cache.push(undefined);
    return i;
  }

  /** Appends listens, in the given order, to users' items: pair k is (users[k], tracks[k]). */
  append(users: ArrayLike<number>, tracks: ArrayLike<number>, count: number): void {
    if (count === 0) return;
    const n = this.userIds.length;
    const added = new Int32Array(n);
    for (let k = 0; k < count; k++) added[users[k]!]!++;
    const offsets = new Int32Array(Math.max(17, n + 1));
    for (let u = 0; u < n; u++) offsets[u + 1] = offsets[u]! + (this.offsets[u + 1]! - this.offsets[u]!) + added[u]!;
    const pool = this.wideIds ? new Float64Array(offsets[n]!) : new Int32Array(offsets[n]!);
    const cursor = new Int32Array(n);
    for (let u = 0; u < n; u++) {
      const from = this.offsets[u]!;
      const to = this.offsets[u + 1]!;
      if (to > from) pool.set(this.pool.subarray(from, to), offsets[u]!);
      cursor[u] = offsets[u]! + (to - from);
      if (added[u]! > 0) this.cache[u] = undefined;
    }
    for (let k = 0; k < count; k++) pool[cursor[users[k]!]!++] = tracks[k]!;
    this.offsets = offsets;
    this.pool = pool;
  }

  /** Moves a record's updated_at (a user listened). */
  touch(i: number, updatedUs: number): void {
    this.updatedUs.set(i, updatedUs);
    this.cache[i] = undefined;
  }

  setDates(i: number, createdUs: number, updatedUs: number): void {
    this.createdUs.set(i, createdUs);
    this.updatedUs.set(i, updatedUs);
    this.cache[i] = undefined;
  }

  items(i: number): Int32Array | Float64Array {
    return this.pool.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }

  itemCount(i: number): number {
    return this.offsets[i + 1]! - this.offsets[i]!;
  }

  id(i: number): number {
    return this.userIds[i]!;
  }

  json(i: number): string {
    let s = this.cache[i];
    if (s === undefined) {
      s = `{"user_id":${this.userIds[i]},"items":[${this.items(i).join(',')}],"created_at":"${formatIsoMicros(this.createdUs.get(i))}","updated_at":"${formatIsoMicros(this.updatedUs.get(i))}"}`;
      this.cache[i] = s;
    }
    return s;
  }

  record(i: number): Record<string, unknown> {
    return JSON.parse(this.json(i)) as Record<string, unknown>;
  }
}

/** What one simulated day added (the ground truth a daily ingestion is compared with). */
export interface DayStats {
  day: number;
  date: string;
  new_users: number;
  new_tracks: number;
  active_users: number;
  listens: number;
}

/** The data a mode serves, and how its calendar moves. */
export interface MockDataset {
  readonly mode: 'classic' | 'living' | 'replay';
  readonly seed: number | undefined;
  readonly tracks: ItemTable;
  readonly users: ItemTable;
  readonly listenHistory: ListenHistoryTable;
  /** Microseconds of day 0 at 00:00. */
  readonly startUs: number;
  /** Days simulated so far. */
  readonly day: number;
  /** Simulates the next day (classic and replay only move the date) and says what it added. */
  advanceDay(): DayStats;
}
