import { GENRES } from '../catalog/vocabulary.js';
import { Rng } from '../common/random.js';
import type { ListenEventDoc, ListenHistoryDoc, TrackDoc, UserDoc } from '../catalog/catalog.schemas.js';


export interface SyntheticOptions {
  users: number;
  tracks: number;
  /** Mean listens per user (at least one for most users; some users have none). */
  listensPerUser: number;
  seed: number;
  /** Share of users with an empty history (new users). */
  newUserShare?: number;
  /** First user id; track ids start at 1 (the source's ids never overlap). */
  firstUserId?: number;
  now?: Date;
}

export interface SyntheticCatalogue {
  tracks: Array<Partial<TrackDoc> & { _id: number }>;
  users: Array<Partial<UserDoc> & { _id: number }>;
  histories: Array<Partial<ListenHistoryDoc> & { _id: number; items: number[] }>;
  /** The taste each user was drawn with: favourite genre first. */
  tastes: Map<number, string[]>;
}

function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (out[i] = acc += w));
  return out;
}

function pick(cum: Float64Array, u: number): number {
  const x = u * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A listening service with structure, in the shape of the source mirror: artists with a main genre,
 * heavy-tailed track popularity, users with a taste (a favourite genre and one or two others) who
 * listen mostly inside it, plus some users with no history yet. Seeded: same options, same data.
 */
export function syntheticCatalogue(o: SyntheticOptions): SyntheticCatalogue {
  // The raw mulberry32 state: the catalogue's data stays what it was before the generators were merged.
  const rng = Rng.fromState(o.seed);
  const rnd = () => rng.next();
  const now = o.now ?? new Date(Date.UTC(2026, 10, 26));
  const logNormal = (sigma: number) => {
    const u = Math.max(rnd(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    return Math.exp(sigma * z - (sigma * sigma) / 2);
  };
  const genreCum = cumulative(GENRES.map((_, i) => 1 / (i + 1)));
  const artists = Math.max(1, Math.ceil(o.tracks / 8));
  const artistGenre = Array.from({ length: artists }, () => pick(genreCum, rnd()));
  const artistWeight = Array.from({ length: artists }, () => logNormal(1.2));

  const tracks: SyntheticCatalogue['tracks'] = [];
  const genreTracks: number[][] = GENRES.map(() => []);
  const genreWeights: number[][] = GENRES.map(() => []);
  for (let t = 0; t < o.tracks; t++) {
    const id = t + 1;
    const artist = t < artists ? t : Math.floor(rnd() * artists);
    const genre = rnd() < 0.9 ? artistGenre[artist]! : Math.floor(rnd() * GENRES.length);
    const created = new Date(now.getTime() - Math.floor(rnd() * 3 * 365) * 86_400_000);
    tracks.push({ _id: id, name: `Track ${id}`, artist: `Artist ${artist + 1}`, songwriters: [`Writer ${artist + 1}`], duration: '03:30', duration_s: 210, genres: [GENRES[genre]!], album: `Album ${artist + 1}`, release_date: null, popularity_score: 0, created_at: created, updated_at: created });
    genreTracks[genre]!.push(id);
    genreWeights[genre]!.push(artistWeight[artist]! * logNormal(1));
  }
  const genreTrackCum = genreWeights.map((w) => (w.length > 0 ? cumulative(w) : null));

  const users: SyntheticCatalogue['users'] = [];
  const histories: SyntheticCatalogue['histories'] = [];
  const tastes = new Map<number, string[]>();
  const firstUser = o.firstUserId ?? 1_000_000;
  for (let u = 0; u < o.users; u++) {
    const id = firstUser + u;
    const favourite = pick(genreCum, rnd());
    const taste = [favourite];
    for (let k = 0, others = 1 + Math.floor(rnd() * 2); k < 20 && taste.length < 1 + others; k++) {
      const g = pick(genreCum, rnd());
      if (!taste.includes(g)) taste.push(g);
    }
    tastes.set(id, taste.map((g) => GENRES[g]!));
    const created = new Date(now.getTime() - (1 + Math.floor(rnd() * 700)) * 86_400_000);
    users.push({ _id: id, first_name: 'Ada', last_name: `User${id}`, email: `user${id}@example.com`, gender: 'Female', favorite_genres: [GENRES[favourite]!], subscription_type: null, account_status: null, created_at: created, updated_at: created });
    const isNew = rnd() < (o.newUserShare ?? 0.02);
    const count = isNew ? 0 : Math.max(1, Math.round(o.listensPerUser * logNormal(0.8)));
    const items: number[] = [];
    for (let k = 0; k < count; k++) {
      const r = rnd();
      let genre = r < 0.75 ? favourite : r < 0.95 ? taste[1 + Math.floor(rnd() * (taste.length - 1))] ?? favourite : Math.floor(rnd() * GENRES.length);
      if (!genreTrackCum[genre]) genre = genreTrackCum.findIndex((c) => c !== null);
      if (genre < 0) break;
      items.push(genreTracks[genre]![pick(genreTrackCum[genre]!, rnd())]!);
    }
    histories.push({ _id: id, items, created_at: created, updated_at: now, generation: 0 });
  }
  return { tracks, users, histories, tastes };
}

/** One listen_events document per listen of the histories (what ingestion writes beside them). */
export function listenEventsOf(histories: SyntheticCatalogue['histories'], at: Date, runId = 'synthetic'): ListenEventDoc[] {
  const out: ListenEventDoc[] = [];
  for (const h of histories) h.items.forEach((trackId, position) => out.push({ _id: `${h._id}:0:${position}`, user_id: h._id, track_id: trackId, listened_at: at, position, generation: 0, run_id: runId }));
  return out;
}

/** Writes a synthetic catalogue straight into the mirror's collections (benchmarks); returns the listen count. */
export async function seedSyntheticCatalogue(db: { collection(name: string): { insertMany(docs: never[], opts: { ordered: boolean }): Promise<unknown> } }, o: SyntheticOptions): Promise<{ listens: number; data: SyntheticCatalogue }> {
  const data = syntheticCatalogue(o);
  const insert = async (name: string, docs: readonly object[]) => {
    for (let i = 0; i < docs.length; i += 5000) await db.collection(name).insertMany(docs.slice(i, i + 5000) as never[], { ordered: false });
  };
  await insert('tracks', data.tracks);
  await insert('users', data.users);
  await insert('listen_history', data.histories);
  return { listens: data.histories.reduce((n, h) => n + h.items.length, 0), data };
}
