import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';

const DAY_MS = 24 * 3600 * 1000;
/** How long the API reuses the list of recent runs (a new run's playlists are in the cache meanwhile). */
const REFRESH_MS = 10_000;

/** Keys of the runs within PLAYLIST_RETENTION_DAYS, newest first: where a user's stored playlists can be. */
@Injectable()
export class RecentRuns {
  private cached?: { at: number; keys: Promise<string[]> };
  /** Replaceable clock (tests). */
  now: () => number = Date.now;

  constructor(
    private readonly runs: RecommendationRunsRepository,
    private readonly config: AppConfig,
  ) {}

  keys(): Promise<string[]> {
    const t = this.now();
    if (!this.cached || t - this.cached.at > REFRESH_MS) {
      const keys = this.runs.runKeysSince(new Date(t - (this.config.PLAYLIST_RETENTION_DAYS + 1) * DAY_MS));
      this.cached = { at: t, keys };
      keys.catch(() => (this.cached = undefined));
    }
    return this.cached.keys;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
