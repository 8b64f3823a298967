/**
 * What every importer shares: numbering users and items (their id spaces never overlap, as the
 * source contract requires), streaming listens.ndjson out as they are read, and writing tracks.ndjson
 * and users.ndjson at the end. The importers only read their format and call this.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, LISTENS_FILE, TRACKS_FILE, USERS_FILE } from '../ndjson-dataset.js';

/** Item ids are this plus the source's id (or the item's rank of first appearance): users stay below it. */
export const ITEM_ID_OFFSET = 1_000_000_000;

/**
 * source: the source's ids are non-negative integers and are kept (items offset by ITEM_ID_OFFSET).
 * dense: users numbered 1, 2, ... and items ITEM_ID_OFFSET + 1, + 2, ... in order of first appearance.
 */
export type IdMode = 'source' | 'dense';

export interface ItemMeta {
  name?: string;
  artist?: string;
  genres?: string[];
}

export interface ImportSummary {
  listens: number;
  users: number;
  items: number;
  /** Sum of the counts written. */
  totalCount: number;
  /** Listens with a listened_at, and the first and last of them. */
  dated: number;
  firstListenedAt?: Date;
  lastListenedAt?: Date;
}

/** Raises the error of one line, naming the field. */
export type FieldFail = (field: string | undefined, reason: string) => never;

const DIGITS = /^\d+$/;

class IdSpace {
  private readonly dense = new Map<string, number>();
  /** Source id (as read) of each id handed out, in order of first appearance. */
  readonly sourceOf = new Map<number, string>();

  constructor(
    private readonly mode: IdMode,
    private readonly offset: number,
    private readonly kind: 'user' | 'item',
  ) {}

  // Sources often repeat the previous line's id (Last.fm 1K is sorted by user): one compare, no hashing.
  private lastRaw: string | null = null;
  private lastId = 0;

  id(raw: string, field: string, fail: FieldFail): number {
    if (raw === this.lastRaw) return this.lastId;
    const id = this.lookup(raw, field, fail);
    this.lastRaw = raw;
    this.lastId = id;
    return id;
  }

  private lookup(raw: string, field: string, fail: FieldFail): number {
    if (raw === '') return fail(field, `empty ${this.kind} id`);
    if (this.mode === 'dense') {
      let id = this.dense.get(raw);
      if (id === undefined) {
        id = this.offset + this.dense.size + 1;
        this.dense.set(raw, id);
        this.sourceOf.set(id, raw);
      }
      return id;
    }
    const n = DIGITS.test(raw) ? Number(raw) : NaN;
    const max = this.kind === 'user' ? ITEM_ID_OFFSET - 1 : Number.MAX_SAFE_INTEGER - ITEM_ID_OFFSET;
    if (!(n <= max))
      return fail(field, `${this.kind} id ${JSON.stringify(raw)} is not an integer in [0, ${max}]; --ids dense numbers any ids`);
    const id = this.offset + n;
    if (!this.sourceOf.has(id)) this.sourceOf.set(id, raw);
    return id;
  }

  get size(): number {
    return this.sourceOf.size;
  }

  sortedIds(): number[] {
    const ids = [...this.sourceOf.keys()];
    return this.mode === 'dense' ? ids : ids.sort((a, b) => a - b);
  }
}

export interface SinkOptions {
  ids: IdMode;
  /** Every count is multiplied by this (a positive integer). */
  countScale: number;
}

/** Writes one data set directory (which must exist and be empty): listens as they come, the rest at finish(). */
export class ImportSink {
  private readonly users: IdSpace;
  private readonly items: IdSpace;
  private readonly meta = new Map<number, ItemMeta>();
  private readonly out: WriteStream;
  private readonly failed: Promise<never>;
  private batch = '';
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private readonly summary: ImportSummary = { listens: 0, users: 0, items: 0, totalCount: 0, dated: 0 };

  constructor(
    readonly dir: string,
    readonly options: SinkOptions,
  ) {
    this.users = new IdSpace(options.ids, 0, 'user');
    this.items = new IdSpace(options.ids, ITEM_ID_OFFSET, 'item');
    this.out = createWriteStream(join(dir, LISTENS_FILE), { encoding: 'utf8' });
    this.failed = once(this.out, 'error').then(([err]) => {
      throw new DatasetError(join(dir, LISTENS_FILE), 0, `cannot write: ${(err as Error).message}`);
    });
    this.failed.catch(() => {});
  }

