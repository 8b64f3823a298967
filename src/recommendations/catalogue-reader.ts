import { Injectable } from '@nestjs/common';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { historySignature, type HistoryFacts, type TrackFacts, type UserFacts } from './catalogue-index.js';
import type { TrackDetails } from './playlist-views.js';

const BATCH = 5000;

/** account_status values (when a source sends one) of users who get no playlist. */
const INACTIVE_STATUSES = new Set(['inactive', 'closed', 'suspended', 'deleted', 'cancelled', 'canceled', 'banned']);

export interface CatalogueSnapshot {
  tracks: TrackFacts[];
  users: Map<number, UserFacts>;
  histories: Map<number, HistoryFacts>;
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return typeof v === 'string' && v.length > 0 ? [v] : [];
}

/**
 * Reads what a run needs from the source mirror: the whole catalogue, users and listen histories,
 * each as one streaming cursor with a projection (on FerretDB only whole-collection streams and
 * `_id` lookups are fast; popularity and co-listening are then computed in TypeScript). The history
 * is read from listen_history (one document per user) rather than listen_events (one per listen).
 */
@Injectable()
export class CatalogueReader {
  constructor(private readonly catalog: CatalogRepository) {}

  /** The three streams at once: the store works on them in parallel. */
  async snapshot(): Promise<CatalogueSnapshot> {
    const [tracks, users, histories] = await Promise.all([this.readTracks(), this.readUsers(), this.readHistories()]);
    return { tracks, users, histories };
  }

  async readTracks(): Promise<TrackFacts[]> {
    const out: TrackFacts[] = [];
    const cursor = this.catalog.streamAll('tracks', { name: 1, artist: 1, genres: 1 }, BATCH);
    for await (const d of cursor) {
      if (typeof d._id !== 'number') continue;
      out.push({
        id: d._id,
        name: typeof d.name === 'string' ? d.name : '',
        artist: typeof d.artist === 'string' ? d.artist : '',
        genres: strings(d.genres),
      });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async readUsers(): Promise<Map<number, UserFacts>> {
    const out = new Map<number, UserFacts>();
    const cursor = this.catalog.streamAll('users', { favorite_genres: 1, account_status: 1, created_at: 1 }, BATCH);
    for await (const d of cursor) {
      if (typeof d._id !== 'number') continue;
      const status = typeof d.account_status === 'string' ? d.account_status.toLowerCase() : null;
      const created = d.created_at instanceof Date ? d.created_at.getTime() : null;
      out.set(d._id, {
        id: d._id,
        favoriteGenres: strings(d.favorite_genres),
        active: status === null || !INACTIVE_STATUSES.has(status),
        createdAt: created,
      });
    }
    return out;
  }

  async readHistories(): Promise<Map<number, HistoryFacts>> {
    const out = new Map<number, HistoryFacts>();
    const cursor = this.catalog.streamAll('listen_history', { items: 1, generation: 1 }, BATCH);
    for await (const d of cursor) {
      if (typeof d._id !== 'number') continue;
      const items = Array.isArray(d.items) ? (d.items as unknown[]).filter((x): x is number => typeof x === 'number') : [];
      out.set(d._id, {
        userId: d._id,
        items,
        signature: historySignature(typeof d.generation === 'number' ? d.generation : 0, items.length),
      });
    }
    return out;
  }

  /** Display fields of some tracks, for a playlist whose tracks are not in the Redis cache. */
  async trackDetails(ids: readonly number[]): Promise<Map<number, TrackDetails>> {
    const out = new Map<number, TrackDetails>();
    if (ids.length === 0) return out;
    const docs = await this.catalog.byIds('tracks', ids, { name: 1, artist: 1, genres: 1 });
    for (const d of docs) {
      if (typeof d._id !== 'number') continue;
      out.set(d._id, {
        track_id: d._id,
        name: typeof d.name === 'string' ? d.name : null,
        artist: typeof d.artist === 'string' ? d.artist : null,
        genres: strings(d.genres),
      });
    }
    return out;
  }

  /** The user's favourite genres, or null when the user does not exist. */
  async favouriteGenres(userId: number): Promise<string[] | null> {
    const d = await this.catalog.byId('users', userId, { favorite_genres: 1 });
    return d ? strings(d.favorite_genres) : null;
  }
}
