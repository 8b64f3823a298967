/**
 * The data set directory format of docs/datasets.md, read and written line by line:
 * listens.ndjson (required), tracks.ndjson and users.ndjson (optional). A line that does not parse
 * stops the read with a DatasetError naming the file and the line; blank lines are ignored.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Listen } from '../training/model/als.js';

export type { Listen } from '../training/model/als.js';

export interface DatasetTrack {
  id: number;
  artist?: string;
  genres?: string[];
  /** The line's object as read, for consumers that need the other fields. */
  raw: Record<string, unknown>;
}

export interface DatasetUser {
  id: number;
  favoriteGenres?: string[];
  raw: Record<string, unknown>;
}

export interface Dataset {
  listens: Listen[];
  tracks?: DatasetTrack[];
  users?: DatasetUser[];
}

export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    readonly file: string,
    /** 1-based; 0 when the problem is the file itself. */
    readonly line: number,
    readonly reason: string,
    /** The field or column at fault, when there is one (importers name the source's column). */
    readonly field?: string,
  ) {
    const what = field === undefined ? reason : `${field}: ${reason}`;
    super(line > 0 ? `${file}:${line}: ${what}` : `${file}: ${what}`);
  }
}

export const LISTENS_FILE = 'listens.ndjson';
export const TRACKS_FILE = 'tracks.ndjson';
export const USERS_FILE = 'users.ndjson';

/** Reads a data set directory; tracks and users are present only when their files exist. */
export async function readDataset(dir: string): Promise<Dataset> {
  const listensPath = join(dir, LISTENS_FILE);
  if (!(await exists(listensPath))) throw new DatasetError(listensPath, 0, 'required file not found');
  const listens = await readListensFile(listensPath);
  const tracksPath = join(dir, TRACKS_FILE);
  const usersPath = join(dir, USERS_FILE);
  const dataset: Dataset = { listens };
  if (await exists(tracksPath)) dataset.tracks = await readTracksFile(tracksPath);
  if (await exists(usersPath)) dataset.users = await readUsersFile(usersPath);
  return dataset;
}

/** One listen per line: {"user_id": int, "track_id": int, "count"?: int >= 1, "listened_at"?: ISO-8601}. */
export async function readListensFile(path: string): Promise<Listen[]> {
  const out: Listen[] = [];
  await forEachObject(path, (o, fail) => {
    const listen: Listen = { userId: integerField(o, 'user_id', fail), trackId: integerField(o, 'track_id', fail), count: 1 };
    if (o.count !== undefined && o.count !== null) {
      if (!(Number.isSafeInteger(o.count) && (o.count as number) >= 1)) fail(`count must be an integer >= 1, got ${show(o.count)}`);
      listen.count = o.count as number;
    }
    if (o.listened_at !== undefined && o.listened_at !== null) listen.listenedAt = isoDate(o.listened_at, 'listened_at', fail);
    out.push(listen);
  });
  return out;
}

export async function readTracksFile(path: string): Promise<DatasetTrack[]> {
  const out: DatasetTrack[] = [];
  const seen = new Map<number, number>();
  await forEachObject(path, (o, fail, line) => {
    const id = integerField(o, 'id', fail);
    const first = seen.get(id);
    if (first !== undefined) fail(`duplicate track id ${id} (first on line ${first})`);
    seen.set(id, line);
    const track: DatasetTrack = { id, raw: o };
    if (o.artist !== undefined && o.artist !== null) {
      if (typeof o.artist !== 'string') fail(`artist must be a string, got ${show(o.artist)}`);
      track.artist = o.artist as string;
    }
    const genres = stringList(o.genres, 'genres', fail);
    if (genres) track.genres = genres;
    out.push(track);
  });
  return out;
}

