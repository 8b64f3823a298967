import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';
import { duplicateKeyIndexes, insertIgnoringDuplicates } from '../database/duplicate-keys.js';
import {
  COLLECTIONS,
  MODEL_NAMES,
  type ListenEventDoc,
  type ListenHistoryDoc,
  type MirrorReplacementDoc,
  type TrackDoc,
  type UserDoc,
} from './catalog.schemas.js';

/** The mirrored collections, named like the source endpoints they mirror. */
export type MirrorName = 'tracks' | 'users' | 'listen_history';
export type MirrorDoc = TrackDoc | UserDoc | ListenHistoryDoc;
/** Every collection of the catalog. */
export type CatalogCollection = MirrorName | typeof COLLECTIONS.listenEvents;
/** A stored document as read with a projection: its numeric `_id` and the projected fields. */
export type StoredDoc = Document & { _id: number };
/** Which fields to read (1) or leave out (0). */
export type Projection = Record<string, 0 | 1>;

/** What a run needs to know of a stored record to decide whether a new version changed it. */
export interface StoredState {
  _id: number;
  content_hash?: string;
  first_seen_at?: Date;
  popularity_score?: number;
  generation?: number;
  items?: number[];
}

interface DeleteLane {
  busy: boolean;
  queue: Array<{ ids: number[]; resolve: () => void; reject: (err: unknown) => void }>;
}

/** Fields set when a record is first stored and never overwritten by a later version. */
const INSERT_ONLY: ReadonlySet<string> = new Set(['_id', 'first_seen_at', 'popularity_score']);

/** Update statements per command: keeps FerretDB's per-database pool (100) far from exhaustion. */
export const UPDATE_BATCH = 25;

/**
 * Writes and bulk reads of the source mirror (tracks, users, listen_history, listen_events), with
 * the operations the MongoDB subset of FerretDB runs well: unordered bulk writes keyed on `_id`,
 * and one streaming cursor to read a whole collection's state.
 */
