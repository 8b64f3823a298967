import { createHash } from 'node:crypto';
import { z } from 'zod';
import { GENDERS, GENRES } from '../catalog/vocabulary.js';
import type { Endpoint } from './endpoints.js';

/**
 * The source API's contract (docs/source-api.md): every item is checked against it
 * before anything is stored; an item that fails goes to rejected_records with the reasons.
 */

const SOURCE_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * A source date (ISO-8601, no time zone, microseconds optional) as a UTC Date, or null when it is
 * not one or names a day or time that does not exist (2026-02-30, 25:61).
 */
export function parseSourceDate(value: string): Date | null {
  const m = SOURCE_DATE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(m[7].padEnd(6, '0')) / 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  const roundTrips =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrips ? date : null;
}

/** "MM:SS" as seconds. */
export function durationSeconds(value: string): number {
  const [m, s] = value.split(':').map(Number) as [number, number];
  return m * 60 + s;
}

const sourceDate = z
  .string()
  .refine((v) => parseSourceDate(v) !== null, { message: 'expected a date like 2026-09-30T00:15:27.257113 (ISO-8601, no time zone)' });
const id = z.int().min(0);

export const TrackItem = z.object({
  id,
  name: z.string(),
  artist: z.string(),
  songwriters: z.string(),
  duration: z.string().regex(/^[0-5]\d:[0-5]\d$/, { message: 'expected "MM:SS" from 00:00 to 59:59' }),
  genres: z.string(),
  album: z.string(),
  created_at: sourceDate,
  updated_at: sourceDate,
});

export const UserItem = z.object({
  id,
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  gender: z.enum(GENDERS),
  favorite_genres: z.enum(GENRES),
  created_at: sourceDate,
  updated_at: sourceDate,
});

export const ListenHistoryItem = z.object({
  user_id: id,
  items: z.array(id),
  created_at: sourceDate,
  updated_at: sourceDate,
});

export type TrackItem = z.output<typeof TrackItem>;
export type UserItem = z.output<typeof UserItem>;
export type ListenHistoryItem = z.output<typeof ListenHistoryItem>;
export type SourceItem = TrackItem | UserItem | ListenHistoryItem;

const ITEM_SCHEMAS = { tracks: TrackItem, users: UserItem, listen_history: ListenHistoryItem } as const;

/** The envelope of every page. */
export const PageEnvelope = z.object({
  items: z.array(z.unknown()),
  total: z.int().min(0),
  page: z.int().min(1),
  size: z.int().min(1),
  pages: z.int().min(0),
});
export type PageEnvelope = z.output<typeof PageEnvelope>;

export type Validated<T> = { ok: true; item: T } | { ok: false; reasons: string[] };

/** Checks one item; the reasons name each field that breaks the contract and how. */
export function validateItem(endpoint: Endpoint, raw: unknown): Validated<SourceItem> {
  const parsed = ITEM_SCHEMAS[endpoint].safeParse(raw);
  if (parsed.success) return { ok: true, item: parsed.data };
  return { ok: false, reasons: describeIssues(parsed.error.issues) };
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(item)'}: ${i.message}`);
}

/** The source id of a valid item (user_id for history records). */
export function sourceId(endpoint: Endpoint, item: SourceItem): number {
  return endpoint === 'listen_history' ? (item as ListenHistoryItem).user_id : (item as TrackItem | UserItem).id;
}

/** A short stable digest: equal digests mean equal content. */
export function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** Digest of a history's item list (or of its first n items, to test "is the stored list a prefix"). */
export function itemsDigest(items: readonly number[], n = items.length): string {
  return digest(n === items.length ? items.join(',') : items.slice(0, n).join(','));
}
