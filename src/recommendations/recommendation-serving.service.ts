import { HttpException, Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { withTimeout } from '../monitoring/timeout.js';
import { CatalogueReader } from './catalogue-reader.js';
import { LocalAnswerCache } from './local-cache.js';
import {
  COLD_START_VARIANT,
  coldStartTemplate,
  fillColdStartTemplate,
  limitRendered,
  playlistView,
  recommendationsView,
  variantOfRendered,
  type PlaylistView,
  type TrackDetails,
} from './playlist-views.js';
import { PlaylistRepository } from './playlist.repository.js';
import { RecentRuns } from './recent-runs.js';
import { RecommendationCache } from './recommendation-cache.js';
import type { PlaylistDoc } from './recommendation.schemas.js';

export type ServedFrom = 'cache' | 'store' | 'cold_start';

export interface Served {
  /** The JSON answer, ready to send. */
  json: string;
  source: ServedFrom;
}

export interface PlaylistSummary {
  playlist_id: string;
  playlist_name: string;
  created_at: string;
  model_version: string | null;
  recommender: string;
  variant: string;
  track_count: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

/** Unknown user ids remembered per process at most (an id is a few dozen bytes). */
const UNKNOWN_LOCAL_ENTRIES = 100_000;
/** A failing dependency is logged at most this often. */
const DEGRADED_LOG_EVERY_MS = 10_000;

/**
 * Serving, never running a model: the user's pre-rendered answer in Redis (behind a near cache of
 * a few seconds in this process); else their latest
 * playlist in MongoDB (and the cache is warmed again); else the cold-start list of their favourite
 * genre, precomputed by the last run. Every answer is counted as a hit or a miss by where it came from.
 *
 * Each read has SERVING_TIMEOUT_MS: a Redis that fails or stalls is skipped (the answer comes from
 * MongoDB, degraded, not an error), a MongoDB that fails or stalls gives 503 rather than a hang;
 * cache warming never holds an answer. An unknown user id is remembered (UNKNOWN_USER_CACHE_TTL,
 * in Redis and in this process) so that repeating it costs no store read: on FerretDB that read
 * scans the users collection.
 */
@Injectable()
export class RecommendationServing {
  private readonly logger = new Logger('RecommendationServing');
  /** In front of Redis, per process (RECOMMENDATION_LOCAL_CACHE_TTL). */
  readonly local: LocalAnswerCache;
  /** User ids known not to exist, per process (UNKNOWN_USER_CACHE_TTL). */
  readonly unknownUsers: LocalAnswerCache;
  private readonly loggedAt = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly cache: RecommendationCache,
    private readonly playlists: PlaylistRepository,
    private readonly recent: RecentRuns,
    private readonly reader: CatalogueReader,
    private readonly metrics: PipelineMetrics,
  ) {
    this.local = new LocalAnswerCache(config.RECOMMENDATION_LOCAL_CACHE_TTL * 1000);
    this.unknownUsers = new LocalAnswerCache(config.UNKNOWN_USER_CACHE_TTL * 1000, UNKNOWN_LOCAL_ENTRIES);
  }

  /** The answer when this process's near cache has it, without any I/O; undefined otherwise. */
  fromNearCache(userId: number, limit: number): Served | undefined {
    const near = this.local.get(userId);
    return near ? this.served(limitRendered(near.json, limit, this.config.PLAYLIST_SIZE), 'cache', 'hit', near.variant) : undefined;
  }

  async recommendations(userId: number, limit: number): Promise<Served> {
    const size = this.config.PLAYLIST_SIZE;
    const near = this.fromNearCache(userId, limit);
    if (near) return near;
    const cached = await this.fromRedis('a cached answer', () => this.cache.getUser(userId));
    if (cached) {
      const variant = variantOfRendered(cached);
      this.local.set(userId, cached, variant);
      return this.served(limitRendered(cached, limit, size), 'cache', 'hit', variant);
    }
    // Checked on a miss only (a user given a playlist since is answered above): the store is not read again.
    if (this.unknownUsers.get(userId) || (await this.knownUnknown(userId))) throw unknownUser(userId);

    const keys = await this.fromStore('the recent runs', () => this.recent.keys());
    const latest = await this.fromStore('the latest playlist', () => this.playlists.latestPlaylist(userId, keys));
    if (latest) {
      const json = JSON.stringify(recommendationsView(latest, await this.details(latest.track_ids)));
      this.background('warming the cache', this.cache.setUsers([{ userId, json }]));
      this.local.set(userId, json, latest.variant);
      return this.served(limitRendered(json, limit, size), 'store', 'miss_store', latest.variant);
    }

    const genres = await this.favouriteGenres(userId);
    const template = await this.coldStartTemplate(genres, keys);
    if (template === null) throw new NotFoundException(`no recommendations for user ${userId} yet: no recommendation run has completed`);
    return this.served(
      limitRendered(fillColdStartTemplate(template, userId), limit, size),
      'cold_start',
      'miss_cold_start',
      COLD_START_VARIANT,
    );
  }

  /** The user's generated playlists, newest first, a page at a time. */
  async userPlaylists(userId: number, page: number, size: number): Promise<Page<PlaylistSummary>> {
    const keys = await this.fromStore('the recent runs', () => this.recent.keys());
    const all = await this.fromStore('the playlists', () => this.playlists.userPlaylists(userId, keys));
    if (all.length === 0 && (this.unknownUsers.get(userId) || (await this.knownUnknown(userId)))) throw unknownUser(userId);
    if (all.length === 0) await this.favouriteGenres(userId);
    const items = all.slice((page - 1) * size, page * size).map(summaryOf);
    return { items, total: all.length, page, size, pages: Math.ceil(all.length / size) };
  }

  async playlist(playlistId: string): Promise<PlaylistView> {
    const p = await this.fromStore('the playlist', () => this.playlists.findPlaylist(playlistId));
    if (!p) throw new NotFoundException(`playlist ${playlistId} does not exist`);
    return playlistView(p, await this.details(p.track_ids));
  }

  private served(json: string, source: ServedFrom, result: string, variant: string): Served {
    this.metrics.recommendationCacheRequests.with(result).inc();
    this.metrics.recommendationServed.with(variant).inc();
    return { json, source };
  }

  private async coldStartTemplate(genres: readonly string[], keys: readonly string[]): Promise<string | null> {
    for (const genre of [...genres.slice(0, 1), null]) {
      const cached = await this.fromRedis('a cold-start list', () => this.cache.getColdStart(genre));
      if (cached) return cached;
      const stored = await this.fromStore('a cold-start list', () => this.playlists.latestColdStart(genre ?? '*', keys));
      if (stored) {
        const template = coldStartTemplate(stored, await this.details(stored.track_ids));
        this.background('warming the cache', this.cache.setColdStart([{ genre, json: template }]));
        return template;
      }
    }
    return null;
  }

  /** Display fields from the Redis track table, and from MongoDB for what it lacks. */
  private async details(ids: readonly number[]): Promise<(id: number) => TrackDetails | undefined> {
    const found = (await this.fromRedis('track details', () => this.cache.getTracks(ids))) ?? new Map<number, TrackDetails>();
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const fromStore = await this.fromStore('track details', () => this.reader.trackDetails(missing));
      for (const [id, d] of fromStore) found.set(id, d);
      if (fromStore.size > 0) this.background('warming the cache', this.cache.setTracks([...fromStore.values()]));
    }
    return (id) => found.get(id);
  }

  /** The user's favourite genres; an unknown user is remembered, then 404. */
  private async favouriteGenres(userId: number): Promise<string[]> {
    const genres = await this.fromStore('the user', () => this.reader.favouriteGenres(userId));
    if (genres !== null) return genres;
    if (this.config.UNKNOWN_USER_CACHE_TTL > 0) {
      this.unknownUsers.set(userId, '', '');
      this.background('remembering an unknown user', this.cache.rememberUnknownUser(userId, this.config.UNKNOWN_USER_CACHE_TTL));
    }
    throw unknownUser(userId);
  }

  /** True when Redis remembers the id as unknown (another process, or before a restart, saw it). */
  private async knownUnknown(userId: number): Promise<boolean> {
    if (this.config.UNKNOWN_USER_CACHE_TTL <= 0) return false;
    const unknown = (await this.fromRedis('the unknown-user mark', () => this.cache.isUnknownUser(userId))) === true;
    if (unknown) this.unknownUsers.set(userId, '', '');
    return unknown;
  }

  /** A Redis read of the serving path: undefined when Redis fails or stalls, and the answer degrades. */
  private async fromRedis<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withTimeout(read(), this.config.SERVING_TIMEOUT_MS, `Redis did not answer within ${this.config.SERVING_TIMEOUT_MS} ms`);
    } catch (err) {
      this.degraded('redis', `reading ${what}: ${(err as Error).message}; serving from MongoDB`);
      return undefined;
    }
  }

  /** A MongoDB read of the serving path: 503 when MongoDB fails or stalls, never a hang. */
  private async fromStore<T>(what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(
        read(),
        this.config.SERVING_TIMEOUT_MS,
        `MongoDB did not answer within ${this.config.SERVING_TIMEOUT_MS} ms`,
      );
    } catch (err) {
      if (err instanceof HttpException) throw err;
      this.degraded('mongodb', `reading ${what}: ${(err as Error).message}`);
      throw new ServiceUnavailableException(`recommendations are unavailable for a moment: the store did not answer (${what})`);
    }
  }

  /** Writes that only help later reads: never awaited by an answer. */
  private background(what: string, write: Promise<unknown>): void {
    write.catch((err: unknown) => this.degraded('redis', `${what}: ${(err as Error).message}`));
  }

  private degraded(dependency: string, message: string): void {
    const now = Date.now();
    if (now - (this.loggedAt.get(dependency) ?? 0) < DEGRADED_LOG_EVERY_MS) return;
    this.loggedAt.set(dependency, now);
    this.logger.warn(`${dependency} degraded: ${message}`, { dependency });
  }
}

function unknownUser(userId: number): NotFoundException {
  return new NotFoundException(`user ${userId} does not exist`);
}

function summaryOf(p: PlaylistDoc): PlaylistSummary {
  return {
    playlist_id: p.playlist_id,
    playlist_name: p.playlist_name,
    created_at: new Date(p.created_at).toISOString(),
    model_version: p.model_version ?? null,
    recommender: p.recommender,
    variant: p.variant,
    track_count: p.track_ids.length,
  };
}
