import { Injectable } from '@nestjs/common';
import type { RunRecord } from '../monitoring/run-records.repository.js';
import { withTimeout } from '../monitoring/timeout.js';
import { CacheHitSampler } from './cache-hit-sampler.js';
import {
  cachePoints,
  decisionsOf,
  driftPoints,
  explainTracks,
  ingestionPoints,
  ingestionRunSummary,
  MAX_POINTS,
  MAX_VERSIONS,
  modelVersionViews,
  recommendationPoints,
  recommendationRunSummary,
  round,
  variantHitRates,
  type TrackFacts,
} from './dashboard-aggregation.js';
import { DashboardRepository } from './dashboard.repository.js';

const DAY_MS = 24 * 3600 * 1000;
/** The default and longest time range of the run charts. */
export const DEFAULT_RANGE_DAYS = 365;
export const MAX_RANGE_DAYS = 3 * 365;
/** Playlists whose live hit rate is measured: those of the last week. */
export const HIT_RATE_WINDOW_DAYS = 7;
/** The hit rates read every playlist and listen of the window: computed at most this often. */
export const HIT_RATE_CACHE_MS = 5 * 60_000;
/**
 * How long a panel's answer is reused: the page refreshes every minute and several people may
 * look at once, while a year of runs is a whole-collection read on FerretDB (about a second).
 */
export const PANEL_CACHE_MS = 15_000;
/** Longest wait for one panel's reads. */
export const DASHBOARD_READ_TIMEOUT_MS = 15_000;
/** Recent listens shown in the user view. */
export const RECENT_LISTENS = 20;
/** Listens whose genres count as the user's listened genres. */
const GENRE_LISTENS = 100;
/** Recommendation runs searched for a user's latest playlist. */
const RUNS_SEARCHED = 30;

const bounded = <T>(p: Promise<T>, what: string) =>
  withTimeout(p, DASHBOARD_READ_TIMEOUT_MS, `${what} not read within ${DASHBOARD_READ_TIMEOUT_MS} ms`);

/** The JSON behind the dashboard's charts: bounded reads, aggregated here (at most MAX_POINTS points per series). */
@Injectable()
export class DashboardApiService {
  private hitRates?: { at: number; value: Promise<ReturnType<typeof variantHitRates> & { window_days: number; playlists: number }> };
  private readonly panels = new Map<string, { at: number; value: Promise<unknown> }>();
  /** Replaceable clock (tests). */
  now: () => number = Date.now;

  /**
   * One read per panel and range at a time, its answer reused for PANEL_CACHE_MS; a failure is not
   * kept. The caller's wait is bounded, not the read: a slow read that outlives a request is still
   * the one the next request waits for, so slow reads do not pile up.
   */
  private cached<T>(key: string, what: string, make: () => Promise<T>): Promise<T> {
    const t = this.now();
    const hit = this.panels.get(key);
    if (hit && t - hit.at < PANEL_CACHE_MS) return bounded(hit.value as Promise<T>, what);
    for (const [k, v] of this.panels) if (t - v.at >= PANEL_CACHE_MS) this.panels.delete(k);
    const value = make();
    this.panels.set(key, { at: t, value });
    value.catch(() => this.panels.get(key)?.value === value && this.panels.delete(key));
    return bounded(value, what);
  }

  constructor(
    private readonly repo: DashboardRepository,
    private readonly cache: CacheHitSampler,
  ) {}

  private since(days: number): Date {
    return new Date(this.now() - days * DAY_MS);
  }

  ingestion(days: number) {
    return this.cached(`ingestion:${days}`, 'ingestion runs', () => this.readIngestion(days));
  }

  private async readIngestion(days: number) {
    const [runs, last] = await Promise.all([this.repo.runsSince('ingestion', this.since(days)), this.repo.lastRun('ingestion')]);
    return {
      range_days: days,
      max_points: MAX_POINTS,
      runs_read: runs.length,
      last_run: ingestionRunSummary(last),
      ...ingestionPoints(runs),
    };
  }

  async recommendations(days: number) {
    const [[runs, last], hitRates] = await Promise.all([
      this.cached(`recommendations:${days}`, 'recommendation runs', () => this.readRecommendationRuns(days)),
      this.variantHitRates().catch((err: Error) => ({ error: err.message })),
    ]);
    return this.recommendationsAnswer(days, runs, last, hitRates);
  }

  private readRecommendationRuns(days: number) {
    return Promise.all([this.repo.runsSince('recommendations', this.since(days)), this.repo.lastRun('recommendations')]);
  }

  private recommendationsAnswer(
    days: number,
    runs: RunRecord[],
    last: RunRecord | null,
    hitRates: Awaited<ReturnType<DashboardApiService['variantHitRates']>> | { error: string },
  ) {
    const samples = this.cache.series();
    const now = samples[samples.length - 1]!;
    const reads = now.hit + now.miss_store + now.miss_cold_start;
    return {
      range_days: days,
      max_points: MAX_POINTS,
      runs_read: runs.length,
      last_run: recommendationRunSummary(last),
      ...recommendationPoints(runs),
      cache: {
        scope: 'this API process, sampled every minute over the last day',
        since: samples[0]!.t,
        totals: {
          hit: now.hit,
          miss_store: now.miss_store,
          miss_cold_start: now.miss_cold_start,
          hit_ratio: reads ? round(now.hit / reads) : null,
        },
        points: cachePoints(samples),
      },
      hit_rates: hitRates,
    };
  }

