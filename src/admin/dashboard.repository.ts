import { Injectable } from '@nestjs/common';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { RunRecordsRepository, type RunRecord, type RunStage } from '../monitoring/run-records.repository.js';
import { PlaylistRepository } from '../recommendations/playlist.repository.js';
import type { TrackFacts, VariantPlaylist } from './dashboard-aggregation.js';

/** Most run records read for a chart: a year of hourly runs would still be cut here, newest kept. */
export const MAX_RUNS_READ = 5000;
const BATCH = 2000;

/** Only the fields each chart needs (run records carry checkpoints, errors, settings...). */
const RUN_FIELDS: Record<RunStage, Record<string, 1>> = {
  ingestion: {
    status: 1,
    trigger: 1,
    run_date: 1,
    started_at: 1,
    finished_at: 1,
    duration_s: 1,
    endpoints: 1,
    records_fetched: 1,
    anomaly: 1,
    error: 1,
  },
  recommendations: {
    status: 1,
    trigger: 1,
    run_date: 1,
    run_key: 1,
    started_at: 1,
    finished_at: 1,
    duration_s: 1,
    users_active: 1,
    users_computed: 1,
    users_skipped: 1,
    users_failed: 1,
    variants: 1,
    coverage_ratio: 1,
    oldest_playlist_at: 1,
    model_version: 1,
    canary_version: 1,
    error: 1,
  },
  training: {
    status: 1,
    trigger: 1,
    run_date: 1,
    started_at: 1,
    finished_at: 1,
    decision: 1,
    reason: 1,
    version: 1,
    gate: 1,
    drift: 1,
    error: 1,
  },
};

/**
 * The dashboard's reads, all of them bounded: run records of a time range (projected, capped),
 * model versions without their artifacts, one user's records by `_id`, and the playlists and
 * listens of the hit-rate window. Each through the repository of the module that owns the collection.
 */
@Injectable()
export class DashboardRepository {
  constructor(
    private readonly runs: RunRecordsRepository,
    private readonly playlists: PlaylistRepository,
    private readonly catalog: CatalogRepository,
  ) {}

  /** Runs of a stage started at or after `since`, newest MAX_RUNS_READ. */
  async runsSince(stage: RunStage, since: Date): Promise<RunRecord[]> {
    return this.runs.of(stage).startedSince(since, RUN_FIELDS[stage], MAX_RUNS_READ, BATCH);
  }

  /** The newest run of a stage, whatever its age. */
  async lastRun(stage: RunStage): Promise<RunRecord | null> {
    return this.runs.of(stage).newest(RUN_FIELDS[stage]);
  }

  /** Model versions, newest `limit`, without the artifact record. */
  async modelVersions(limit: number): Promise<RunRecord[]> {
    return this.runs.modelVersions(limit);
  }

  /** Keys of the recommendation runs started since `since`, newest first: where a user's playlists are. */
  async recentRunKeys(since: Date, limit: number): Promise<string[]> {
    const docs = await this.runs.of('recommendations').startedSince(since, { run_key: 1 }, limit);
    return [...new Set(docs.map((d) => d.run_key).filter((k): k is string => typeof k === 'string'))];
  }

  /** A user's newest playlist among the runs (newest first): playlist ids are `<user>-<run_key>`, so these are `_id` lookups. */
  async latestPlaylist(userId: number, runKeys: readonly string[]): Promise<Record<string, unknown> | null> {
    return (await this.playlists.latestPlaylist(userId, runKeys)) as Record<string, unknown> | null;
  }

  async user(userId: number): Promise<Record<string, unknown> | null> {
    return this.catalog.byId('users', userId, { favorite_genres: 1, account_status: 1, subscription_type: 1, created_at: 1 });
  }

  async listenHistory(userId: number): Promise<Record<string, unknown> | null> {
    return this.catalog.byId('listen_history', userId, { items: 1, updated_at: 1, generation: 1 });
  }

  /** Name, artist and genres of each track, one `_id` lookup per track (FerretDB pushes down only those). */
  async tracks(ids: readonly number[]): Promise<Map<number, TrackFacts>> {
    const unique = [...new Set(ids)];
    const found = await Promise.all(unique.map((id) => this.catalog.byId('tracks', id, { name: 1, artist: 1, genres: 1 })));
    const out = new Map<number, TrackFacts>();
    found.forEach((t, i) => {
      if (t)
        out.set(unique[i]!, {
          name: typeof t.name === 'string' ? t.name : null,
          artist: typeof t.artist === 'string' ? t.artist : null,
          genres: Array.isArray(t.genres) ? (t.genres as string[]) : [],
        });
    });
    return out;
  }

  /** Generated playlists created at or after `since` (user, variant, run date, tracks). */
  async playlistsSince(since: Date): Promise<VariantPlaylist[]> {
    const out: VariantPlaylist[] = [];
    const cursor = this.playlists.createdSince(since, { user_id: 1, variant: 1, run_date: 1, track_ids: 1 }, BATCH);
    for await (const p of cursor) {
      if (typeof p.user_id !== 'number' || !Array.isArray(p.track_ids)) continue;
      out.push({
        userId: p.user_id,
        variant: typeof p.variant === 'string' ? p.variant : 'unknown',
        runDate: typeof p.run_date === 'string' ? p.run_date : '',
        trackIds: p.track_ids as number[],
      });
    }
    return out;
  }

  /** Tracks each of `users` listened to at or after `from`. */
  async listenedSince(from: Date, users: ReadonlySet<number>): Promise<Map<number, Set<number>>> {
    const out = new Map<number, Set<number>>();
    const cursor = this.catalog.streamListens({ from }, { user_id: 1, track_id: 1 }, BATCH);
    for await (const d of cursor) {
      if (typeof d.user_id !== 'number' || !users.has(d.user_id)) continue;
      let s = out.get(d.user_id);
      if (!s) out.set(d.user_id, (s = new Set()));
      s.add(d.track_id as number);
    }
    return out;
  }
}
