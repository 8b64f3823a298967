import type { Collection, Document } from 'mongodb';

/** A run record as monitoring and the dashboard read it: any stage's, by the fields every stage records. */
export type RunRecord = Record<string, unknown> & { _id: unknown };

/** Run statuses that count as a success (`succeeded_with_rejections` is a success with bad records set aside). */
export const SUCCESS_STATUSES = ['succeeded', 'succeeded_with_rejections', 'completed'];

/** The source endpoints, used when a run record does not list its own. */
export const SOURCE_ENDPOINTS = ['tracks', 'users', 'listen_history'];

/**
 * The reads of a run collection (`status`, `started_at`, `finished_at`) that monitoring, health and
 * the dashboard make. Each stage's repository, in the module that owns the collection, exposes one.
 */
export interface RunRecordReads {
  /** The successful run that finished last, or null. */
  lastSuccess(): Promise<RunRecord | null>;
  /** The most recent runs, newest first. */
  recent(limit: number): Promise<RunRecord[]>;
  /** Runs started at or after `since`, projected, newest `limit`. */
  startedSince(since: Date, projection: Record<string, 0 | 1>, limit: number, batchSize?: number): Promise<RunRecord[]>;
  /** The newest run, projected, whatever its age. */
  newest(projection: Record<string, 0 | 1>): Promise<RunRecord | null>;
}

/** RunRecordReads over one run collection (the owner passes its own collection). */
export function runRecordReads(coll: Collection<Document>): RunRecordReads {
  return {
    async lastSuccess() {
      const docs = await coll
        .find({ status: { $in: SUCCESS_STATUSES } })
        .sort({ finished_at: -1 })
        .limit(1)
        .toArray();
      return (docs[0] as RunRecord | undefined) ?? null;
    },
    async recent(limit) {
      return (await coll.find({}).sort({ started_at: -1 }).limit(limit).toArray()) as RunRecord[];
    },
    async startedSince(since, projection, limit, batchSize) {
      const docs = await coll
        .find({ started_at: { $gte: since } }, { projection, ...(batchSize ? { batchSize } : {}) })
        .sort({ started_at: -1 })
        .limit(limit)
        .toArray();
      return docs as RunRecord[];
    },
    async newest(projection) {
      const [doc] = await coll.find({}, { projection }).sort({ started_at: -1 }).limit(1).toArray();
      return (doc as RunRecord | undefined) ?? null;
    },
  };
}

/** A Date, ISO string or epoch-ms field of a record, as a Date; null when absent or unreadable. */
export function dateField(doc: RunRecord | null | undefined, ...names: string[]): Date | null {
  for (const name of names) {
    const v = doc?.[name];
    const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null;
    if (d && !Number.isNaN(d.getTime())) return d;
  }
  return null;
}

/** A finite number field of a record, or null. */
export function numberField(doc: RunRecord | null | undefined, ...names: string[]): number | null {
  for (const name of names) {
    const v = doc?.[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** The endpoints an ingestion run record covers: keys of `endpoints` (object) or their `endpoint` (array). */
export function runEndpoints(doc: RunRecord): string[] {
  const e = doc.endpoints;
  if (Array.isArray(e)) {
    const names = e.map((x: unknown) =>
      x && typeof x === 'object' ? ((x as { endpoint?: unknown; name?: unknown }).endpoint ?? (x as { name?: unknown }).name) : undefined,
    );
    const valid = names.filter((n): n is string => typeof n === 'string');
    if (valid.length > 0) return valid;
  } else if (e && typeof e === 'object') {
    const keys = Object.keys(e);
    if (keys.length > 0) return keys;
  }
  return SOURCE_ENDPOINTS;
}