  /** Live hit rate of each variant over the playlists of the last week, cached for a few minutes. */
  variantHitRates() {
    const t = this.now();
    if (!this.hitRates || t - this.hitRates.at > HIT_RATE_CACHE_MS) {
      const value = (async () => {
        const playlists = await this.repo.playlistsSince(new Date(t - HIT_RATE_WINDOW_DAYS * DAY_MS));
        // A listen before a playlist's data day cannot be one of its tracks (playlists hold unheard tracks only).
        let from = Infinity;
        for (const p of playlists) {
          const d = Date.parse(`${p.runDate}T00:00:00Z`);
          if (d < from) from = d;
        }
        const listened = await this.repo.listenedSince(
          new Date(Number.isFinite(from) ? from : t - HIT_RATE_WINDOW_DAYS * DAY_MS),
          new Set(playlists.map((p) => p.userId)),
        );
        return { window_days: HIT_RATE_WINDOW_DAYS, playlists: playlists.length, ...variantHitRates(playlists, listened) };
      })();
      // The read, not the wait, is cached: requests during a slow read wait for that one.
      this.hitRates = { at: t, value };
      value.catch(() => this.hitRates?.value === value && (this.hitRates = undefined));
    }
    return bounded(this.hitRates.value, 'playlists and listens');
  }

  models(days: number) {
    return this.cached(`models:${days}`, 'model versions and training runs', () => this.readModels(days));
  }

  private async readModels(days: number) {
    const [versionDocs, trainingRuns] = await Promise.all([
      this.repo.modelVersions(MAX_VERSIONS),
      this.repo.runsSince('training', this.since(days)),
    ]);
    const versions = modelVersionViews(versionDocs);
    return {
      range_days: days,
      production: versions.find((v) => v.status === 'production')?.version ?? null,
      canary: versions.find((v) => v.status === 'canary')?.version ?? null,
      versions,
      drift: driftPoints(trainingRuns),
      decisions: decisionsOf(trainingRuns, versions),
    };
  }

  /** A user's recent listens and latest playlist with why each track is in it; null for an unknown user. */
  async user(userId: number) {
    return bounded(
      (async () => {
        const [user, history, runKeys] = await Promise.all([
          this.repo.user(userId),
          this.repo.listenHistory(userId),
          this.repo.recentRunKeys(this.since(MAX_RANGE_DAYS), RUNS_SEARCHED),
        ]);
        const playlist = await this.repo.latestPlaylist(userId, runKeys);
        if (!user && !history && !playlist) return null;
        const items = Array.isArray(history?.items) ? (history!.items as number[]) : [];
        const recent = items.slice(-RECENT_LISTENS).reverse();
        const trackIds = Array.isArray(playlist?.track_ids) ? (playlist!.track_ids as number[]) : [];
        // The user's listened genres are those of their last GENRE_LISTENS listens (one `_id` lookup per track).
        const tracks = await this.repo.tracks([...items.slice(-GENRE_LISTENS), ...trackIds]);
        const favourites = Array.isArray(user?.favorite_genres) ? (user!.favorite_genres as string[]) : [];
        const listenedGenres = new Set(items.flatMap((id) => tracks.get(id)?.genres ?? []));
        const facts = (id: number): TrackFacts => tracks.get(id) ?? { name: null, artist: null, genres: [] };
        const date = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);
        return {
          user_id: userId,
          known_user: user !== null,
          favorite_genres: favourites,
          account_status: typeof user?.account_status === 'string' ? user.account_status : null,
          listens_total: items.length,
          history_updated_at: date(history?.updated_at),
          recent_listens: recent.map((id) => ({ track_id: id, ...facts(id) })),
          playlist: playlist
            ? {
                playlist_id: String(playlist.playlist_id ?? playlist._id),
                created_at: date(playlist.created_at),
                run_id: typeof playlist.run_id === 'string' ? playlist.run_id : null,
                run_date: typeof playlist.run_date === 'string' ? playlist.run_date : null,
                recommender: String(playlist.recommender ?? 'unknown'),
                model_version: typeof playlist.model_version === 'string' ? playlist.model_version : null,
                variant: String(playlist.variant ?? 'unknown'),
                experiment: typeof playlist.experiment === 'string' ? playlist.experiment : null,
                tracks: explainTracks(
                  {
                    track_ids: trackIds,
                    scores: Array.isArray(playlist.scores) ? (playlist.scores as number[]) : [],
                    recommender: String(playlist.recommender ?? 'unknown'),
                    model_version: typeof playlist.model_version === 'string' ? playlist.model_version : null,
                    sources: playlist.sources,
                  },
                  tracks,
                  favourites,
                  listenedGenres,
                ),
              }
            : null,
        };
      })(),
      `user ${userId}`,
    );
  }
}
