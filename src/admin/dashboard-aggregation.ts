/**
 * The dashboard's aggregation: run, model and playlist records turned into chart points, on the
 * server, so the page gets at most MAX_POINTS points per chart whatever the history (a year of daily
 * runs is 365 records, a busy deployment more). Pure functions of plain records: unit-tested alone.
 */
import { dateField, numberField, SOURCE_ENDPOINTS, type RunRecord } from '../monitoring/run-record-reads.js';

/** Most points one chart series gets; more runs than this are merged, consecutive runs together. */
export const MAX_POINTS = 180;
/** Most model versions and decisions listed. */
export const MAX_VERSIONS = 100;
export const MAX_DECISIONS = 60;

const HOUR_S = 3600;

/** A number rounded for the wire (charts show 3-4 significant digits). */
export function round(v: number | null, digits = 4): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const nums = (xs: ReadonlyArray<number | null>): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));
const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const epochS = (d: Date | null): number | null => (d ? Math.round(d.getTime() / 1000) : null);

/**
 * Splits items (oldest first) into at most `max` groups of consecutive items, as even as possible:
 * every item in exactly one group, order kept. Fewer items than `max`: one group each.
 */
export function groupConsecutive<T>(items: readonly T[], max = MAX_POINTS): T[][] {
  if (items.length === 0) return [];
  const groups = Math.min(items.length, Math.max(1, max));
  const out: T[][] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * items.length) / groups);
    const to = Math.floor(((g + 1) * items.length) / groups);
    out.push(items.slice(from, to));
  }
  return out;
}

/** What every point says about the runs it stands for. */
export interface PointBase {
  /** Unix seconds: start of the first run of the point. */
  t: number;
  /** Runs merged into this point (1 while there are at most MAX_POINTS runs). */
  runs: number;
  /** First and last run ids of the point. */
  first_run: string;
  last_run: string;
  /** Failed runs among them. */
  failed: number;
}

function base(group: readonly RunRecord[]): PointBase {
  const first = group[0]!;
  const last = group[group.length - 1]!;
  return {
    t: epochS(dateField(first, 'started_at'))!,
    runs: group.length,
    first_run: String(first._id),
    last_run: String(last._id),
    failed: group.filter((r) => r.status === 'failed').length,
  };
}

/** Oldest first, runs without a start time left out. */
export function byStart(docs: readonly RunRecord[]): RunRecord[] {
  return docs
    .filter((d) => dateField(d, 'started_at') !== null)
    .sort(
      (a, b) => dateField(a, 'started_at')!.getTime() - dateField(b, 'started_at')!.getTime() || String(a._id).localeCompare(String(b._id)),
    );
}

function durationOf(doc: RunRecord): number | null {
  const d = numberField(doc, 'duration_s');
  if (d !== null) return d;
  const s = dateField(doc, 'started_at');
  const f = dateField(doc, 'finished_at');
  return s && f ? (f.getTime() - s.getTime()) / 1000 : null;
}

// ---------------------------------------------------------------- ingestion

export interface IngestionPoint extends PointBase {
  /** Records fetched per endpoint, mean per run of the point. */
  records: Record<string, number | null>;
  /** Mean and longest run duration. */
  duration_s: number | null;
  duration_max_s: number | null;
  /** Retried source requests and rejected records, mean per run. */
  retries: number | null;
  rejected: number | null;
  /** Runs whose volume or duration the anomaly detection flagged. */
  anomalous: number;
  /** The anomaly reasons of the point's runs (a few). */
  anomaly_reasons: string[];
}

export interface EndpointSummary {
  endpoint: string;
  status: string | null;
  fetched: number | null;
  inserted: number | null;
  updated: number | null;
  unchanged: number | null;
  rejected: number | null;
  retries: number | null;
  duration_s: number | null;
}

