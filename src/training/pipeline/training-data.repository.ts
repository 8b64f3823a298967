import { Injectable } from '@nestjs/common';
import type { TrackDoc, UserDoc } from '../../catalog/catalog.schemas.js';
import { CatalogRepository } from '../../catalog/catalog.repository.js';
import { PlaylistRepository } from '../../recommendations/playlist.repository.js';
import type { PlaylistView } from './canary.js';
import type { ListenEvent } from './preprocess.js';

export interface CatalogueFacts {
  trackIds: number[];
  /** First genre of each track. */
  trackGenre: Map<number, string>;
  trackCreatedAt: Map<number, number>;
  userCreatedAt: Map<number, number>;
  /** Favourite genres of each user: the hybrid fallback's cold start, scored by the gate. */
  favoriteGenres: Map<number, string[]>;
}

const BATCH = 5000;

/**
 * Everything the training job reads: listen events and catalogue facts (through the catalog's
 * repository), and playlists for the canary (through the recommendation stage's).
 */
@Injectable()
export class TrainingDataRepository {
  constructor(
    private readonly catalog: CatalogRepository,
    private readonly playlists: PlaylistRepository,
  ) {}

  /** Time of the newest listen (ms), or null when there is none. */
  async newestListen(): Promise<number | null> {
    const at = await this.catalog.newestListenAt();
    return at ? at.getTime() : null;
  }

  /** Listens with from <= listened_at <= to, read as one stream. */
  async listens(from: number, to: number): Promise<ListenEvent[]> {
    const out: ListenEvent[] = [];
    const cursor = this.catalog.streamListens(
      { from: new Date(from), to: new Date(to) },
      { user_id: 1, track_id: 1, listened_at: 1 },
      BATCH,
    );
    for await (const d of cursor) {
      if (typeof d.user_id !== 'number' || typeof d.track_id !== 'number' || !d.listened_at) continue;
      out.push({ userId: d.user_id, trackId: d.track_id, at: new Date(d.listened_at).getTime() });
    }
    return out;
  }

  async catalogue(): Promise<CatalogueFacts> {
    const trackIds: number[] = [];
    const trackGenre = new Map<number, string>();
    const trackCreatedAt = new Map<number, number>();
    const userCreatedAt = new Map<number, number>();
    const trackCursor = this.catalog.streamAll('tracks', { _id: 1, genres: 1, created_at: 1 }, BATCH) as AsyncIterable<
      Pick<TrackDoc, '_id' | 'genres' | 'created_at'>
    >;
    for await (const t of trackCursor) {
      trackIds.push(t._id);
      if (t.genres?.[0]) trackGenre.set(t._id, t.genres[0]);
      if (t.created_at) trackCreatedAt.set(t._id, new Date(t.created_at).getTime());
    }
    const favoriteGenres = new Map<number, string[]>();
    const userCursor = this.catalog.streamAll('users', { _id: 1, created_at: 1, favorite_genres: 1 }, BATCH) as AsyncIterable<
      Pick<UserDoc, '_id' | 'created_at' | 'favorite_genres'>
    >;
    for await (const u of userCursor) {
      if (u.created_at) userCreatedAt.set(u._id, new Date(u.created_at).getTime());
      if (Array.isArray(u.favorite_genres) && u.favorite_genres.length > 0) favoriteGenres.set(u._id, u.favorite_genres);
    }
    return { trackIds, trackGenre, trackCreatedAt, userCreatedAt, favoriteGenres };
  }

  /** Generated playlists created at or after `since`. */
  async playlistsSince(since: Date): Promise<Array<PlaylistView & { createdAt: Date }>> {
    const out: Array<PlaylistView & { createdAt: Date }> = [];
    const cursor = this.playlists.createdSince(since, { user_id: 1, track_ids: 1, model_version: 1, created_at: 1 }, BATCH);
    for await (const p of cursor) {
      if (typeof p.user_id !== 'number' || !Array.isArray(p.track_ids)) continue;
      out.push({
        userId: p.user_id,
        trackIds: p.track_ids as number[],
        modelVersion: typeof p.model_version === 'string' ? p.model_version : null,
        createdAt: p.created_at as Date,
      });
    }
    return out;
  }

  /** Tracks each of `users` listened to at or after `from` (ms). */
  async listenedSince(from: number, users: ReadonlySet<number>): Promise<Map<number, Set<number>>> {
    const out = new Map<number, Set<number>>();
    const cursor = this.catalog.streamListens({ from: new Date(from) }, { user_id: 1, track_id: 1 }, BATCH);
    for await (const d of cursor) {
      const userId = d.user_id!;
      if (!users.has(userId)) continue;
      let s = out.get(userId);
      if (!s) out.set(userId, (s = new Set()));
      s.add(d.track_id!);
    }
    return out;
  }
}
