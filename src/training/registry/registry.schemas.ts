import { Schema } from 'mongoose';

/** Collections of the model registry: versions, their artifacts, and the training runs. */
export const TRAINING_COLLECTIONS = {
  modelVersions: 'model_versions',
  modelArtifacts: 'model_artifacts',
  trainingRuns: 'training_runs',
} as const;

export const TRAINING_MODEL_NAMES = { ModelVersion: 'ModelVersion', ModelArtifact: 'ModelArtifact', TrainingRun: 'TrainingRun' } as const;

export const MODEL_STATUSES = ['candidate', 'rejected', 'canary', 'production', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** Offline metrics at 10 on the held-out split. */
export interface MetricsRecord {
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
  users: number;
}

export interface WindowRecord {
  start: Date;
  end: Date;
  validation_start: Date;
  /** Start of the held-out split (after validation_start when production had seen those days). */
  evaluation_start: Date;
}

export interface ArtifactRecord {
  sha256: string;
  bytes: number;
  chunks: number;
  users: number;
  items: number;
  factors: number;
}

/** One canary review: the test, its figures and what it decided (docs/training.md, "Canary review"). */
export interface CanaryReviewRecord {
  reviewed_at: Date;
  /** This review (1-based), the most the canary may have, and the days since it started by the schedule. */
  look: number;
  max_looks: number;
  days: number;
  test: string;
  /** Over all looks together, and this look's own (Bonferroni). */
  confidence: number;
  look_confidence: number;
  /** Absolute non-inferiority margin on the difference of hit rates. */
  margin: number;
  min_users: number;
  canary: { users: number; hits: number; rate: number };
  production: { users: number; hits: number; rate: number };
  /** Canary rate minus production rate and its interval; null when a group had no user. */
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  verdict: 'non_inferior' | 'inferior' | 'inconclusive' | 'too_few_users' | 'no_comparison';
  decision: 'promote' | 'rollback' | 'wait';
  reason: string;
}

/**
 * The outcome documents stored before the canary test (a fixed tolerance): both hit rates, a
 * boolean and the reason. Still read (GET /models), never written.
 */
export interface LegacyCanaryOutcome {
  canary: { users: number; hits: number; rate: number };
  production: { users: number; hits: number; rate: number };
  promote: boolean;
  reason: string;
  reviewed_at?: Date;
}

export interface CanaryRecord {
  percent: number;
  started_at: Date;
  /** When the next review job is due. */
  review_at: Date;
  /** Newest listen when the canary started (data clock): the review reads listens from there. */
  data_anchor: Date | null;
  /** The job id of the next review (absent on documents written before reviews could wait). */
  review_job_id?: string;
  /** The last review. */
  outcome?: CanaryReviewRecord | LegacyCanaryOutcome;
  /** Every review, oldest first (absent on older documents: their one review is `outcome`). */
  reviews?: CanaryReviewRecord[];
}

/** The reviews of a canary record, old or new: a legacy outcome is not a test and gives none. */
export function canaryReviewsOf(c: CanaryRecord | null | undefined): CanaryReviewRecord[] {
  return c?.reviews ?? (c?.outcome && 'decision' in c.outcome ? [c.outcome] : []);
}

export interface StatusChange {
  at: Date;
  status: ModelStatus;
  decision: string;
  reason: string;
  by: string;
}

export interface ModelVersionDoc {
  /** The version name (also in `version`, for readers that look for it by that name). */
  _id: string;
  version: string;
  status: ModelStatus;
  run_id: string;
  window: WindowRecord;
  sizes: Record<string, number>;
  /** Model family: 'als', 'ease' or 'rp3beta' (absent on versions made before families: 'als'). */
  family?: string;
  settings: Record<string, unknown>;
  /** This version's offline metrics at 10 on its held-out split. */
  metrics: MetricsRecord;
  /**
   * What production served then (its model, or the hybrid fallback when no model was in production:
   * `production_kind`) and popularity, on the same split.
   */
  baselines: {
    production_version: string | null;
    production: MetricsRecord | null;
    popularity: MetricsRecord;
    production_kind?: 'model' | 'hybrid' | null;
  };
  /** What happened last: canary, promoted, rejected, rolled_back, retired. */
  decision: string;
  reason: string;
  artifact: ArtifactRecord | null;
  canary: CanaryRecord | null;
  /** Production version when this one was created, then the one it replaced when promoted. */
  previous_production_version: string | null;
  created_at: Date;
  updated_at: Date;
  canary_at: Date | null;
  promoted_at: Date | null;
  retired_at: Date | null;
  rejected_at: Date | null;
  history: StatusChange[];
}

export interface ModelArtifactDoc {
  /** `${version}:${index}` with the index zero-padded, so _id order is chunk order. */
  _id: string;
  version: string;
  index: number;
  count: number;
  sha256: string;
  data: Buffer;
}

export type TrainingRunStatus = 'running' | 'succeeded' | 'failed';
/** canary / promoted: a new version; rejected: the gate said no; skipped: not enough data. */
export type TrainingDecision = 'canary' | 'promoted' | 'rejected' | 'skipped' | 'failed';

export interface TrainingRunDoc {
  _id: string;
  trigger: string;
  job_id: string | null;
  run_date: string;
  status: TrainingRunStatus;
  decision: TrainingDecision | null;
  reason: string | null;
  version: string | null;
  production_version: string | null;
  window: WindowRecord | null;
  sizes: Record<string, number> | null;
  /** How the held-out split was made: time (the last days) or per_user (a first load). */
  split: 'time' | 'per_user' | null;
  settings: Record<string, unknown> | null;
  tuning: Record<string, unknown> | null;
  metrics: { candidate: MetricsRecord; production: MetricsRecord | null; popularity: MetricsRecord } | null;
  gate: { passed: boolean; reason: string; checks: unknown[] } | null;
  drift: Record<string, unknown> | null;
  durations: Record<string, number>;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

const common = { versionKey: false as const, _id: false };
const Mixed = Schema.Types.Mixed;

export const ModelVersionSchema = new Schema<ModelVersionDoc>(
  {
    _id: { type: String, required: true },
    version: { type: String, required: true },
    status: { type: String, enum: MODEL_STATUSES, required: true },
    run_id: String,
    window: Mixed,
    sizes: Mixed,
    family: { type: String, default: 'als' },
    settings: Mixed,
    metrics: Mixed,
    baselines: Mixed,
    decision: String,
    reason: String,
    artifact: { type: Mixed, default: null },
    canary: { type: Mixed, default: null },
    previous_production_version: { type: String, default: null },
    created_at: Date,
    updated_at: Date,
    canary_at: { type: Date, default: null },
    promoted_at: { type: Date, default: null },
    retired_at: { type: Date, default: null },
    rejected_at: { type: Date, default: null },
    history: { type: Mixed, default: () => [] },
  },
  { ...common, collection: TRAINING_COLLECTIONS.modelVersions, minimize: false },
);
ModelVersionSchema.index({ status: 1 });

export const ModelArtifactSchema = new Schema<ModelArtifactDoc>(
  {
    _id: { type: String, required: true },
    version: { type: String, required: true },
    index: Number,
    count: Number,
    sha256: String,
    data: Buffer,
  },
  { ...common, collection: TRAINING_COLLECTIONS.modelArtifacts },
);
ModelArtifactSchema.index({ version: 1 });

export const TrainingRunSchema = new Schema<TrainingRunDoc>(
  {
    _id: { type: String, required: true },
    trigger: String,
    job_id: { type: String, default: null },
    run_date: String,
    status: String,
    decision: { type: String, default: null },
    reason: { type: String, default: null },
    version: { type: String, default: null },
    production_version: { type: String, default: null },
    window: { type: Mixed, default: null },
    sizes: { type: Mixed, default: null },
    split: { type: String, default: null },
    settings: { type: Mixed, default: null },
    tuning: { type: Mixed, default: null },
    metrics: { type: Mixed, default: null },
    gate: { type: Mixed, default: null },
    drift: { type: Mixed, default: null },
    durations: { type: Mixed, default: {} },
    started_at: Date,
    finished_at: { type: Date, default: null },
    error: { type: String, default: null },
  },
  { ...common, collection: TRAINING_COLLECTIONS.trainingRuns, minimize: false },
);
TrainingRunSchema.index({ started_at: -1 });