export async function readUsersFile(path: string): Promise<DatasetUser[]> {
  const out: DatasetUser[] = [];
  const seen = new Map<number, number>();
  await forEachObject(path, (o, fail, line) => {
    const id = integerField(o, 'id', fail);
    const first = seen.get(id);
    if (first !== undefined) fail(`duplicate user id ${id} (first on line ${first})`);
    seen.set(id, line);
    const user: DatasetUser = { id, raw: o };
    const genres = stringList(o.favorite_genres, 'favorite_genres', fail);
    if (genres) user.favoriteGenres = genres;
    out.push(user);
  });
  return out;
}

type Fail = (reason: string) => never;

async function forEachObject(path: string, visit: (o: Record<string, unknown>, fail: Fail, line: number) => void): Promise<void> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err) => reject(new DatasetError(path, 0, `cannot read: ${err.message}`)));
  });
  await opened;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  const fail: Fail = (reason) => {
    throw new DatasetError(path, n, reason);
  };
  try {
    for await (const raw of lines) {
      n++;
      const line = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        fail(`not valid JSON (${(err as Error).message})`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected a JSON object');
      visit(value as Record<string, unknown>, fail, n);
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

function integerField(o: Record<string, unknown>, name: string, fail: Fail): number {
  const v = o[name];
  if (v === undefined) fail(`missing ${name}`);
  if (!Number.isSafeInteger(v)) fail(`${name} must be an integer, got ${show(v)}`);
  return v as number;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Strict: Date alone would accept 2026-02-30 and roll it over to March. A time without a zone is
 * read as UTC (JavaScript would use the machine's zone, making the time split machine-dependent).
 */
export function isoDate(v: unknown, name: string, fail: (reason: string) => never): Date {
  const m = typeof v === 'string' ? ISO_8601.exec(v) : null;
  if (!m) return fail(`${name} must be an ISO-8601 date-time string, got ${show(v)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const validDay = calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  const validTime =
    (m[4] === undefined || Number(m[4]) <= 23) && (m[5] === undefined || Number(m[5]) <= 59) && (m[6] === undefined || Number(m[6]) <= 59);
  const text = (v as string).replace(' ', 'T');
  const d = new Date(m[4] !== undefined && m[7] === undefined ? `${text}Z` : text);
  if (!validDay || !validTime || Number.isNaN(d.getTime())) fail(`${name} is not a valid date-time: ${show(v)}`);
  return d;
}

/** The mock sends one genre as a string; arrays are accepted too. */
function stringList(v: unknown, name: string, fail: Fail): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((g) => typeof g === 'string')) return v as string[];
  return fail(`${name} must be a string or an array of strings, got ${show(v)}`);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes listens in the data set format (count always written, listened_at when known). */
export async function writeListensFile(path: string, listens: Iterable<Listen>): Promise<void> {
  await writeLines(path, listens, (l) =>
    JSON.stringify(
      l.listenedAt
        ? { user_id: l.userId, track_id: l.trackId, count: l.count, listened_at: l.listenedAt.toISOString() }
        : { user_id: l.userId, track_id: l.trackId, count: l.count },
    ),
  );
}

/** Writes a data set directory; tracks and users are written from their raw objects. */
export async function writeDataset(dir: string, dataset: Dataset): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeListensFile(join(dir, LISTENS_FILE), dataset.listens);
  if (dataset.tracks) await writeLines(join(dir, TRACKS_FILE), dataset.tracks, (t) => JSON.stringify(t.raw));
  if (dataset.users) await writeLines(join(dir, USERS_FILE), dataset.users, (u) => JSON.stringify(u.raw));
}

async function writeLines<T>(path: string, items: Iterable<T>, format: (item: T) => string): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err;
  });
  failed.catch(() => {});
  try {
    let batch = '';
    for (const item of items) {
      batch += format(item) + '\n';
      if (batch.length >= 1 << 16) {
        if (!out.write(batch)) await Promise.race([once(out, 'drain'), failed]);
        batch = '';
      }
    }
    if (batch) out.write(batch);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (err) {
    out.destroy();
    throw new DatasetError(path, 0, `cannot write: ${(err as Error).message}`);
  }
}
