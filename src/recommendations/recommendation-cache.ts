import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { REDIS } from '../redis/redis.module.js';
import type { TrackDetails } from './playlist-views.js';

/** Redis writes are pipelined by this many commands. */
const PIPELINE = 1000;

/**
 * The serving cache in Redis, under REDIS_PREFIX: each user's answer pre-rendered as JSON (written
 * when the playlist is computed, TTL RECOMMENDATION_CACHE_TTL), the cold-start list of each genre,
 * and the display fields of the catalogue's tracks (to render a playlist read back from MongoDB).
 */
@Injectable()
export class RecommendationCache {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.prefix = `${config.REDIS_PREFIX}:rec`;
  }

  userKey(userId: number): string {
    return `${this.prefix}:user:${userId}`;
  }

  coldStartKey(genre: string | null): string {
    return `${this.prefix}:cold:${genre ?? '*'}`;
  }

  /** Pub/sub channel on which batches announce the users they recomputed (comma-separated ids). */
  get recomputedChannel(): string {
    return `${this.prefix}:recomputed`;
  }

  async announceRecomputed(userIds: readonly number[]): Promise<void> {
    if (userIds.length > 0) await this.redis.publish(this.recomputedChannel, userIds.join(','));
  }

  unknownUserKey(userId: number): string {
    return `${this.prefix}:unknown:${userId}`;
  }

  /** Marks a user id as unknown for ttlSeconds, so repeated reads of it do not reach the store. */
  async rememberUnknownUser(userId: number, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.unknownUserKey(userId), '1', 'EX', Math.max(1, Math.round(ttlSeconds)));
  }

  async isUnknownUser(userId: number): Promise<boolean> {
    return (await this.redis.exists(this.unknownUserKey(userId))) === 1;
  }

  get tracksKey(): string {
    return `${this.prefix}:tracks`;
  }

  getUser(userId: number): Promise<string | null> {
    return this.redis.get(this.userKey(userId));
  }

  async setUsers(entries: ReadonlyArray<{ userId: number; json: string }>): Promise<void> {
    const ttl = Math.max(1, Math.round(this.config.RECOMMENDATION_CACHE_TTL));
    for (let i = 0; i < entries.length; i += PIPELINE) {
      const p = this.redis.pipeline();
      for (const e of entries.slice(i, i + PIPELINE)) p.set(this.userKey(e.userId), e.json, 'EX', ttl);
      throwFirstError(await p.exec());
    }
  }

  getColdStart(genre: string | null): Promise<string | null> {
    return this.redis.get(this.coldStartKey(genre));
  }

  /** Cold-start lists are kept until the next run replaces them (they outlive any user entry). */
  async setColdStart(lists: ReadonlyArray<{ genre: string | null; json: string }>): Promise<void> {
    const p = this.redis.pipeline();
    for (const l of lists) p.set(this.coldStartKey(l.genre), l.json, 'EX', this.longTtl());
    throwFirstError(await p.exec());
  }

  async setTracks(tracks: readonly TrackDetails[]): Promise<void> {
    for (let i = 0; i < tracks.length; i += PIPELINE) {
      const chunk = tracks.slice(i, i + PIPELINE);
      const args: string[] = [];
      for (const t of chunk) args.push(String(t.track_id), JSON.stringify(t));
      const p = this.redis
        .pipeline()
        .hset(this.tracksKey, ...args)
        .expire(this.tracksKey, this.longTtl());
      throwFirstError(await p.exec());
    }
  }

  async getTracks(ids: readonly number[]): Promise<Map<number, TrackDetails>> {
    const out = new Map<number, TrackDetails>();
    if (ids.length === 0) return out;
    const values = await this.redis.hmget(this.tracksKey, ...ids.map(String));
    values.forEach((v, i) => {
      if (v) out.set(ids[i]!, JSON.parse(v) as TrackDetails);
    });
    return out;
  }

  private longTtl(): number {
    return Math.max(1, Math.round(this.config.RECOMMENDATION_CACHE_TTL + this.config.RECOMMENDATION_MAX_AGE));
  }
}

function throwFirstError(results: Array<[Error | null, unknown]> | null): void {
  const failed = results?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}
