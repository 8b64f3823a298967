import { Schema } from 'mongoose';

/**
 * The collections of the recommendation stage. Every write here is an insert keyed on a
 * deterministic `_id` (duplicates from a retried job are skipped): on FerretDB inserts are cheap
 * while updates and upserts are slow, and insert-only keeps a retried batch idempotent.
 */
export const RECOMMENDATION_COLLECTIONS = {
  playlists: 'playlists',
  runs: 'recommendation_runs',
  userStates: 'recommendation_user_states',
  coldStart: 'cold_start_lists',
} as const;

export const RECOMMENDATION_MODEL_NAMES = {
  Playlist: 'Playlist',
  Run: 'RecommendationRun',
  UserStates: 'RecommendationUserStates',
  ColdStart: 'ColdStartList',
} as const;

/** One generated playlist: the seed's fields plus model_version, variant and scores. */
export interface PlaylistDoc {
  /** `<user_id>-<run_key>`: one playlist per user and run, so a retried batch writes the same ids. */
  _id: string;
  playlist_id: string;
  user_id: number;
  track_ids: number[];
  /** Score of each track, in the order of track_ids. */
  scores: number[];
  playlist_name: string;
  is_generated: true;
  /** The trained model's version; null for the heuristic recommenders. */
  model_version: string | null;
  recommender: string;
  /**
   * Where the tracks came from, in order, as runs: e.g. [{name: 'model', count: 27}, {name: 'hybrid',
   * count: 3}] when the model's list ran short (the dashboard's user view). Absent on older playlists.
   */
  sources?: Array<{ name: string; count: number }>;
  variant: string;
  experiment: string | null;
  run_id: string;
  run_key: string;
  run_date: string;
  created_at: Date;
  updated_at: Date;
}

export type RunStatus = 'running' | 'succeeded' | 'completed' | 'failed';

/** Why a user was recomputed (or not) by a run. */
export const PLAN_REASONS = ['new', 'new_listens', 'stale', 'model_changed', 'forced'] as const;
export type PlanReason = (typeof PLAN_REASONS)[number];

export interface RecommendationRunDoc {
  /** The RecommendationRun job id. */
  _id: string;
  run_key: string;
  run_date: string;
  trigger: string;
  reason: string | null;
  force: boolean;
  /** running, then succeeded (every user done), completed (some users failed) or failed. */
  status: RunStatus;
  started_at: Date;
  planned_at: Date | null;
  finished_at: Date | null;
  duration_s: number | null;
  users_total: number;
  /** Users that get playlists (the coverage denominator): all but closed or suspended accounts. */
  users_active: number;
  users_selected: number;
  users_computed: number;
  /** Not selected (up to date) plus selected but skipped by their batch (user gone or inactive). */
  users_skipped: number;
  users_failed: number;
  reasons: Partial<Record<PlanReason, number>>;
  variants: Record<string, number>;
  batches: number;
  batch_size: number;
  model_version: string | null;
  canary_version: string | null;
  /** Share of active users with a playlist younger than a day, when the run finished. */
  coverage_ratio: number | null;
  /** Creation time of the oldest playlist that can be served, when the run finished. */
  oldest_playlist_at: Date | null;
  /** Computed before this run: users up to date at plan time with a playlist under a day old, and the oldest of them. */
  prior_fresh_users: number;
  prior_oldest_at: Date | null;
  error: string | null;
}

/**
 * What a batch computed, one document per batch (parallel arrays, one entry per user computed):
 * the next run's plan reads these to know who is up to date, without updating a per-user record.
 */
export interface UserStatesDoc {
  /** `<run_id>-b<batch>` */
  _id: string;
  run_id: string;
  run_key: string;
  batch: number;
  computed_at: Date;
  user_ids: number[];
  /** The history signature each playlist was computed from. */
  signatures: string[];
  /** Variant, recommender and model version used: a change recomputes the user. */
  arm_keys: string[];
}

/** The cold-start list of a genre (`*`: no genre), precomputed by each run. */
export interface ColdStartDoc {
  /** `<run_key>:<genre>` */
  _id: string;
  run_key: string;
  genre: string;
  track_ids: number[];
  scores: number[];
  created_at: Date;
}

const common = { versionKey: false as const, _id: false };

export const PlaylistSchema = new Schema<PlaylistDoc>(
  {
    _id: { type: String, required: true },
    playlist_id: String,
    user_id: Number,
    track_ids: [Number],
    scores: [Number],
    playlist_name: String,
    is_generated: Boolean,
    model_version: { type: String, default: null },
    recommender: String,
    sources: { type: Schema.Types.Mixed, default: undefined },
    variant: String,
    experiment: { type: String, default: null },
    run_id: String,
    run_key: String,
    run_date: String,
    created_at: Date,
    updated_at: Date,
  },
  { ...common, collection: RECOMMENDATION_COLLECTIONS.playlists },
);
// The cleanup job and the canary review select by creation time.
PlaylistSchema.index({ created_at: 1 });

export const RecommendationRunSchema = new Schema<RecommendationRunDoc>(
  {
    _id: { type: String, required: true },
    run_key: String,
    run_date: String,
    trigger: String,
    reason: { type: String, default: null },
    force: Boolean,
    status: String,
    started_at: Date,
    planned_at: { type: Date, default: null },
    finished_at: { type: Date, default: null },
    duration_s: { type: Number, default: null },
    users_total: Number,
    users_active: Number,
    users_selected: Number,
    users_computed: Number,
    users_skipped: Number,
    users_failed: Number,
    reasons: Schema.Types.Mixed,
    variants: Schema.Types.Mixed,
    batches: Number,
    batch_size: Number,
    model_version: { type: String, default: null },
    canary_version: { type: String, default: null },
    coverage_ratio: { type: Number, default: null },
    oldest_playlist_at: { type: Date, default: null },
    prior_fresh_users: Number,
    prior_oldest_at: { type: Date, default: null },
    error: { type: String, default: null },
  },
  { ...common, collection: RECOMMENDATION_COLLECTIONS.runs },
);

export const UserStatesSchema = new Schema<UserStatesDoc>(
  {
    _id: { type: String, required: true },
    run_id: String,
    run_key: String,
    batch: Number,
    computed_at: Date,
    user_ids: [Number],
    signatures: [String],
    arm_keys: [String],
  },
  { ...common, collection: RECOMMENDATION_COLLECTIONS.userStates },
);

export const ColdStartSchema = new Schema<ColdStartDoc>(
  {
    _id: { type: String, required: true },
    run_key: String,
    genre: String,
    track_ids: [Number],
    scores: [Number],
    created_at: Date,
  },
  { ...common, collection: RECOMMENDATION_COLLECTIONS.coldStart },
);
