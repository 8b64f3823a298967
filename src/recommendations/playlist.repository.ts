import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { insertIgnoringDuplicates } from '../database/duplicate-keys.js';
import { RECOMMENDATION_MODEL_NAMES, type ColdStartDoc, type PlaylistDoc, type UserStatesDoc } from './recommendation.schemas.js';

const INSERT_CHUNK = 1000;
/** Playlists looked up at once when listing a user's playlists. */
const PROBES_AT_ONCE = 6;

/** A user's last computation, as the next plan needs it. */
export interface UserState {
  computedAt: Date;
  signature: string;
  armKey: string;
}

export function playlistIdOf(userId: number, runKey: string): string {
  return `${userId}-${runKey}`;
}

/**
 * Playlists, the per-batch user states and the cold-start lists. Reads of one user's playlists are
 * `_id` lookups: a playlist's id is `<user_id>-<run_key>`, so knowing the recent runs (newest
 * first) is enough to find a user's latest playlist or list them, without a per-user index.
 */
@Injectable()
export class PlaylistRepository {
  private readonly playlists: Collection<PlaylistDoc>;
  private readonly states: Collection<UserStatesDoc>;
  private readonly coldStart: Collection<ColdStartDoc>;

  constructor(
    @InjectModel(RECOMMENDATION_MODEL_NAMES.Playlist) playlists: Model<PlaylistDoc>,
    @InjectModel(RECOMMENDATION_MODEL_NAMES.UserStates) states: Model<UserStatesDoc>,
    @InjectModel(RECOMMENDATION_MODEL_NAMES.ColdStart) coldStart: Model<ColdStartDoc>,
  ) {
    this.playlists = playlists.collection as unknown as Collection<PlaylistDoc>;
    this.states = states.collection as unknown as Collection<UserStatesDoc>;
    this.coldStart = coldStart.collection as unknown as Collection<ColdStartDoc>;
  }

  insertPlaylists(docs: readonly PlaylistDoc[]): Promise<number> {
    return insertIgnoringDuplicates(this.playlists, docs, INSERT_CHUNK);
  }

  async insertUserStates(doc: UserStatesDoc): Promise<void> {
    await insertIgnoringDuplicates(this.states, [doc], INSERT_CHUNK);
  }

  async insertColdStart(docs: readonly ColdStartDoc[]): Promise<void> {
    await insertIgnoringDuplicates(this.coldStart, docs, INSERT_CHUNK);
  }

  /** Each user's latest state computed at or after `since`, from one stream of the batch documents. */
  async statesSince(since: Date): Promise<Map<number, UserState>> {
    const docs: UserStatesDoc[] = [];
    for await (const d of this.states.find({ computed_at: { $gte: since } }, { batchSize: 200 })) docs.push(d);
    docs.sort((a, b) => a.computed_at.getTime() - b.computed_at.getTime() || (a._id < b._id ? -1 : 1));
    const out = new Map<number, UserState>();
    for (const d of docs) {
      for (let i = 0; i < d.user_ids.length; i++)
        out.set(d.user_ids[i]!, { computedAt: d.computed_at, signature: d.signatures[i] ?? '', armKey: d.arm_keys[i] ?? '' });
    }
    return out;
  }

  findPlaylist(playlistId: string): Promise<PlaylistDoc | null> {
    return this.playlists.findOne({ _id: playlistId });
  }

  /** The newest of the user's playlists among the given runs (newest first). */
  async latestPlaylist(userId: number, runKeys: readonly string[]): Promise<PlaylistDoc | null> {
    for (const key of runKeys) {
      const p = await this.playlists.findOne({ _id: playlistIdOf(userId, key) });
      if (p) return p;
    }
    return null;
  }

  /** The user's playlists among the given runs, newest first. */
  async userPlaylists(userId: number, runKeys: readonly string[]): Promise<PlaylistDoc[]> {
    const out: PlaylistDoc[] = [];
    for (let i = 0; i < runKeys.length; i += PROBES_AT_ONCE) {
      const found = await Promise.all(
        runKeys.slice(i, i + PROBES_AT_ONCE).map((k) => this.playlists.findOne({ _id: playlistIdOf(userId, k) })),
      );
      for (const p of found) if (p) out.push(p);
    }
    return out;
  }

  /** Playlists created at or after `since`, projected, as one streaming cursor (the canary review, the dashboard's hit rates). */
  createdSince(since: Date, projection: Record<string, 0 | 1>, batchSize: number): AsyncIterable<Partial<PlaylistDoc>> {
    return this.playlists.find({ created_at: { $gte: since } }, { projection, batchSize });
  }

  /** The newest cold-start list of a genre among the given runs. */
  async latestColdStart(genre: string, runKeys: readonly string[]): Promise<ColdStartDoc | null> {
    for (const key of runKeys) {
      const c = await this.coldStart.findOne({ _id: `${key}:${genre}` });
      if (c) return c;
    }
    return null;
  }

  /** Removes generated playlists, batch states and cold-start lists created before `cutoff`. */
  async deleteOlderThan(cutoff: Date): Promise<{ playlists: number; states: number; coldStart: number }> {
    const [p, s, c] = await Promise.all([
      this.playlists.deleteMany({ is_generated: true, created_at: { $lt: cutoff } }),
      this.states.deleteMany({ computed_at: { $lt: cutoff } }),
      this.coldStart.deleteMany({ created_at: { $lt: cutoff } }),
    ]);
    return { playlists: p.deletedCount, states: s.deletedCount, coldStart: c.deletedCount };
  }
}
