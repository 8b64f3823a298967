/**
 * Drift between the training window and the last days, as population stability indexes:
 * PSI = sum over bins of (a - e) * ln(a / e), on shares, with empty bins floored at a small share
 * so that a bin seen on one side only counts as a large but finite shift.
 */
import { DAY_MS, type ListenEvent } from './preprocess.js';

export const PSI_FLOOR = 1e-4;
/** The features exported as model_drift_psi{feature}. */
export const DRIFT_FEATURES = ['genre_share', 'listens_per_active_user', 'new_user_share', 'new_track_share'] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

/** Upper bounds of the listens-per-active-user-day bins: 1, 2, 3-4, 5-8, 9-16, 17-32, 33+. */
export const LISTEN_BINS = [1, 2, 4, 8, 16, 32, Infinity];
/** A user or track is new for the days after its creation. */
export const NEW_DAYS = 7;

/** PSI of two histograms over the same bins (raw counts or shares). Zero when either side is empty. */
export function psi(expected: readonly number[], actual: readonly number[], floor = PSI_FLOOR): number {
  if (expected.length !== actual.length) throw new Error(`psi: ${expected.length} expected bins but ${actual.length} actual bins`);
  const te = expected.reduce((a, b) => a + b, 0);
  const ta = actual.reduce((a, b) => a + b, 0);
  if (te <= 0 || ta <= 0) return 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i] / te, floor);
    const a = Math.max(actual[i] / ta, floor);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** PSI of two labelled histograms; a label missing on one side is an empty bin there. */
export function psiByLabel(expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>, floor = PSI_FLOOR): number {
  const labels = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return psi(
    labels.map((l) => expected.get(l) ?? 0),
    labels.map((l) => actual.get(l) ?? 0),
    floor,
  );
}

export function genreCounts(events: readonly ListenEvent[], trackGenre: ReadonlyMap<number, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    const g = trackGenre.get(e.trackId) ?? 'unknown';
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** Listens of each active (user, day), binned by LISTEN_BINS: comparable across windows of any length. */
export function listensPerActiveUserBins(events: readonly ListenEvent[]): number[] {
  const perUserDay = new Map<string, number>();
  for (const e of events) {
    const key = `${e.userId}:${Math.floor(e.at / DAY_MS)}`;
    perUserDay.set(key, (perUserDay.get(key) ?? 0) + 1);
  }
  const bins = new Array<number>(LISTEN_BINS.length).fill(0);
  for (const n of perUserDay.values()) bins[LISTEN_BINS.findIndex((b) => n <= b)]++;
  return bins;
}

/** [listens by users (or on tracks) created in the NEW_DAYS before the listen, the others]. */
export function newShareBins(events: readonly ListenEvent[], createdAt: ReadonlyMap<number, number>, key: 'userId' | 'trackId'): number[] {
  let fresh = 0;
  let old = 0;
  for (const e of events) {
    const c = createdAt.get(e[key]);
    if (c !== undefined && e.at - c < NEW_DAYS * DAY_MS) fresh++;
    else old++;
  }
  return [fresh, old];
}

export interface DriftInput {
  /** The training window's events. */
  window: readonly ListenEvent[];
  /** The recent events (the last `recentDays` of the window). */
  recent: readonly ListenEvent[];
  trackGenre: ReadonlyMap<number, string>;
  userCreatedAt: ReadonlyMap<number, number>;
  trackCreatedAt: ReadonlyMap<number, number>;
}

export interface DriftReport {
  psi: Record<DriftFeature, number>;
  threshold: number;
  drifted: DriftFeature[];
  windowEvents: number;
  recentEvents: number;
}

export function computeDrift(input: DriftInput, threshold: number): DriftReport {
  const values: Record<DriftFeature, number> = {
    genre_share: psiByLabel(genreCounts(input.window, input.trackGenre), genreCounts(input.recent, input.trackGenre)),
    listens_per_active_user: psi(listensPerActiveUserBins(input.window), listensPerActiveUserBins(input.recent)),
    new_user_share: psi(
      newShareBins(input.window, input.userCreatedAt, 'userId'),
      newShareBins(input.recent, input.userCreatedAt, 'userId'),
    ),
    new_track_share: psi(
      newShareBins(input.window, input.trackCreatedAt, 'trackId'),
      newShareBins(input.recent, input.trackCreatedAt, 'trackId'),
    ),
  };
  for (const f of DRIFT_FEATURES) values[f] = Number(values[f].toFixed(6));
  return {
    psi: values,
    threshold,
    drifted: DRIFT_FEATURES.filter((f) => values[f] > threshold),
    windowEvents: input.window.length,
    recentEvents: input.recent.length,
  };
}
