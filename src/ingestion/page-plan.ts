import type { ListenEventDoc, ListenHistoryDoc, TrackDoc, UserDoc } from '../catalog/catalog.schemas.js';
import {
  digest,
  durationSeconds,
  itemsDigest,
  parseSourceDate,
  sourceId,
  validateItem,
  type ListenHistoryItem,
  type TrackItem,
  type UserItem,
} from './contract.js';
import type { Endpoint } from './endpoints.js';
import { historyChange, listenEventId, type StoredHistory } from './listen-history-rule.js';

/** What the store holds of one record, loaded once per endpoint and run (see StoreIndex). */
export interface IndexEntry {
  /** content_hash of the stored record. */
  hash: string;
  /** listen_history only. */
  history?: StoredHistory;
  /** first_seen_at (ms) and popularity_score as stored: a record written whole again keeps them. */
  firstSeenAt?: number;
  popularity?: number;
}

/**
 * The store's content hashes by source id, read with one streaming scan when an endpoint's phase
 * starts and kept up to date as pages are planned. A page is then planned with no read at all.
 */
export type StoreIndex = Map<number, IndexEntry>;

/** A record's index entry before a page changed it (null: it was not stored). */
export interface PriorEntry {
  id: number;
  entry: IndexEntry | null;
}

export interface PageCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** listen_history: records not stored because their items were not an append of the stored ones. */
  quarantined: number;
  /** listen_history: listen events added. */
  events: number;
}

export const zeroCounts = (): PageCounts => ({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, quarantined: 0, events: 0 });

export function addCounts(a: PageCounts, b: PageCounts): PageCounts {
  return {
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    rejected: a.rejected + b.rejected,
    // A checkpoint written before quarantines existed has no such count.
    quarantined: (a.quarantined ?? 0) + (b.quarantined ?? 0),
    events: a.events + b.events,
  };
}

export interface RejectedRecordDoc {
  /** `${runId}:${endpoint}:${pass}:${page}:${index}`: re-processing a page cannot reject twice. */
  _id: string;
  run_id: string;
  endpoint: Endpoint;
  page: number;
  pass: number;
  index: number;
  /** The item as received, as JSON text (its field names may be anything). */
  raw: string;
  /** invalid: refused by the contract; quarantined: valid, but in conflict with the store (kept as stored). */
  kind: 'invalid' | 'quarantined';
  reasons: string[];
  created_at: Date;
}

export type CatalogDoc = TrackDoc | UserDoc | ListenHistoryDoc;

/** Fields an update must not overwrite: set once when the record is first stored. */
export const INSERT_ONLY_FIELDS = ['first_seen_at', 'popularity_score'] as const;

export interface PagePlan {
  /** Records the store does not have. */
  inserts: CatalogDoc[];
  /** Records whose content changed: written whole but for INSERT_ONLY_FIELDS. */
  updates: CatalogDoc[];
  events: ListenEventDoc[];
  rejects: RejectedRecordDoc[];
  counts: PageCounts;
  /** Index entries after this page, applied by the caller right after planning. */
  index: Array<[number, IndexEntry]>;
  /**
   * The entries this page replaces (null: the record was not stored). Recorded in the checkpoint,
   * they let a re-applied page be planned exactly as the first time, whatever its cut-off writes left.
   */
  previous: PriorEntry[];
}

export interface PlanContext {
  endpoint: Endpoint;
  runId: string;
  page: number;
  pass: number;
  now: Date;
  index: StoreIndex;
  /**
   * Ids already planned in this pass of this attempt, with the page and content hash they came with:
   * an id that comes again on another page with other content is quarantined (the first is kept).
   */
  passSeen?: Map<number, { page: number; hash: string }>;
}

/**
 * Plans the writes of one page, without I/O: validates each item, compares its content hash with
 * the index (unchanged records are not rewritten), builds the normalised documents, and for
 * listen history applies the rule of listen-history-rule.ts to derive the new listen events.
 */
