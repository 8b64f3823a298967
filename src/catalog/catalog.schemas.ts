import { Schema } from 'mongoose';

/**
 * The mirror of the source API, corrected to what the API really sends (docs/architecture.md, and the README's data model).
 * `_id` is the source id everywhere, so every per-record lookup is an `_id` lookup.
 */

export const COLLECTIONS = {
  tracks: 'tracks',
  users: 'users',
  listenHistory: 'listen_history',
  listenEvents: 'listen_events',
  mirrorReplacements: 'mirror_replacements',
} as const;

export interface TrackDoc {
  _id: number;
  name: string;
  artist: string;
  /** The source sends one name as a string; kept as an array for the seed's schema. */
  songwriters: string[];
  /** "MM:SS" as sent. */
  duration: string;
  duration_s: number;
  /** The source sends one genre as a string; kept as an array. */
  genres: string[];
  album: string;
  /** Always null: the source API has no release date. */
  release_date: Date | null;
  /** Distinct listeners, refreshed by the recommendation run. */
  popularity_score: number;
  created_at: Date;
  updated_at: Date;
  first_seen_at: Date;
  last_seen_at: Date;
  run_id: string;
  /** Hash of the item as sent: equal hash means unchanged, and the record is not rewritten. */
  content_hash: string;
  /** The item's fields as the source sent them (dates and duration as strings, one genre). */
  source: TrackSource;
}

export interface TrackSource {
  id: number;
  name: string;
  artist: string;
  songwriters: string;
  duration: string;
  genres: string;
  album: string;
  created_at: string;
  updated_at: string;
}

export interface UserDoc {
  _id: number;
  first_name: string;
  last_name: string;
  email: string;
  gender: string;
  favorite_genres: string[];
  /** Null until a source sends them. */
  subscription_type: string | null;
  account_status: string | null;
  created_at: Date;
  updated_at: Date;
  first_seen_at: Date;
  last_seen_at: Date;
  run_id: string;
  content_hash: string;
  /** The item's fields as the source sent them. */
  source: UserSource;
}

export interface UserSource {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  gender: string;
  favorite_genres: string;
  created_at: string;
  updated_at: string;
}

export interface ListenHistoryDoc {
  /** The user id: one record per user. */
  _id: number;
  items: number[];
  created_at: Date;
  updated_at: Date;
  first_seen_at: Date;
  last_seen_at: Date;
  run_id: string;
  content_hash: string;
  /** Bumped when the source replaced the items instead of appending to them. */
  generation: number;
  /** The record's dates as the source sent them (items are kept as sent above). */
  source: { created_at: string; updated_at: string };
}

export interface ListenEventDoc {
  /** `${user_id}:${generation}:${position}`: the same listen always gets the same id. */
  _id: string;
  user_id: number;
  track_id: number;
  /** The record's updated_at when the listen was first seen. */
  listened_at: Date;
  position: number;
  generation: number;
  run_id: string;
}

const common = { versionKey: false as const, _id: false };

export const TrackSchema = new Schema<TrackDoc>(
  {
    _id: { type: Number, required: true },
    name: String,
    artist: String,
    songwriters: [String],
    duration: String,
    duration_s: Number,
    genres: [String],
    album: String,
    release_date: { type: Date, default: null },
    popularity_score: { type: Number, default: 0 },
    created_at: Date,
    updated_at: Date,
    first_seen_at: Date,
    last_seen_at: Date,
    run_id: String,
    content_hash: String,
    source: Schema.Types.Mixed,
  },
  { ...common, collection: COLLECTIONS.tracks },
);

export const UserSchema = new Schema<UserDoc>(
  {
    _id: { type: Number, required: true },
    first_name: String,
    last_name: String,
    email: String,
    gender: String,
    favorite_genres: [String],
    subscription_type: { type: String, default: null },
    account_status: { type: String, default: null },
    created_at: Date,
    updated_at: Date,
    first_seen_at: Date,
    last_seen_at: Date,
    run_id: String,
    content_hash: String,
    source: Schema.Types.Mixed,
  },
  { ...common, collection: COLLECTIONS.users },
);

export const ListenHistorySchema = new Schema<ListenHistoryDoc>(
  {
    _id: { type: Number, required: true },
    items: [Number],
    created_at: Date,
    updated_at: Date,
    first_seen_at: Date,
    last_seen_at: Date,
    run_id: String,
    content_hash: String,
    generation: { type: Number, default: 0 },
    source: Schema.Types.Mixed,
  },
  { ...common, collection: COLLECTIONS.listenHistory },
);

export const ListenEventSchema = new Schema<ListenEventDoc>(
  {
    _id: { type: String, required: true },
    user_id: Number,
    track_id: Number,
    listened_at: Date,
    position: Number,
    generation: Number,
    run_id: String,
  },
  { ...common, collection: COLLECTIONS.listenEvents },
);
ListenEventSchema.index({ listened_at: 1 });
ListenEventSchema.index({ user_id: 1 });

/**
 * A changed mirror record on its way in where the store replaces rather than updates (FerretDB):
 * written before the old version is deleted and removed once the new one is stored, so a crash
 * in between leaves the new version here, and the next start puts it back (no record lost).
 */
export interface MirrorReplacementDoc {
  /** `${mirror}:${id}`. */
  _id: string;
  /** The mirror collection the record belongs to. */
  mirror: string;
  doc: Record<string, unknown>;
  staged_at: Date;
}

export const MirrorReplacementSchema = new Schema<MirrorReplacementDoc>(
  {
    _id: { type: String, required: true },
    mirror: String,
    doc: Schema.Types.Mixed,
    staged_at: Date,
  },
  { ...common, collection: COLLECTIONS.mirrorReplacements },
);

export const MODEL_NAMES = {
  Track: 'Track',
  User: 'User',
  ListenHistory: 'ListenHistory',
  ListenEvent: 'ListenEvent',
  MirrorReplacement: 'MirrorReplacement',
} as const;
