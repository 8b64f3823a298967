import { Schema } from 'mongoose';
import type { Trigger } from '../queues/job-catalogue.js';
import type { Endpoint } from './endpoints.js';
import type { PageCounts, PriorEntry } from './page-plan.js';

export const INGESTION_COLLECTIONS = {
  runs: 'ingestion_runs',
  rejected: 'rejected_records',
  checkpoints: 'ingestion_checkpoints',
} as const;

export const INGESTION_MODEL_NAMES = { Run: 'IngestionRun', Rejected: 'RejectedRecord', Checkpoint: 'IngestionCheckpoint' } as const;

/** queued/running/retrying while it lives; then one of the three final statuses. */
export type RunStatus = 'running' | 'retrying' | 'succeeded' | 'succeeded_with_rejections' | 'failed';
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'succeeded_with_rejections', 'failed'];

export interface EndpointRun {
  status: 'pending' | 'running' | 'done' | 'failed';
  /** The source's `total` when the endpoint was finished. */
  total: number | null;
  /** Pages read, re-reads included. */
  pages: number;
  /** Full passes over the endpoint: more than 1 when `total` changed during the run. */
  passes: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  retries: number;
  /**
   * listen_history: records set aside because their items were not an append of the stored ones
   * (the source lost or rewrote listens); each is in rejected_records with kind "quarantined".
   */
  quarantined: number;
  /** listen_history: listen events added. */
  events_inserted: number;
  /** Records of the endpoint in the store when the run reached it (absent on older records). */
  stored?: number;
  /** False when the walk's last pass still saw the total move or a page inside `pages` come back empty (records may be missing). */
  settled?: boolean;
  /** Time spent on the endpoint, all attempts together. */
  duration_s: number;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

export interface AnomalyScores {
  volume: number | null;
  duration: number | null;
}

export interface RunAnomaly {
  anomalous: boolean;
  reasons: string[];
  threshold: number;
  /** Past successful runs the scores were computed against. */
  history: number;
  scores: Record<Endpoint, AnomalyScores>;
}

export interface IngestionRunDoc {
  /** The BullMQ job id. */
  _id: string;
  run_date: string;
  trigger: Trigger;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  duration_s: number | null;
  attempts: number;
  max_attempts: number;
  error: string | null;
  endpoints: Record<Endpoint, EndpointRun>;
  /** Records fetched, all endpoints together. */
  records_fetched: number;
  anomaly: RunAnomaly | null;
  /** Why the run, although it succeeded, did not enqueue the recommendation run (null: it did). */
  chain_held?: string | null;
}

/**
 * One entry of a run's checkpoint log, written (insert only) before a page's writes: the page's
 * digest and counts, and the pages finished since the previous entry. A new attempt reads the log,
 * skips finished pages and re-applies unfinished ones with the counts recorded for them.
 */
export interface CheckpointDoc {
  /** `${runId}:${endpoint}:${attempt}:${seq}` */
  _id: string;
  run_id: string;
  endpoint: Endpoint;
  /** Attempt and sequence number within it: the log's order. */
  attempt: number;
  seq: number;
  pass: number;
  page: {
    page: number;
    digest: string;
    counts: PageCounts & { retries: number };
    total: number;
    pages: number;
    previous: PriorEntry[];
  } | null;
  /** `${pass}:${page}` of pages finished since the previous entry. */
  done: string[];
  /** Set on the entry that closes a pass: the source total over that pass, and whether it moved. */
  pass_end: { pass: number; total: number; changed: boolean } | null;
  created_at: Date;
}

export const IngestionRunSchema = new Schema<IngestionRunDoc>(
  {
    _id: { type: String, required: true },
    run_date: String,
    trigger: String,
    status: String,
    started_at: Date,
    finished_at: Date,
    duration_s: Number,
    attempts: Number,
    max_attempts: Number,
    error: String,
    endpoints: Schema.Types.Mixed,
    records_fetched: Number,
    anomaly: Schema.Types.Mixed,
    chain_held: String,
  },
  { versionKey: false, _id: false, collection: INGESTION_COLLECTIONS.runs, minimize: false },
);

export const RejectedRecordSchema = new Schema(
  {
    _id: { type: String, required: true },
    run_id: String,
    endpoint: String,
    page: Number,
    pass: Number,
    index: Number,
    raw: String,
    kind: String,
    reasons: [String],
    created_at: Date,
  },
  { versionKey: false, _id: false, collection: INGESTION_COLLECTIONS.rejected },
);
RejectedRecordSchema.index({ run_id: 1 });

export const CheckpointSchema = new Schema<CheckpointDoc>(
  {
    _id: { type: String, required: true },
    run_id: String,
    endpoint: String,
    attempt: Number,
    seq: Number,
    pass: Number,
    page: Schema.Types.Mixed,
    done: [String],
    pass_end: Schema.Types.Mixed,
    created_at: Date,
  },
  { versionKey: false, _id: false, collection: INGESTION_COLLECTIONS.checkpoints },
);
CheckpointSchema.index({ run_id: 1 });