export function planPage(items: readonly unknown[], ctx: PlanContext): PagePlan {
  const plan: PagePlan = { inserts: [], updates: [], events: [], rejects: [], counts: zeroCounts(), index: [], previous: [] };
  const seen = new Set<number>();
  items.forEach((raw, i) => {
    plan.counts.fetched++;
    const v = validateItem(ctx.endpoint, raw);
    const reasons = v.ok ? [] : v.reasons;
    if (v.ok && seen.has(sourceId(ctx.endpoint, v.item))) reasons.push(`id ${sourceId(ctx.endpoint, v.item)} appears twice in the page`);
    if (!v.ok || reasons.length > 0) {
      plan.counts.rejected++;
      plan.rejects.push(setAside(ctx, i, raw, 'invalid', reasons));
      return;
    }
    const id = sourceId(ctx.endpoint, v.item);
    seen.add(id);
    const hash = digest(JSON.stringify(raw));
    const before = ctx.passSeen?.get(id);
    if (before && before.page !== ctx.page && before.hash !== hash) {
      plan.counts.quarantined++;
      plan.rejects.push(
        setAside(ctx, i, raw, 'quarantined', [
          `id ${id} repeated: sent on page ${before.page} and again on page ${ctx.page} of pass ${ctx.pass} with other content; quarantined, the first is kept`,
        ]),
      );
      return;
    }
    ctx.passSeen?.set(id, { page: ctx.page, hash });
    const stored = ctx.index.get(id);
    if (stored?.hash === hash) {
      plan.counts.unchanged++;
      return;
    }
    const firstSeen = stored?.firstSeenAt === undefined ? ctx.now : new Date(stored.firstSeenAt);
    const base = { first_seen_at: firstSeen, last_seen_at: ctx.now, run_id: ctx.runId, content_hash: hash };
    let doc: CatalogDoc;
    let entry: IndexEntry = { hash, firstSeenAt: firstSeen.getTime() };
    if (ctx.endpoint === 'tracks') {
      doc = { ...trackDoc(v.item as TrackItem, base), popularity_score: stored?.popularity ?? 0 };
      entry.popularity = (doc as TrackDoc).popularity_score;
    } else if (ctx.endpoint === 'users') {
      doc = userDoc(v.item as UserItem, base);
    } else {
      const h = v.item as ListenHistoryItem;
      const change = historyChange(stored?.history, h.items);
      if (change.kind === 'quarantined') {
        plan.counts.quarantined++;
        plan.rejects.push(setAside(ctx, i, raw, 'quarantined', [change.reason]));
        return;
      }
      const listenedAt = parseSourceDate(h.updated_at)!;
      for (let p = change.fromPosition; p < h.items.length; p++) {
        plan.events.push({
          _id: listenEventId(id, change.generation, p),
          user_id: id,
          track_id: h.items[p]!,
          listened_at: listenedAt,
          position: p,
          generation: change.generation,
          run_id: ctx.runId,
        });
      }
      plan.counts.events += h.items.length - change.fromPosition;
      doc = historyDoc(h, change.generation, base);
      entry = { ...entry, history: { generation: change.generation, itemsLength: h.items.length, itemsDigest: itemsDigest(h.items) } };
    }
    if (stored) {
      plan.counts.updated++;
      plan.updates.push(doc);
    } else {
      plan.counts.inserted++;
      plan.inserts.push(doc);
    }
    plan.index.push([id, entry]);
    plan.previous.push({ id, entry: stored ?? null });
  });
  return plan;
}

interface BaseFields {
  first_seen_at: Date;
  last_seen_at: Date;
  run_id: string;
  content_hash: string;
}

export function trackDoc(t: TrackItem, base: BaseFields): TrackDoc {
  return {
    _id: t.id,
    name: t.name,
    artist: t.artist,
    songwriters: [t.songwriters],
    duration: t.duration,
    duration_s: durationSeconds(t.duration),
    genres: [t.genres],
    album: t.album,
    release_date: null,
    popularity_score: 0,
    created_at: parseSourceDate(t.created_at)!,
    updated_at: parseSourceDate(t.updated_at)!,
    ...base,
    source: { ...t },
  };
}

export function userDoc(u: UserItem, base: BaseFields): UserDoc {
  return {
    _id: u.id,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    gender: u.gender,
    favorite_genres: [u.favorite_genres],
    subscription_type: null,
    account_status: null,
    created_at: parseSourceDate(u.created_at)!,
    updated_at: parseSourceDate(u.updated_at)!,
    ...base,
    source: { ...u },
  };
}

export function historyDoc(h: ListenHistoryItem, generation: number, base: BaseFields): ListenHistoryDoc {
  return {
    _id: h.user_id,
    items: h.items,
    created_at: parseSourceDate(h.created_at)!,
    updated_at: parseSourceDate(h.updated_at)!,
    ...base,
    generation,
    source: { created_at: h.created_at, updated_at: h.updated_at },
  };
}

function setAside(ctx: PlanContext, i: number, raw: unknown, kind: RejectedRecordDoc['kind'], reasons: string[]): RejectedRecordDoc {
  return {
    _id: `${ctx.runId}:${ctx.endpoint}:${ctx.pass}:${ctx.page}:${i}`,
    run_id: ctx.runId,
    endpoint: ctx.endpoint,
    page: ctx.page,
    pass: ctx.pass,
    index: i,
    raw: safeJson(raw),
    kind,
    reasons,
    created_at: ctx.now,
  };
}

function safeJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}