export interface IngestionRunSummary {
  id: string;
  status: string;
  trigger: string | null;
  run_date: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  records_fetched: number | null;
  error: string | null;
  anomalous: boolean;
  anomaly_reasons: string[];
  endpoints: EndpointSummary[];
}

function endpointRecord(doc: RunRecord, endpoint: string): Record<string, unknown> | null {
  return obj(obj(doc.endpoints)?.[endpoint]);
}

function endpointSum(doc: RunRecord, field: string): number | null {
  const e = obj(doc.endpoints);
  if (!e) return null;
  const vals = Object.values(e)
    .map((x) => obj(x)?.[field])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return vals.length === 0 ? null : vals.reduce((a, b) => a + b, 0);
}

function anomalyOf(doc: RunRecord): { anomalous: boolean; reasons: string[] } {
  const a = obj(doc.anomaly);
  const reasons = Array.isArray(a?.reasons) ? (a!.reasons as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  return { anomalous: a?.anomalous === true, reasons };
}

/** Endpoints seen in the runs, the source's three first. */
export function endpointsOf(docs: readonly RunRecord[]): string[] {
  const seen = new Set<string>(SOURCE_ENDPOINTS);
  for (const d of docs) for (const k of Object.keys(obj(d.endpoints) ?? {})) seen.add(k);
  return [...seen];
}

export function ingestionPoints(docs: readonly RunRecord[], max = MAX_POINTS): { endpoints: string[]; points: IngestionPoint[] } {
  const runs = byStart(docs);
  const endpoints = endpointsOf(runs);
  const points = groupConsecutive(runs, max).map((g): IngestionPoint => {
    const records: Record<string, number | null> = {};
    for (const e of endpoints)
      records[e] = round(mean(nums(g.map((d) => numberField(endpointRecord(d, e) as RunRecord | null, 'fetched')))), 1);
    const durations = nums(g.map(durationOf));
    const anomalies = g.map(anomalyOf);
    return {
      ...base(g),
      records,
      duration_s: round(mean(durations), 2),
      duration_max_s: durations.length ? round(Math.max(...durations), 2) : null,
      retries: round(mean(nums(g.map((d) => endpointSum(d, 'retries')))), 2),
      rejected: round(mean(nums(g.map((d) => endpointSum(d, 'rejected')))), 2),
      anomalous: anomalies.filter((a) => a.anomalous).length,
      anomaly_reasons: anomalies.flatMap((a) => a.reasons).slice(0, 5),
    };
  });
  return { endpoints, points };
}

export function ingestionRunSummary(doc: RunRecord | null): IngestionRunSummary | null {
  if (!doc) return null;
  const started = dateField(doc, 'started_at');
  const finished = dateField(doc, 'finished_at');
  const a = anomalyOf(doc);
  return {
    id: String(doc._id),
    status: String(doc.status ?? 'unknown'),
    trigger: text(doc.trigger),
    run_date: text(doc.run_date),
    started_at: started?.toISOString() ?? null,
    finished_at: finished?.toISOString() ?? null,
    duration_s: round(durationOf(doc), 2),
    records_fetched: numberField(doc, 'records_fetched'),
    error: text(doc.error)?.split('\n', 1)[0] ?? null,
    anomalous: a.anomalous,
    anomaly_reasons: a.reasons,
    endpoints: endpointsOf([doc]).map((endpoint) => {
      const e = endpointRecord(doc, endpoint) as RunRecord | null;
      return {
        endpoint,
        status: text(e?.status),
        fetched: numberField(e, 'fetched'),
        inserted: numberField(e, 'inserted'),
        updated: numberField(e, 'updated'),
        unchanged: numberField(e, 'unchanged'),
        rejected: numberField(e, 'rejected'),
        retries: numberField(e, 'retries'),
        duration_s: round(numberField(e, 'duration_s'), 2),
      };
    }),
  };
}

// ---------------------------------------------------------------- recommendations

export interface RecommendationPoint extends PointBase {
  /** Share of active users with a playlist under a day old when the run finished (mean). */
  coverage: number | null;
  /** Age in hours of the oldest servable playlist when the run finished (mean). */
  freshness_h: number | null;
  /** Users recomputed, skipped (up to date) and failed, mean per run. */
  users_computed: number | null;
  users_skipped: number | null;
  users_failed: number | null;
  duration_s: number | null;
  /** Users computed per variant, mean per run. */
  variants: Record<string, number>;
}

export interface RecommendationRunSummary {
  id: string;
  status: string;
  trigger: string | null;
  run_date: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  users_active: number | null;
  users_computed: number | null;
  users_skipped: number | null;
  users_failed: number | null;
  coverage: number | null;
  freshness_h: number | null;
  model_version: string | null;
  canary_version: string | null;
  error: string | null;
}

function freshnessH(doc: RunRecord): number | null {
  const finished = dateField(doc, 'finished_at');
  const oldest = dateField(doc, 'oldest_playlist_at');
  return finished && oldest ? Math.max(0, (finished.getTime() - oldest.getTime()) / 1000 / HOUR_S) : null;
}

export function variantsOf(docs: readonly RunRecord[]): string[] {
  const seen = new Set<string>();
  for (const d of docs) for (const k of Object.keys(obj(d.variants) ?? {})) seen.add(k);
  return [...seen].sort();
}

export function recommendationPoints(docs: readonly RunRecord[], max = MAX_POINTS): { variants: string[]; points: RecommendationPoint[] } {
  const runs = byStart(docs);
  const variants = variantsOf(runs);
  const points = groupConsecutive(runs, max).map((g): RecommendationPoint => {
    const perVariant: Record<string, number> = {};
    for (const v of variants)
      perVariant[v] = round(g.reduce((s, d) => s + (numberField(obj(d.variants) as RunRecord | null, v) ?? 0), 0) / g.length, 1)!;
    return {
      ...base(g),
      coverage: round(mean(nums(g.map((d) => numberField(d, 'coverage_ratio'))))),
      freshness_h: round(mean(nums(g.map(freshnessH))), 2),
      users_computed: round(mean(nums(g.map((d) => numberField(d, 'users_computed')))), 1),
      users_skipped: round(mean(nums(g.map((d) => numberField(d, 'users_skipped')))), 1),
      users_failed: round(mean(nums(g.map((d) => numberField(d, 'users_failed')))), 1),
      duration_s: round(mean(nums(g.map(durationOf))), 2),
      variants: perVariant,
    };
  });
  return { variants, points };
}

export function recommendationRunSummary(doc: RunRecord | null): RecommendationRunSummary | null {
  if (!doc) return null;
  return {
    id: String(doc._id),
    status: String(doc.status ?? 'unknown'),
    trigger: text(doc.trigger),
    run_date: text(doc.run_date),
    started_at: dateField(doc, 'started_at')?.toISOString() ?? null,
    finished_at: dateField(doc, 'finished_at')?.toISOString() ?? null,
    duration_s: round(durationOf(doc), 2),
    users_active: numberField(doc, 'users_active'),
    users_computed: numberField(doc, 'users_computed'),
    users_skipped: numberField(doc, 'users_skipped'),
    users_failed: numberField(doc, 'users_failed'),
    coverage: round(numberField(doc, 'coverage_ratio')),
    freshness_h: round(freshnessH(doc), 2),
    model_version: text(doc.model_version),
    canary_version: text(doc.canary_version),
    error: text(doc.error)?.split('\n', 1)[0] ?? null,
  };
}

// ---------------------------------------------------------------- A/B variants

/** A playlist as the hit rate needs it. */
export interface VariantPlaylist {
  userId: number;
  variant: string;
  runDate: string;
  trackIds: readonly number[];
}

export interface VariantHitRate {
  variant: string;
  /** Users with a playlist of this variant in the window. */
  users: number;
  /** Those who since listened to a track of one of those playlists. */
  hits: number;
  rate: number;
}

/**
 * Live hit rate of each variant: a user counts once per variant; a hit is any later listen of a
 * track of one of the user's playlists of that variant. A generated playlist never holds a track
 * its user had heard, so any listen of one of its tracks came after it (the canary review's rule).
 */
export function variantHitRates(
  playlists: readonly VariantPlaylist[],
  listened: ReadonlyMap<number, ReadonlySet<number>>,
): { variants: VariantHitRate[]; by_day: Array<{ run_date: string; rates: Record<string, number | null> }> } {
  const overall = new Map<string, Map<number, boolean>>();
  const daily = new Map<string, Map<string, Map<number, boolean>>>();
  const mark = (m: Map<number, boolean>, user: number, hit: boolean) => m.set(user, (m.get(user) ?? false) || hit);
  for (const p of playlists) {
    const heard = listened.get(p.userId);
    const hit = heard !== undefined && p.trackIds.some((t) => heard.has(t));
    if (!overall.has(p.variant)) overall.set(p.variant, new Map());
    mark(overall.get(p.variant)!, p.userId, hit);
    if (!daily.has(p.runDate)) daily.set(p.runDate, new Map());
    const day = daily.get(p.runDate)!;
    if (!day.has(p.variant)) day.set(p.variant, new Map());
    mark(day.get(p.variant)!, p.userId, hit);
  }
  const rate = (m: Map<number, boolean>) => {
    const hits = [...m.values()].filter(Boolean).length;
    return { users: m.size, hits, rate: m.size ? round(hits / m.size)! : 0 };
  };
  const names = [...overall.keys()].sort();
  return {
    variants: names.map((variant) => ({ variant, ...rate(overall.get(variant)!) })),
    by_day: [...daily.keys()].sort().map((run_date) => ({
      run_date,
      rates: Object.fromEntries(names.map((v) => [v, daily.get(run_date)!.has(v) ? rate(daily.get(run_date)!.get(v)!).rate : null])),
    })),
  };
}

// ---------------------------------------------------------------- cache hit ratio

export interface CacheSample {
  /** Unix seconds. */
  t: number;
  hit: number;
  miss_store: number;
  miss_cold_start: number;
}

export interface CachePoint {
  t: number;
  /** Reads answered from Redis over the interval, of all reads; null when there were none. */
  hit_ratio: number | null;
  reads: number;
}

/** Hit ratio per interval between cumulative samples (after a reset, the new counts), bucketed. */
export function cachePoints(samples: readonly CacheSample[], max = MAX_POINTS): CachePoint[] {
  const deltas: Array<{ t: number; hits: number; reads: number }> = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    // Any counter going down means the counters started again from zero (a new process).
    const reset = b.hit < a.hit || b.miss_store < a.miss_store || b.miss_cold_start < a.miss_cold_start;
    const d = (k: 'hit' | 'miss_store' | 'miss_cold_start') => (reset ? b[k] : b[k] - a[k]);
    deltas.push({ t: b.t, hits: d('hit'), reads: d('hit') + d('miss_store') + d('miss_cold_start') });
  }
  return groupConsecutive(deltas, max).map((g) => {
    const hits = g.reduce((s, x) => s + x.hits, 0);
    const reads = g.reduce((s, x) => s + x.reads, 0);
    return { t: g[g.length - 1]!.t, hit_ratio: reads ? round(hits / reads) : null, reads };
  });
}