  /** Listens written so far, for progress reports. */
  get listensSoFar(): number {
    return this.summary.listens;
  }

  userId(raw: string, field: string, fail: FieldFail): number {
    return this.users.id(raw, field, fail);
  }

  itemId(raw: string, field: string, fail: FieldFail): number {
    return this.items.id(raw, field, fail);
  }

  /** Item metadata: a field already known is kept (the first value seen wins). */
  describeItem(id: number, meta: ItemMeta): void {
    const known = this.meta.get(id);
    if (!known) {
      const fresh: ItemMeta = {};
      if (meta.name) fresh.name = meta.name;
      if (meta.artist) fresh.artist = meta.artist;
      if (meta.genres && meta.genres.length > 0) fresh.genres = meta.genres;
      this.meta.set(id, fresh);
      return;
    }
    if (!known.name && meta.name) known.name = meta.name;
    if (!known.artist && meta.artist) known.artist = meta.artist;
    if (!known.genres && meta.genres && meta.genres.length > 0) known.genres = meta.genres;
  }

  /**
   * One listens line. `count` is the source's value before scaling: it must give an integer >= 1
   * once multiplied by the scale (so half-star ratings work with --count-scale 2). Returns a promise
   * only when the output must drain (await it then): most lines cost no promise at all.
   */
  listen(
    userId: number,
    itemId: number,
    count: number,
    countField: string | undefined,
    listenedAt: Date | undefined,
    fail: FieldFail,
  ): Promise<void> | undefined {
    const scaled = count * this.options.countScale;
    const rounded = Math.round(scaled);
    // A float rating such as 3.0000000001 after scaling is the integer it is meant to be.
    if (!(Math.abs(scaled - rounded) <= 1e-9 * Math.max(1, Math.abs(scaled)) && rounded >= 1 && Number.isSafeInteger(rounded))) {
      const scale = this.options.countScale === 1 ? '' : ` (x ${this.options.countScale}, --count-scale)`;
      fail(countField, `count must be an integer >= 1, got ${count}${scale}`);
    }
    const s = this.summary;
    s.listens++;
    s.totalCount += rounded;
    if (listenedAt) {
      s.dated++;
      const t = listenedAt.getTime();
      if (t < this.firstMs) {
        this.firstMs = t;
        s.firstListenedAt = listenedAt;
      }
      if (t > this.lastMs) {
        this.lastMs = t;
        s.lastListenedAt = listenedAt;
      }
      this.batch += `{"user_id":${userId},"track_id":${itemId},"count":${rounded},"listened_at":"${listenedAt.toISOString()}"}\n`;
    } else {
      this.batch += `{"user_id":${userId},"track_id":${itemId},"count":${rounded}}\n`;
    }
    return this.batch.length >= 1 << 16 ? this.flush() : undefined;
  }

  private async flush(): Promise<void> {
    const chunk = this.batch;
    this.batch = '';
    if (!this.out.write(chunk)) await Promise.race([once(this.out, 'drain'), this.failed]);
  }

  /** Ends listens.ndjson and writes users.ndjson and tracks.ndjson (ids ascending, or in order of first appearance when dense). */
  async finish(): Promise<ImportSummary> {
    if (this.batch) await this.flush();
    this.out.end();
    await Promise.race([once(this.out, 'finish'), this.failed]);
    await writeLines(
      join(this.dir, USERS_FILE),
      this.users.sortedIds().map((id) => JSON.stringify({ id, source_id: this.users.sourceOf.get(id) })),
    );
    await writeLines(
      join(this.dir, TRACKS_FILE),
      this.items.sortedIds().map((id) => JSON.stringify({ id, source_id: this.items.sourceOf.get(id), ...this.meta.get(id) })),
    );
    return { ...this.summary, users: this.users.size, items: this.items.size };
  }

  /** Stops writing after a failure (the caller removes the directory). */
  abort(): void {
    this.out.destroy();
  }
}

async function writeLines(path: string, lines: string[]): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw new DatasetError(path, 0, `cannot write: ${(err as Error).message}`);
  });
  failed.catch(() => {});
  let batch = '';
  for (const line of lines) {
    batch += line + '\n';
    if (batch.length >= 1 << 16) {
      if (!out.write(batch)) await Promise.race([once(out, 'drain'), failed]);
      batch = '';
    }
  }
  if (batch) out.write(batch);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}
