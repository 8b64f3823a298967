/**
 * Anomaly detection on ingestion volumes and durations: a robust z-score of a run's figure against
 * the same figure in the last ANOMALY_WINDOW successful runs, on the median and the median absolute
 * deviation (MAD), which a few odd runs in the window cannot drag the way a mean and a standard
 * deviation would. Pure functions; the ingestion run applies them, stores them and exports them.
 */

/** Fewer past runs than this give no score: there is no "usual" yet. */
export const MIN_HISTORY = 3;

/** 0.6745 = the 75th percentile of the standard normal: makes MAD-based scores comparable to z-scores. */
const MAD_TO_Z = 0.6745;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface RobustZOptions {
  /** The spread is at least this share of the median, so a flat history does not make every change infinite. */
  relativeFloor?: number;
  /** And at least this, in the figure's unit (e.g. 1 record, 0.1 s). */
  absoluteFloor?: number;
}

/**
 * 0.6745 * (value - median) / MAD of `history`, the MAD floored as the options say; null when the
 * history has fewer than MIN_HISTORY values.
 */
export function robustZScore(value: number, history: readonly number[], opts: RobustZOptions = {}): number | null {
  if (history.length < MIN_HISTORY) return null;
  const m = median(history);
  const mad = median(history.map((x) => Math.abs(x - m)));
  const spread = Math.max(mad, (opts.relativeFloor ?? 0.01) * Math.abs(m), opts.absoluteFloor ?? 1e-9);
  return (MAD_TO_Z * (value - m)) / spread;
}

/** One run's figures per endpoint. */
export interface RunFigures {
  records: number;
  durationSeconds: number;
}

export interface EndpointScores {
  volume: number | null;
  duration: number | null;
}

export interface RunAssessment<E extends string> {
  anomalous: boolean;
  /** One line per figure beyond the threshold, saying what it was against what is usual. */
  reasons: string[];
  threshold: number;
  history: number;
  scores: Record<E, EndpointScores>;
}

/**
 * Scores each endpoint's record count and duration against `history` (past runs, any order).
 * A run is anomalous when any |score| exceeds `threshold`.
 */
export function assessRun<E extends string>(
  current: Record<E, RunFigures>,
  history: ReadonlyArray<Partial<Record<E, RunFigures>>>,
  threshold: number,
): RunAssessment<E> {
  const reasons: string[] = [];
  const scores = {} as Record<E, EndpointScores>;
  for (const endpoint of Object.keys(current) as E[]) {
    const now = current[endpoint];
    const past = history.map((h) => h[endpoint]).filter((f): f is RunFigures => f !== undefined);
    const records = past.map((f) => f.records);
    const durations = past.map((f) => f.durationSeconds);
    const volume = robustZScore(now.records, records, { absoluteFloor: 1 });
    const duration = robustZScore(now.durationSeconds, durations, { absoluteFloor: 0.1 });
    scores[endpoint] = { volume: round(volume), duration: round(duration) };
    if (volume !== null && Math.abs(volume) > threshold) {
      reasons.push(
        `${endpoint}: ${now.records} records against a median of ${median(records)} over the last ${past.length} runs (robust z-score ${volume.toFixed(1)}, threshold ${threshold})`,
      );
    }
    if (duration !== null && Math.abs(duration) > threshold) {
      reasons.push(
        `${endpoint}: took ${now.durationSeconds.toFixed(1)} s against a median of ${median(durations).toFixed(1)} s over the last ${past.length} runs (robust z-score ${duration.toFixed(1)}, threshold ${threshold})`,
      );
    }
  }
  return { anomalous: reasons.length > 0, reasons, threshold, history: history.length, scores };
}

function round(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1000) / 1000;
}