// ---------------------------------------------------------------- models

export const METRIC_NAMES = ['ndcg', 'precision', 'recall', 'coverage'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Metrics = Record<MetricName, number | null>;

export interface TimelineSegment {
  /** candidate, rejected, canary, production, retired, or "rolled back". */
  status: string;
  from: string;
  /** Null while it lasts. */
  to: string | null;
}

export interface StatusChangeView {
  at: string;
  status: string;
  decision: string | null;
  reason: string | null;
  by: string | null;
}

export interface ModelVersionView {
  version: string;
  /** The model family (`als` for versions recorded before the field existed). */
  family: string;
  status: string;
  /** The status as shown: "rolled back" for a version a rollback or a failed canary took out. */
  label: string;
  created_at: string | null;
  run_id: string | null;
  metrics: Metrics;
  popularity: Metrics;
  /** What production served when this version was trained, on the same split (null: not measured). */
  production_at_training: Metrics | null;
  /** model (then its version), or hybrid when no model was in production; null when not recorded. */
  production_kind: string | null;
  production_version: string | null;
  held_out_users: number | null;
  settings: Record<string, unknown>;
  sizes: Record<string, unknown>;
  decision: string | null;
  reason: string | null;
  canary_outcome: Record<string, unknown> | null;
  timeline: TimelineSegment[];
  history: StatusChangeView[];
}

function metricsOf(v: unknown): Metrics {
  const m = obj(v);
  const out = {} as Metrics;
  for (const k of METRIC_NAMES) out[k] = typeof m?.[k] === 'number' && Number.isFinite(m[k]) ? round(m[k] as number) : null;
  return out;
}

function historyOf(doc: RunRecord): StatusChangeView[] {
  const h = Array.isArray(doc.history) ? (doc.history as unknown[]) : [];
  return h
    .map((x) => obj(x))
    .filter((x): x is Record<string, unknown> => x !== null && dateField(x as RunRecord, 'at') !== null)
    .map((x) => ({
      at: dateField(x as RunRecord, 'at')!.toISOString(),
      status: String(x.status ?? 'unknown'),
      decision: text(x.decision),
      reason: text(x.reason),
      by: text(x.by),
    }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

const statusLabel = (status: string, decision: string | null) =>
  decision === 'rolled_back' && (status === 'retired' || status === 'rejected') ? 'rolled back' : status;

/**
 * The periods of a version's life: candidate from its creation to its first recorded change, then
 * each recorded status until the next change; the last one open.
 */
export function timelineOf(
  createdAt: string | null,
  status: string,
  decision: string | null,
  history: readonly StatusChangeView[],
): TimelineSegment[] {
  if (history.length === 0) return createdAt ? [{ status: statusLabel(status, decision), from: createdAt, to: null }] : [];
  const out: TimelineSegment[] = [];
  if (createdAt && createdAt < history[0]!.at) out.push({ status: 'candidate', from: createdAt, to: history[0]!.at });
  history.forEach((h, i) => {
    const status = statusLabel(h.status, h.decision);
    const to = history[i + 1]?.at ?? null;
    // A change that keeps the status (a refit, a canary review that waits) extends the period.
    const prev = out[out.length - 1];
    if (prev && prev.status === status) prev.to = to;
    else out.push({ status, from: h.at, to });
  });
  return out;
}

export function modelVersionView(doc: RunRecord): ModelVersionView {
  const status = String(doc.status ?? 'unknown');
  const decision = text(doc.decision);
  const createdAt = dateField(doc, 'created_at')?.toISOString() ?? null;
  const history = historyOf(doc);
  const baselines = obj(doc.baselines);
  const metrics = obj(doc.metrics);
  return {
    version: String(doc.version ?? doc._id),
    family: text(doc.family) ?? 'als',
    status,
    label: statusLabel(status, decision),
    created_at: createdAt,
    run_id: text(doc.run_id),
    metrics: metricsOf(metrics),
    popularity: metricsOf(baselines?.popularity),
    production_at_training: baselines?.production ? metricsOf(baselines.production) : null,
    production_kind: text(baselines?.production_kind) ?? (text(baselines?.production_version) ? 'model' : null),
    production_version: text(baselines?.production_version),
    held_out_users: typeof metrics?.users === 'number' ? metrics.users : null,
    settings: obj(doc.settings) ?? {},
    sizes: obj(doc.sizes) ?? {},
    decision,
    reason: text(doc.reason),
    canary_outcome: obj(obj(doc.canary)?.outcome),
    timeline: timelineOf(createdAt, status, decision, history),
    history,
  };
}

/** Versions oldest first (the timeline's order), at most MAX_VERSIONS, the newest kept. */
export function modelVersionViews(docs: readonly RunRecord[], max = MAX_VERSIONS): ModelVersionView[] {
  return docs
    .map(modelVersionView)
    .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.version.localeCompare(b.version))
    .slice(-max);
}

export interface DriftPoint extends PointBase {
  /** PSI per feature (the largest of the point's runs). */
  psi: Record<string, number | null>;
}

export function driftPoints(
  trainingRuns: readonly RunRecord[],
  max = MAX_POINTS,
): { features: string[]; threshold: number | null; points: DriftPoint[] } {
  const runs = byStart(trainingRuns).filter((r) => obj(obj(r.drift)?.psi) !== null);
  const features = [...new Set(runs.flatMap((r) => Object.keys(obj(obj(r.drift)!.psi)!)))].sort();
  const last = runs[runs.length - 1];
  const threshold = last ? numberField(obj(last.drift) as RunRecord, 'threshold') : null;
  const points = groupConsecutive(runs, max).map((g): DriftPoint => {
    const psi: Record<string, number | null> = {};
    for (const f of features) {
      const vals = nums(g.map((r) => numberField(obj(obj(r.drift)!.psi) as RunRecord, f)));
      psi[f] = vals.length ? round(Math.max(...vals)) : null;
    }
    return { ...base(g), psi };
  });
  return { features, threshold, points };
}

export interface DecisionView {
  at: string;
  /** training: the gate's decision on a trained candidate; registry: a later change (canary review, promotion, rollback). */
  source: 'training' | 'registry';
  decision: string;
  version: string | null;
  reason: string;
  run_id: string | null;
  /** The gate's checks (training decisions). */
  checks: Array<{ name: string; passed: boolean; detail: string }>;
}

function checksOf(run: RunRecord): DecisionView['checks'] {
  const checks = obj(run.gate)?.checks;
  if (!Array.isArray(checks)) return [];
  return checks
    .map((c) => obj(c))
    .filter((c): c is Record<string, unknown> => c !== null)
    .map((c) => ({ name: String(c.name ?? ''), passed: c.passed === true, detail: String(c.detail ?? '') }));
}

/**
 * Every decision with its reason, newest first: each training run's gate decision, and each later
 * change of a version (canary passed, promoted, rolled back, retired) from the registry's history.
 */
export function decisionsOf(
  trainingRuns: readonly RunRecord[],
  versions: readonly ModelVersionView[],
  max = MAX_DECISIONS,
): DecisionView[] {
  const out: DecisionView[] = [];
  for (const r of trainingRuns) {
    const at = dateField(r, 'finished_at', 'started_at');
    if (!at) continue;
    const decision = text(r.decision) ?? (r.status === 'failed' ? 'failed' : r.status === 'running' ? 'running' : null);
    if (!decision) continue;
    out.push({
      at: at.toISOString(),
      source: 'training',
      decision,
      version: text(r.version),
      reason: text(obj(r.gate)?.reason) ?? text(r.reason) ?? text(r.error)?.split('\n', 1)[0] ?? '',
      run_id: String(r._id),
      checks: checksOf(r),
    });
  }
  const byTraining = new Set(out.map((d) => `${d.version}:${d.decision}`));
  for (const v of versions) {
    for (const h of v.history) {
      const decision = h.decision ?? h.status;
      // The version's creation and the training run's own decision are listed once, from the run.
      if (decision === 'candidate' || byTraining.has(`${v.version}:${decision}`)) continue;
      out.push({ at: h.at, source: 'registry', decision, version: v.version, reason: h.reason ?? '', run_id: null, checks: [] });
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, max);
}

// ---------------------------------------------------------------- user view

export interface TrackFacts {
  name: string | null;
  artist: string | null;
  genres: string[];
}

/** Where a track of a playlist came from: the recommender's own list, or a fallback after it ran short. */
export interface SourceRun {
  name: string;
  count: number;
}

export interface TrackReason {
  rank: number;
  track_id: number;
  name: string | null;
  artist: string | null;
  genres: string[];
  score: number;
  /** model, hybrid, genre or popularity: the list the track was taken from (null when the playlist does not say). */
  source: string | null;
  fallback: boolean;
  /** favourite: a genre the user named; listened: a genre of the user's listens; null: neither. */
  genre_match: 'favourite' | 'listened' | null;
  why: string;
}

/** The source of each position from the run-length list a playlist stores (`sources`). */
export function expandSources(runs: unknown, length: number): Array<string | null> {
  const out: Array<string | null> = [];
  if (Array.isArray(runs)) {
    for (const r of runs) {
      const o = obj(r);
      if (!o || typeof o.name !== 'string' || typeof o.count !== 'number') continue;
      for (let i = 0; i < o.count && out.length < length; i++) out.push(o.name);
    }
  }
  while (out.length < length) out.push(null);
  return out;
}

const RECOMMENDER_WHY: Record<string, string> = {
  model: 'model score',
  hybrid: 'genre affinity and popularity',
  genre: 'genre affinity',
  popularity: 'popular with all listeners',
};

/**
 * Why each track of a playlist is there: the list it came from (the recommender's, or a fallback
 * when that list ran short), its score there, and how its genres relate to the user's.
 */
export function explainTracks(
  playlist: {
    track_ids: readonly number[];
    scores: readonly number[];
    recommender: string;
    model_version: string | null;
    sources?: unknown;
  },
  tracks: ReadonlyMap<number, TrackFacts>,
  favouriteGenres: readonly string[],
  listenedGenres: ReadonlySet<string>,
): TrackReason[] {
  const sources =
    playlist.sources === undefined ? playlist.track_ids.map(() => null) : expandSources(playlist.sources, playlist.track_ids.length);
  const favourites = new Set(favouriteGenres.map((g) => g.toLowerCase()));
  const listened = new Set([...listenedGenres].map((g) => g.toLowerCase()));
  return playlist.track_ids.map((id, i) => {
    const t = tracks.get(id);
    const genres = t?.genres ?? [];
    const match = genres.some((g) => favourites.has(g.toLowerCase()))
      ? 'favourite'
      : genres.some((g) => listened.has(g.toLowerCase()))
        ? 'listened'
        : null;
    const known = sources[i] ?? null;
    const source = known ?? (playlist.recommender === 'model' ? null : playlist.recommender);
    const fallback = known !== null && known !== playlist.recommender;
    const score = playlist.scores[i] ?? 0;
    const parts: string[] = [];
    if (fallback) parts.push(`fallback to ${known} (${RECOMMENDER_WHY[known] ?? known}) after the ${playlist.recommender} list ran short`);
    else if (source === 'model') parts.push(`model ${playlist.model_version ?? ''} score ${score.toFixed(3)}`.replace('  ', ' '));
    else if (source) parts.push(`${RECOMMENDER_WHY[source] ?? source}: score ${score.toFixed(3)}`);
    else parts.push(`${playlist.recommender} score ${score.toFixed(3)} (this playlist does not record model or fallback per track)`);
    if (match === 'favourite') parts.push(`a favourite genre (${genres.join(', ')})`);
    else if (match === 'listened') parts.push(`a genre the user listens to (${genres.join(', ')})`);
    return {
      rank: i + 1,
      track_id: id,
      name: t?.name ?? null,
      artist: t?.artist ?? null,
      genres,
      score,
      source,
      fallback,
      genre_match: match,
      why: parts.join('; '),
    };
  });
}
