import { readDataset, type DatasetTrack, type DatasetUser } from '../../datasets/ndjson-dataset.js';
import { formatDay, formatIsoMicros, parseIsoMicros, US_PER_DAY } from './iso-dates.js';
import { email, formatDuration, personName, titleCase } from './names.js';
import { StreamRng } from '../../common/random.js';
import { JsonTable, ListenHistoryTable, type DayStats, type MockDataset } from './tables.js';
import { GENDERS, GENRES } from '../../catalog/vocabulary.js';
import { FIRST_NAMES, LAST_NAMES, WORDS } from './vocabulary.js';

/**
 * A data set directory (docs/datasets.md format) served through the source contract. Fields a
 * file leaves out are filled with seeded values so every item has the contract's fields and types;
 * tracks and users named only in listens.ndjson are added. Each user's items are their listens in
 * time order (file order without listened_at), each repeated `count` times. The data never change.
 */
export async function buildReplayDataset(dir: string, seed: number, startUs: number): Promise<MockDataset> {
  const data = await readDataset(dir);
  const fallbackUs = startUs - US_PER_DAY;

  const trackOrder: number[] = [];
  const trackById = new Map<number, DatasetTrack | undefined>();
  for (const t of data.tracks ?? []) {
    trackById.set(t.id, t);
    trackOrder.push(t.id);
  }
  const userOrder: number[] = [];
  const userById = new Map<number, DatasetUser | undefined>();
  for (const u of data.users ?? []) {
    userById.set(u.id, u);
    userOrder.push(u.id);
  }
  for (const l of data.listens) {
    if (!trackById.has(l.trackId)) {
      trackById.set(l.trackId, undefined);
      trackOrder.push(l.trackId);
    }
    if (!userById.has(l.userId)) {
      userById.set(l.userId, undefined);
      userOrder.push(l.userId);
    }
  }

  const tracks = new JsonTable();
  for (const id of trackOrder) {
    const raw = trackById.get(id)?.raw ?? {};
    const rng = new StreamRng(seed, 0x7ac, id);
    tracks.add(id, {
      id,
      name: text(raw.name) ?? titleCase([rng.pick(WORDS)]),
      artist: text(raw.artist) ?? personName(rng),
      songwriters: text(raw.songwriters) ?? personName(rng),
      duration: typeof raw.duration === 'number' ? formatDuration(raw.duration) : (text(raw.duration) ?? formatDuration(120 + rng.int(240))),
      genres: text(raw.genres) ?? rng.pick(GENRES),
      album: text(raw.album) ?? titleCase([rng.pick(WORDS)]),
      created_at: isoOr(raw.created_at, fallbackUs),
      updated_at: isoOr(raw.updated_at ?? raw.created_at, fallbackUs),
    });
  }

  const byUser = new Map<number, { track: number; count: number; at: number; order: number }[]>();
  data.listens.forEach((l, order) => {
    let list = byUser.get(l.userId);
    if (!list) byUser.set(l.userId, (list = []));
    list.push({ track: l.trackId, count: l.count, at: l.listenedAt ? l.listenedAt.getTime() * 1000 : Number.NaN, order });
  });

  const users = new JsonTable();
  const wideIds = trackOrder.some((id) => id > 0x7fffffff || id < -0x80000000);
  const history = new ListenHistoryTable(wideIds);
  const pairUsers: number[] = [];
  const pairTracks: number[] = [];
  for (const id of userOrder) {
    const raw = userById.get(id)?.raw ?? {};
    const rng = new StreamRng(seed, 0x05e, id);
    const firstName = text(raw.first_name) ?? rng.pick(FIRST_NAMES);
    const lastName = text(raw.last_name) ?? rng.pick(LAST_NAMES);
    users.add(id, {
      id,
      first_name: firstName,
      last_name: lastName,
      email: text(raw.email) ?? email(rng, firstName, lastName),
      gender: text(raw.gender) ?? rng.pick(GENDERS),
      favorite_genres: text(raw.favorite_genres) ?? rng.pick(GENRES),
      created_at: isoOr(raw.created_at, fallbackUs),
      updated_at: isoOr(raw.updated_at ?? raw.created_at, fallbackUs),
    });
    const listens = byUser.get(id) ?? [];
    listens.sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? a.order - b.order : a.at - b.at || a.order - b.order));
    let first = Infinity;
    let lastAt = -Infinity;
    for (const l of listens) {
      if (Number.isNaN(l.at)) continue;
      first = Math.min(first, l.at);
      lastAt = Math.max(lastAt, l.at);
    }
    const created = Number.isFinite(first) ? first : fallbackUs;
    const i = history.addUser(id, created, Number.isFinite(lastAt) ? lastAt : created);
    for (const l of listens) {
      for (let c = 0; c < l.count; c++) {
        pairUsers.push(i);
        pairTracks.push(l.track);
      }
    }
  }
  history.append(pairUsers, pairTracks, pairUsers.length);

  let day = 0;
  return {
    mode: 'replay',
    seed,
    tracks,
    users,
    listenHistory: history,
    startUs,
    get day() {
      return day;
    },
    advanceDay(): DayStats {
      const stats = { day, date: formatDay(startUs + day * US_PER_DAY), new_users: 0, new_tracks: 0, active_users: 0, listens: 0 };
      day++;
      return stats;
    },
  };
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v[0] as string;
  return undefined;
}

/** A date in the contract's format: the file's value when it parses, else the fallback. */
function isoOr(v: unknown, fallbackUs: number): string {
  const us = typeof v === 'string' ? parseIsoMicros(v) : undefined;
  return formatIsoMicros(us ?? fallbackUs);
}
