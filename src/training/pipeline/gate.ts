/**
 * The promotion gate: a candidate goes on only if, on the same held-out split, it is not worse
 * than what production serves today beyond a tolerance (the production model, or the hybrid
 * fallback while no model is in production), beats popularity by a margin, and keeps catalogue
 * coverage.
 */

export interface GateMetrics {
  ndcg: number;
  coverage: number;
  /** Held-out users the metrics average over. */
  users: number;
}

export interface GateSettings {
  /** Candidate NDCG may be below production's by at most this share. */
  ndcgTolerance: number;
  /** Candidate NDCG must be at least popularity's times (1 + this). */
  minLiftOverPopularity: number;
  /** Candidate coverage may be below production's by at most this share. */
  coverageTolerance: number;
}

export interface GateCheck {
  name: 'held_out_users' | 'lift_over_popularity' | 'ndcg_vs_production' | 'coverage_vs_production';
  passed: boolean;
  /** Candidate value, and the threshold it was held to. */
  value: number;
  threshold: number;
  detail: string;
}

export interface GateDecision {
  passed: boolean;
  /** One line: every failed check, or why it passed. */
  reason: string;
  checks: GateCheck[];
}

const f4 = (v: number) => v.toFixed(4);

export function decideGate(
  candidate: GateMetrics,
  production: GateMetrics | null,
  popularity: GateMetrics,
  s: GateSettings,
  productionName = 'production',
): GateDecision {
  const checks: GateCheck[] = [];
  checks.push({
    name: 'held_out_users',
    passed: candidate.users > 0,
    value: candidate.users,
    threshold: 1,
    detail:
      candidate.users > 0 ? `${candidate.users} held-out users` : 'no held-out user has listens both before and inside the validation days',
  });
  const liftThreshold = popularity.ndcg * (1 + s.minLiftOverPopularity);
  // With popularity at 0 the margin is 0 too: the candidate must still find something.
  const liftOk = candidate.ndcg >= liftThreshold && candidate.ndcg > 0;
  checks.push({
    name: 'lift_over_popularity',
    passed: liftOk,
    value: candidate.ndcg,
    threshold: liftThreshold,
    detail: `NDCG@10 ${f4(candidate.ndcg)} ${liftOk ? '>=' : '<'} popularity ${f4(popularity.ndcg)} x ${(1 + s.minLiftOverPopularity).toFixed(2)} = ${f4(liftThreshold)}`,
  });
  if (production) {
    const ndcgThreshold = production.ndcg * (1 - s.ndcgTolerance);
    const ndcgOk = candidate.ndcg >= ndcgThreshold;
    checks.push({
      name: 'ndcg_vs_production',
      passed: ndcgOk,
      value: candidate.ndcg,
      threshold: ndcgThreshold,
      detail: `NDCG@10 ${f4(candidate.ndcg)} ${ndcgOk ? '>=' : '<'} ${productionName} ${f4(production.ndcg)} x ${(1 - s.ndcgTolerance).toFixed(2)} = ${f4(ndcgThreshold)}`,
    });
    const covThreshold = production.coverage * (1 - s.coverageTolerance);
    const covOk = candidate.coverage >= covThreshold;
    checks.push({
      name: 'coverage_vs_production',
      passed: covOk,
      value: candidate.coverage,
      threshold: covThreshold,
      detail: `coverage@10 ${f4(candidate.coverage)} ${covOk ? '>=' : '<'} ${productionName} ${f4(production.coverage)} x ${(1 - s.coverageTolerance).toFixed(2)} = ${f4(covThreshold)}`,
    });
  }
  const failed = checks.filter((c) => !c.passed);
  const passed = failed.length === 0;
  const reason = passed
    ? `passed: ${checks.map((c) => c.detail).join('; ')}${production ? '' : '; nothing in production to compare with'}`
    : `rejected: ${failed.map((c) => c.detail).join('; ')}`;
  return { passed, reason, checks };
}
