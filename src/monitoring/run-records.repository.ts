import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';

/** The run collections written by the pipeline stages; monitoring only reads them. */
export const RUN_COLLECTIONS = {
  ingestion: 'ingestion_runs',
  recommendations: 'recommendation_runs',
  training: 'training_runs',
  models: 'model_versions',
} as const;
export type RunStage = Exclude<keyof typeof RUN_COLLECTIONS, 'models'>;

/** Run statuses that count as a success (`succeeded_with_rejections` is a success with bad records set aside). */
export const SUCCESS_STATUSES = ['succeeded', 'succeeded_with_rejections', 'completed'];

/** The source endpoints, used when a run record does not list its own. */
export const SOURCE_ENDPOINTS = ['tracks', 'users', 'listen_history'];

export type RunRecord = Record<string, unknown> & { _id: unknown };

/**
 * Read access to the run collections, by the fields every stage records (`status`, `started_at`,
 * `finished_at`); anything else is read when present. A missing collection reads as empty.
 */
@Injectable()
export class RunRecordsRepository {
  constructor(@InjectConnection() private readonly conn: Connection) {}

  /** The successful run of a stage that finished last, or null. */
  async lastSuccess(stage: RunStage): Promise<RunRecord | null> {
    const docs = await this.conn.db!
      .collection(RUN_COLLECTIONS[stage])
      .find({ status: { $in: SUCCESS_STATUSES } })
      .sort({ finished_at: -1 })
      .limit(1)
      .toArray();
    return (docs[0] as RunRecord | undefined) ?? null;
  }

  /** The most recent runs of a stage, newest first. */
  async recent(stage: RunStage, limit: number): Promise<RunRecord[]> {
    const docs = await this.conn.db!.collection(RUN_COLLECTIONS[stage]).find({}).sort({ started_at: -1 }).limit(limit).toArray();
    return docs as RunRecord[];
  }

  /** The model version in production, or null while there is none. */
  async productionModel(): Promise<RunRecord | null> {
    const doc = await this.conn.db!.collection(RUN_COLLECTIONS.models).findOne({ status: 'production' });
    return (doc as RunRecord | null) ?? null;
  }
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
    const names = e.map((x: unknown) => (x && typeof x === 'object' ? (x as { endpoint?: unknown; name?: unknown }).endpoint ?? (x as { name?: unknown }).name : undefined));
    const valid = names.filter((n): n is string => typeof n === 'string');
    if (valid.length > 0) return valid;
  } else if (e && typeof e === 'object') {
    const keys = Object.keys(e);
    if (keys.length > 0) return keys;
  }
  return SOURCE_ENDPOINTS;
}
