/** Answers kept per API process at most (about 3 KB each). */
export const LOCAL_CACHE_ENTRIES = 20_000;

interface Entry {
  json: string;
  variant: string;
  expires: number;
}

/**
 * A near cache of pre-rendered answers in front of Redis: a few seconds of life, bounded size, the
 * oldest entry evicted first. It saves the Redis round trip on users read again within its TTL.
 * Batches announce the users they recomputed (NearCacheInvalidation), so a new playlist replaces
 * the old one at once; the TTL bounds the staleness if an announcement is lost.
 */
export class LocalAnswerCache {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = LOCAL_CACHE_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(userId: number): Entry | undefined {
    const e = this.entries.get(userId);
    if (!e) return undefined;
    if (e.expires > this.now()) return e;
    this.entries.delete(userId);
    return undefined;
  }

  set(userId: number, json: string, variant: string): void {
    if (!this.enabled) return;
    this.entries.delete(userId);
    this.entries.set(userId, { json, variant, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(userIds: Iterable<number>): void {
    for (const u of userIds) this.entries.delete(u);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
