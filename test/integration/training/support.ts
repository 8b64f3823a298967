import type mongoose from 'mongoose';
import type { Settings } from '../../../src/config/settings.js';
import { Rng } from '../../../src/common/random.js';
import { openDb as openSuiteDb } from '../../support/pipeline-app.js';
import { TEST_ADMIN_TOKEN } from '../../support/settings.js';

export const DAY = 24 * 3600 * 1000;
export const GENRES = ['Rock', 'Pop', 'Jazz', 'Techno', 'Folk', 'Metal', 'Blues', 'Reggae'];
export const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

export { startPipeline, type RunningApp } from '../../support/pipeline-app.js';

/** A direct connection to a suite's database, and the cleanup of its database and Redis keys. */
export const openDb = (settings: Settings) => openSuiteDb(settings, { redisKeys: true });

export interface TasteData {
  users: number[];
  tracks: number[];
  /** Genre index of each user and track. */
  userGenre: Map<number, number>;
  trackGenre: Map<number, number>;
  /** Start of day 0 (ms). */
  day0: number;
  /** Days generated so far. */
  days: number;
  rng: Rng;
  /** Next listen position of each user. */
  positions: Map<number, number>;
}

/**
 * Listeners with a taste: each user has a genre and mostly listens inside it, popular tracks first;
 * the structure a model learns and popularity cannot. Seeded; writes tracks, users, listen_events.
 */
export async function seedTaste(
  db: mongoose.mongo.Db,
  o: { users: number; tracks: number; days: number; seed?: number; day0?: number },
): Promise<TasteData> {
  const day0 = o.day0 ?? Date.UTC(2026, 0, 1);
  const tracks = Array.from({ length: o.tracks }, (_, i) => i + 1);
  const users = Array.from({ length: o.users }, (_, i) => 100_001 + i);
  const trackGenre = new Map(tracks.map((t) => [t, t % GENRES.length]));
  const userGenre = new Map(users.map((u) => [u, u % GENRES.length]));
  const created = new Date(day0 - 60 * DAY);
  await db.collection('tracks').insertMany(
    tracks.map((t) => ({
      _id: t as never,
      name: `t${t}`,
      artist: `a${t % 40}`,
      genres: [GENRES[trackGenre.get(t)!]],
      created_at: created,
    })),
  );
  // The favourite genre a user stated at sign-up is not the one they listen to (the next one): the
  // genre + popularity fallback is misled by it, a model trained on the listens is not.
  await db
    .collection('users')
    .insertMany(
      users.map((u) => ({ _id: u as never, favorite_genres: [GENRES[(userGenre.get(u)! + 1) % GENRES.length]], created_at: created })),
    );
  const data: TasteData = { users, tracks, userGenre, trackGenre, day0, days: 0, rng: new Rng(o.seed ?? 1), positions: new Map() };
  await addDays(db, data, o.days);
  return data;
}

/** Listens of the next `n` days: a user is active on 60% of days and plays 3 tracks, 85% in their genre. */
export async function addDays(db: mongoose.mongo.Db, data: TasteData, n: number): Promise<void> {
  const { rng } = data;
  const byGenre = GENRES.map((_, g) => data.tracks.filter((t) => data.trackGenre.get(t) === g));
  // Zipf-like popularity inside each genre: the first tracks of a genre are its hits.
  const pick = (list: number[]) => list[Math.min(list.length - 1, Math.floor(list.length * rng.next() ** 2.5))];
  const events: Array<Record<string, unknown>> = [];
  for (let d = data.days; d < data.days + n; d++) {
    for (const u of data.users) {
      if (rng.next() > 0.6) continue;
      for (let k = 0; k < 3; k++) {
        const pos = data.positions.get(u) ?? 0;
        data.positions.set(u, pos + 1);
        const list = rng.next() < 0.85 ? byGenre[data.userGenre.get(u)!] : data.tracks;
        events.push({
          _id: `${u}:0:${pos}`,
          user_id: u,
          track_id: pick(list),
          listened_at: new Date(data.day0 + d * DAY + 3600_000),
          position: pos,
          generation: 0,
          run_id: `day-${d}`,
        });
      }
    }
  }
  data.days += n;
  for (let i = 0; i < events.length; i += 5000) await db.collection('listen_events').insertMany(events.slice(i, i + 5000) as never[]);
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
