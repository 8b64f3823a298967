/** Freshness of one pipeline stage, as /health reports it. */
export interface StageFreshness {
  status: 'ok' | 'stale';
  last_success_at: string | null;
  age_seconds: number | null;
  max_age_seconds: number;
  reason?: string;
}

export interface FreshnessReport {
  status: 'ok' | 'degraded';
  ingestion: StageFreshness;
  recommendations: StageFreshness;
}

/** Stale when the last success is older than its maximum age, or when there has been none. */
export function stageFreshness(stage: string, lastSuccess: Date | null, nowMs: number, maxAgeSeconds: number): StageFreshness {
  if (!lastSuccess) {
    return {
      status: 'stale',
      last_success_at: null,
      age_seconds: null,
      max_age_seconds: maxAgeSeconds,
      reason: `no successful ${stage} run recorded`,
    };
  }
  const age = Math.max(0, Math.round((nowMs - lastSuccess.getTime()) / 1000));
  const out: StageFreshness = {
    status: age > maxAgeSeconds ? 'stale' : 'ok',
    last_success_at: lastSuccess.toISOString(),
    age_seconds: age,
    max_age_seconds: maxAgeSeconds,
  };
  if (out.status === 'stale') out.reason = `last successful ${stage} run is ${age} s old (more than ${maxAgeSeconds} s)`;
  return out;
}

export function freshnessReport(
  last: { ingestion: Date | null; recommendations: Date | null },
  nowMs: number,
  maxAges: { ingestion: number; recommendations: number },
): FreshnessReport {
  const ingestion = stageFreshness('ingestion', last.ingestion, nowMs, maxAges.ingestion);
  const recommendations = stageFreshness('recommendation', last.recommendations, nowMs, maxAges.recommendations);
  return { status: ingestion.status === 'ok' && recommendations.status === 'ok' ? 'ok' : 'degraded', ingestion, recommendations };
}