@Injectable()
export class CatalogRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger('Catalog');
  private readonly mirrors: Record<MirrorName, Collection<Document>>;
  private readonly replacements: Collection<MirrorReplacementDoc>;
  private readonly events: Collection<ListenEventDoc>;
  /** The tail of the update batches in flight (one at a time, see update()). */
  private updates: Promise<void> = Promise.resolve();
  private ferretdb?: Promise<boolean>;
  private readonly deletes: Partial<Record<MirrorName, DeleteLane>> = {};

  constructor(
    @InjectModel(MODEL_NAMES.Track) private readonly tracks: Model<TrackDoc>,
    @InjectModel(MODEL_NAMES.User) users: Model<UserDoc>,
    @InjectModel(MODEL_NAMES.ListenHistory) history: Model<ListenHistoryDoc>,
    @InjectModel(MODEL_NAMES.ListenEvent) events: Model<ListenEventDoc>,
    @InjectModel(MODEL_NAMES.MirrorReplacement) replacements: Model<MirrorReplacementDoc>,
  ) {
    this.replacements = replacements.collection as unknown as Collection<MirrorReplacementDoc>;
    this.mirrors = {
      tracks: tracks.collection as unknown as Collection<Document>,
      users: users.collection as unknown as Collection<Document>,
      listen_history: history.collection as unknown as Collection<Document>,
    };
    this.events = events.collection as unknown as Collection<ListenEventDoc>;
  }

  /** Each stored record's id and content hash (and a history's generation and items), streamed. */
  streamState(name: MirrorName): AsyncIterable<StoredState> {
    const projection = {
      content_hash: 1,
      first_seen_at: 1,
      ...(name === 'tracks' ? { popularity_score: 1 } : {}),
      ...(name === 'listen_history' ? { generation: 1, items: 1 } : {}),
    };
    return this.mirrors[name].find({}, { projection, batchSize: 2000 }) as unknown as AsyncIterable<StoredState>;
  }

  /**
   * New records are inserted, changed ones updated (all fields but the insert-only ones), both
   * unordered and keyed on `_id`. An insert that meets an existing id (a record seen twice in a run)
   * is retried as an update, so the write is an upsert keyed on `_id` either way.
   *
   * On FerretDB v1 an update by a numeric `_id` scans the whole collection, so the changed records
   * of a page are replaced instead: one deleteMany (one scan) and one insertMany. The documents
   * carry their stored insert-only fields; a reader may miss such a record for that instant. The
   * new versions are staged in `mirror_replacements` first and unstaged once stored, so a crash
   * between the delete and the insert loses nothing: the next start (restoreReplacements) puts
   * them back.
   */
  async writeRecords(name: MirrorName, inserts: readonly MirrorDoc[], updates: readonly MirrorDoc[]): Promise<void> {
    const coll = this.mirrors[name];
    let toInsert = inserts;
    let toUpdate = updates;
    let staged: string[] = [];
    if (updates.length > 0 && (await this.replacesChanged())) {
      staged = await this.stage(name, updates);
      await this.deleteIds(
        name,
        updates.map((d) => d._id),
      );
      toInsert = [...inserts, ...updates];
      toUpdate = [];
    }
    let again: MirrorDoc[] = [];
    if (toInsert.length > 0) {
      try {
        await coll.insertMany(toInsert as unknown as Document[], { ordered: false });
      } catch (err) {
        const dup = duplicateKeyIndexes(err, toInsert.length);
        if (!dup) throw err;
        again = dup.map((i) => toInsert[i]!);
      }
    }
    await this.update(coll, [...toUpdate, ...again].map(updateOp));
    if (staged.length > 0) await this.replacements.deleteMany({ _id: { $in: staged } });
  }

  /** The new versions of changed records, kept until they are stored (see writeRecords). */
  private async stage(name: MirrorName, docs: readonly MirrorDoc[]): Promise<string[]> {
    const now = new Date();
    const staged = docs.map((d) => ({
      _id: `${name}:${d._id}`,
      mirror: name,
      doc: d as unknown as Record<string, unknown>,
      staged_at: now,
    }));
    const ids = staged.map((d) => d._id);
    // A leftover of an earlier crash for the same record is older: this version replaces it.
    await this.replacements.deleteMany({ _id: { $in: ids } });
    await this.replacements.insertMany(staged, { ordered: false });
    return ids;
  }

  /**
   * Puts back the records a crash left between their delete and their re-insert: each staged
   * version is inserted unless its record is stored (then the stored one is the same or newer),
   * then unstaged. Idempotent; several processes may run it at once. Returns how many were restored.
   */
  async restoreReplacements(): Promise<number> {
    const leftovers = await this.replacements.find({}).toArray();
    if (leftovers.length === 0) return 0;
    let restored = 0;
    for (const name of ['tracks', 'users', 'listen_history'] as const) {
      const docs = leftovers.filter((r) => r.mirror === name).map((r) => r.doc as unknown as MirrorDoc);
      if (docs.length === 0) continue;
      restored += await insertIgnoringDuplicates(this.mirrors[name] as unknown as Collection<MirrorDoc>, docs);
    }
    await this.replacements.deleteMany({ _id: { $in: leftovers.map((r) => r._id) } });
    if (restored > 0) this.logger.warn(`restored ${restored} mirror records that a crash left between their delete and their re-insert`);
    return restored;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.restoreReplacements();
    } catch (err) {
      // Not fatal at boot: the next start tries again, and nothing staged is removed unrestored.
      this.logger.error(`could not restore staged mirror records: ${(err as Error).message}`);
    }
  }

  /**
   * deleteMany by ids, the requests that arrive while one runs merged into the next: each costs a
   * scan of the collection on FerretDB, so pages in flight share one.
   */
  private deleteIds(name: MirrorName, ids: number[]): Promise<void> {
    const lane = (this.deletes[name] ??= { busy: false, queue: [] });
    return new Promise<void>((resolve, reject) => {
      lane.queue.push({ ids, resolve, reject });
      if (!lane.busy) void this.drainDeletes(name, lane);
    });
  }

  private async drainDeletes(name: MirrorName, lane: DeleteLane): Promise<void> {
    lane.busy = true;
    while (lane.queue.length > 0) {
      const batch = lane.queue.splice(0);
      try {
        await this.mirrors[name].deleteMany({ _id: { $in: batch.flatMap((b) => b.ids) } } as Document);
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    lane.busy = false;
  }

  /** True on FerretDB (buildInfo says so), where replacing changed records beats updating them. */
  replacesChanged(): Promise<boolean> {
    this.ferretdb ??= this.tracks.db
      .db!.admin()
      .command({ buildInfo: 1 })
      .then((info) => 'ferretdbVersion' in info);
    return this.ferretdb;
  }

  /**
   * Unordered update batches of at most UPDATE_BATCH statements, one batch at a time per process.
   * FerretDB v1 (SQLite) holds a pooled connection per update statement until its command ends,
   * with 100 per database: a bigger batch, or several at once, deadlocks that database.
   */
  private async update(coll: Collection<Document>, ops: AnyBulkWriteOperation<Document>[]): Promise<void> {
    for (let i = 0; i < ops.length; i += UPDATE_BATCH) {
      const batch = ops.slice(i, i + UPDATE_BATCH);
      const run = this.updates.then(() => coll.bulkWrite(batch, { ordered: false }));
      this.updates = run.then(
        () => undefined,
        () => undefined,
      );
      await run;
    }
  }

  /** Inserts listen events; ids already stored (a page re-processed after a crash) are skipped. */
  async insertEvents(events: readonly ListenEventDoc[]): Promise<number> {
    return insertIgnoringDuplicates(this.events, events);
  }

  async count(name: CatalogCollection): Promise<number> {
    return name === COLLECTIONS.listenEvents ? this.events.countDocuments({}) : this.mirrors[name].countDocuments({});
  }

  // Reads for the other modules (recommendations, training, the dashboard): whole-collection
  // streams and `_id` lookups, the reads FerretDB runs well.

  /** A whole collection, projected, as one streaming cursor. */
  streamAll(name: CatalogCollection, projection: Projection, batchSize: number): AsyncIterable<StoredDoc> {
    return this.collectionOf(name).find({}, { projection, batchSize }) as unknown as AsyncIterable<StoredDoc>;
  }

  /** The documents of some ids (those that exist), projected. */
  byIds(name: MirrorName, ids: readonly number[], projection: Projection): Promise<StoredDoc[]> {
    return this.mirrors[name].find({ _id: { $in: [...ids] } } as Document, { projection }).toArray() as unknown as Promise<StoredDoc[]>;
  }

  /** One document by id, projected, or null. */
  byId(name: MirrorName, id: number, projection: Projection): Promise<StoredDoc | null> {
    return this.mirrors[name].findOne({ _id: id } as Document, { projection }) as unknown as Promise<StoredDoc | null>;
  }

  /** Listen events with from <= listened_at (<= to when given), projected, as one streaming cursor. */
  streamListens(range: { from: Date; to?: Date }, projection: Projection, batchSize: number): AsyncIterable<Partial<ListenEventDoc>> {
    const listenedAt = range.to ? { $gte: range.from, $lte: range.to } : { $gte: range.from };
    return this.events.find({ listened_at: listenedAt }, { projection, batchSize }) as AsyncIterable<Partial<ListenEventDoc>>;
  }

  /** Time of the newest listen, or null when there is none. */
  async newestListenAt(): Promise<Date | null> {
    const doc = await this.events.findOne({}, { projection: { listened_at: 1 }, sort: { listened_at: -1 } });
    return doc?.listened_at ? new Date(doc.listened_at) : null;
  }

  private collectionOf(name: CatalogCollection): Collection<Document> {
    return name === COLLECTIONS.listenEvents ? (this.events as unknown as Collection<Document>) : this.mirrors[name];
  }
}

function updateOp(doc: MirrorDoc): AnyBulkWriteOperation<Document> {
  const set: Document = {};
  const onInsert: Document = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === '_id') continue;
    (INSERT_ONLY.has(k) ? onInsert : set)[k] = v;
  }
  return { updateOne: { filter: { _id: doc._id } as Document, update: { $set: set, $setOnInsert: onInsert }, upsert: true } };
}
