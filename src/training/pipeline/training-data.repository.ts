import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { MODEL_NAMES, type ListenEventDoc, type TrackDoc, type UserDoc } from '../../catalog/catalog.schemas.js';
import type { PlaylistView } from './canary.js';
import type { ListenEvent } from './preprocess.js';

/** The recommendations stage's collection; only the fields the canary review reads. */
export const PLAYLISTS_COLLECTION = 'playlists';

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

/** Everything the training job reads: listen events, catalogue facts, and playlists for the canary. */
@Injectable()
export class TrainingDataRepository {
  constructor(
    @InjectModel(MODEL_NAMES.ListenEvent) private readonly events: Model<ListenEventDoc>,
    @InjectModel(MODEL_NAMES.Track) private readonly tracks: Model<TrackDoc>,
    @InjectModel(MODEL_NAMES.User) private readonly users: Model<UserDoc>,
    @InjectConnection() private readonly conn: Connection,
  ) {}

  /** Time of the newest listen (ms), or null when there is none. */
  async newestListen(): Promise<number | null> {
    const doc = await this.events.findOne({}, { listened_at: 1 }).sort({ listened_at: -1 }).lean<{ listened_at?: Date }>().exec();
    return doc?.listened_at ? new Date(doc.listened_at).getTime() : null;
  }

  /** Listens with from <= listened_at <= to, read as one stream. */
  async listens(from: number, to: number): Promise<ListenEvent[]> {
    const out: ListenEvent[] = [];
    const cursor = this.events
      .find({ listened_at: { $gte: new Date(from), $lte: new Date(to) } }, { user_id: 1, track_id: 1, listened_at: 1 })
      .lean<Array<Pick<ListenEventDoc, 'user_id' | 'track_id' | 'listened_at'>>>()
      .batchSize(BATCH)
      .cursor();
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
    const trackCursor = this.tracks.find({}, { _id: 1, genres: 1, created_at: 1 }).lean<Array<Pick<TrackDoc, '_id' | 'genres' | 'created_at'>>>().batchSize(BATCH).cursor();
    for await (const t of trackCursor) {
      trackIds.push(t._id);
      if (t.genres?.[0]) trackGenre.set(t._id, t.genres[0]);
      if (t.created_at) trackCreatedAt.set(t._id, new Date(t.created_at).getTime());
    }
    const favoriteGenres = new Map<number, string[]>();
    const userCursor = this.users.find({}, { _id: 1, created_at: 1, favorite_genres: 1 }).lean<Array<Pick<UserDoc, '_id' | 'created_at' | 'favorite_genres'>>>().batchSize(BATCH).cursor();
    for await (const u of userCursor) {
      if (u.created_at) userCreatedAt.set(u._id, new Date(u.created_at).getTime());
      if (Array.isArray(u.favorite_genres) && u.favorite_genres.length > 0) favoriteGenres.set(u._id, u.favorite_genres);
    }
    return { trackIds, trackGenre, trackCreatedAt, userCreatedAt, favoriteGenres };
  }

  /** Generated playlists created at or after `since`. */
  async playlistsSince(since: Date): Promise<Array<PlaylistView & { createdAt: Date }>> {
    const out: Array<PlaylistView & { createdAt: Date }> = [];
    const cursor = this.conn.db!.collection(PLAYLISTS_COLLECTION).find({ created_at: { $gte: since } }, { projection: { user_id: 1, track_ids: 1, model_version: 1, created_at: 1 }, batchSize: BATCH });
    for await (const p of cursor) {
      if (typeof p.user_id !== 'number' || !Array.isArray(p.track_ids)) continue;
      out.push({ userId: p.user_id, trackIds: p.track_ids as number[], modelVersion: typeof p.model_version === 'string' ? p.model_version : null, createdAt: p.created_at as Date });
    }
    return out;
  }

  /** Tracks each of `users` listened to at or after `from` (ms). */
  async listenedSince(from: number, users: ReadonlySet<number>): Promise<Map<number, Set<number>>> {
    const out = new Map<number, Set<number>>();
    const cursor = this.events
      .find({ listened_at: { $gte: new Date(from) } }, { user_id: 1, track_id: 1 })
      .lean<Array<Pick<ListenEventDoc, 'user_id' | 'track_id'>>>()
      .batchSize(BATCH)
      .cursor();
    for await (const d of cursor) {
      if (!users.has(d.user_id)) continue;
      let s = out.get(d.user_id);
      if (!s) out.set(d.user_id, (s = new Set()));
      s.add(d.track_id);
    }
    return out;
  }
}
