import { Injectable, NotFoundException } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
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

/**
 * Serving, never running a model: the user's pre-rendered answer in Redis (behind a near cache of
 * a few seconds in this process); else their latest
 * playlist in MongoDB (and the cache is warmed again); else the cold-start list of their favourite
 * genre, precomputed by the last run. Every answer is counted as a hit or a miss by where it came from.
 */
@Injectable()
export class RecommendationServing {
  /** In front of Redis, per process (RECOMMENDATION_LOCAL_CACHE_TTL). */
  readonly local: LocalAnswerCache;

  constructor(
    private readonly config: AppConfig,
    private readonly cache: RecommendationCache,
    private readonly playlists: PlaylistRepository,
    private readonly recent: RecentRuns,
    private readonly reader: CatalogueReader,
    private readonly metrics: PipelineMetrics,
  ) {
    this.local = new LocalAnswerCache(config.RECOMMENDATION_LOCAL_CACHE_TTL * 1000);
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
    const cached = await this.cache.getUser(userId);
    if (cached !== null) {
      const variant = variantOfRendered(cached);
      this.local.set(userId, cached, variant);
      return this.served(limitRendered(cached, limit, size), 'cache', 'hit', variant);
    }

    const keys = await this.recent.keys();
    const latest = await this.playlists.latestPlaylist(userId, keys);
    if (latest) {
      const json = JSON.stringify(recommendationsView(latest, await this.details(latest.track_ids)));
      await this.cache.setUsers([{ userId, json }]);
      this.local.set(userId, json, latest.variant);
      return this.served(limitRendered(json, limit, size), 'store', 'miss_store', latest.variant);
    }

    const genres = await this.reader.favouriteGenres(userId);
    if (genres === null) throw new NotFoundException(`user ${userId} does not exist`);
    const template = await this.coldStartTemplate(genres, keys);
    if (template === null) throw new NotFoundException(`no recommendations for user ${userId} yet: no recommendation run has completed`);
    return this.served(limitRendered(fillColdStartTemplate(template, userId), limit, size), 'cold_start', 'miss_cold_start', COLD_START_VARIANT);
  }

  /** The user's generated playlists, newest first, a page at a time. */
  async userPlaylists(userId: number, page: number, size: number): Promise<Page<PlaylistSummary>> {
    const all = await this.playlists.userPlaylists(userId, await this.recent.keys());
    if (all.length === 0 && (await this.reader.favouriteGenres(userId)) === null) throw new NotFoundException(`user ${userId} does not exist`);
    const items = all.slice((page - 1) * size, page * size).map(summaryOf);
    return { items, total: all.length, page, size, pages: Math.ceil(all.length / size) };
  }

  async playlist(playlistId: string): Promise<PlaylistView> {
    const p = await this.playlists.findPlaylist(playlistId);
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
      const cached = await this.cache.getColdStart(genre);
      if (cached !== null) return cached;
      const stored = await this.playlists.latestColdStart(genre ?? '*', keys);
      if (stored) {
        const template = coldStartTemplate(stored, await this.details(stored.track_ids));
        await this.cache.setColdStart([{ genre, json: template }]);
        return template;
      }
    }
    return null;
  }

  /** Display fields from the Redis track table, and from MongoDB for what it lacks. */
  private async details(ids: readonly number[]): Promise<(id: number) => TrackDetails | undefined> {
    const found = await this.cache.getTracks(ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const fromStore = await this.reader.trackDetails(missing);
      for (const [id, d] of fromStore) found.set(id, d);
      if (fromStore.size > 0) await this.cache.setTracks([...fromStore.values()]);
    }
    return (id) => found.get(id);
  }
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
