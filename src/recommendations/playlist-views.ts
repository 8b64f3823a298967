import type { ColdStartDoc, PlaylistDoc } from './recommendation.schemas.js';

/** A track as the API shows it. */
export interface TrackDetails {
  track_id: number;
  name: string | null;
  artist: string | null;
  genres: string[];
}

export interface TrackView extends TrackDetails {
  score: number;
}

/** The answer of GET /users/:userId/recommendations (and what the cache holds, pre-rendered). */
export interface RecommendationsView {
  user_id: number;
  /** Null for a cold-start list (the user has no playlist yet). */
  playlist_id: string | null;
  playlist_name: string | null;
  generated_at: string;
  model_version: string | null;
  recommender: string;
  variant: string;
  experiment: string | null;
  tracks: TrackView[];
}

/** The answer of GET /playlists/:playlistId. */
export interface PlaylistView extends RecommendationsView {
  is_generated: boolean;
  created_at: string;
  updated_at: string;
  run_id: string;
  run_date: string;
}

/** The variant label of a list served from the cold-start fallback. */
export const COLD_START_VARIANT = 'cold_start';

export type DetailsOf = (trackId: number) => TrackDetails | undefined;

function tracksOf(trackIds: readonly number[], scores: readonly number[], details: DetailsOf): TrackView[] {
  return trackIds.map((id, i) => {
    const d = details(id);
    // A track gone from the catalogue since the playlist was made is still shown, by id.
    return { track_id: id, name: d?.name ?? null, artist: d?.artist ?? null, genres: d?.genres ?? [], score: scores[i] ?? 0 };
  });
}

export function recommendationsView(p: PlaylistDoc, details: DetailsOf): RecommendationsView {
  return {
    user_id: p.user_id,
    playlist_id: p.playlist_id,
    playlist_name: p.playlist_name,
    generated_at: new Date(p.created_at).toISOString(),
    model_version: p.model_version ?? null,
    recommender: p.recommender,
    variant: p.variant,
    experiment: p.experiment ?? null,
    tracks: tracksOf(p.track_ids, p.scores, details),
  };
}

export function playlistView(p: PlaylistDoc, details: DetailsOf): PlaylistView {
  return {
    ...recommendationsView(p, details),
    is_generated: p.is_generated,
    created_at: new Date(p.created_at).toISOString(),
    updated_at: new Date(p.updated_at).toISOString(),
    run_id: p.run_id,
    run_date: p.run_date,
  };
}

export function coldStartView(
  userId: number,
  list: Pick<ColdStartDoc, 'track_ids' | 'scores' | 'created_at'>,
  details: DetailsOf,
): RecommendationsView {
  return {
    user_id: userId,
    playlist_id: null,
    playlist_name: null,
    generated_at: new Date(list.created_at).toISOString(),
    model_version: null,
    recommender: 'genre',
    variant: COLD_START_VARIANT,
    experiment: null,
    tracks: tracksOf(list.track_ids, list.scores, details),
  };
}

/** A pre-rendered answer cut to `limit` tracks; the string itself when it has no more than that. */
export function limitRendered(json: string, limit: number, size: number): string {
  if (limit >= size) return json;
  const view = JSON.parse(json) as RecommendationsView;
  if (view.tracks.length <= limit) return json;
  return JSON.stringify({ ...view, tracks: view.tracks.slice(0, limit) });
}

/** The variant of a pre-rendered answer, read without parsing the whole string. */
export function variantOfRendered(json: string): string {
  const m = /"variant":"((?:[^"\\]|\\.)*)"/.exec(json);
  return m ? m[1]! : 'unknown';
}

const TEMPLATE_HEAD = '{"user_id":0,';

/** A cold-start answer for any user, stored once per genre: user_id is filled in when served. */
export function coldStartTemplate(list: Pick<ColdStartDoc, 'track_ids' | 'scores' | 'created_at'>, details: DetailsOf): string {
  return JSON.stringify(coldStartView(0, list, details));
}

export function fillColdStartTemplate(template: string, userId: number): string {
  if (!template.startsWith(TEMPLATE_HEAD)) throw new Error('not a cold-start template');
  return `{"user_id":${userId},${template.slice(TEMPLATE_HEAD.length)}`;
}
