import { describe, expect, it } from 'vitest';
import { decideGate, type GateSettings } from '../../../src/training/pipeline/gate.js';

const s: GateSettings = { ndcgTolerance: 0.02, minLiftOverPopularity: 0.1, coverageTolerance: 0.2 };
const m = (ndcg: number, coverage = 0.5, users = 100) => ({ ndcg, coverage, users });

describe('decideGate', () => {
  it('passes a candidate that beats popularity by the margin and holds production', () => {
    const d = decideGate(m(0.3, 0.5), m(0.3, 0.5), m(0.2), s);
    expect(d.passed).toBe(true);
    expect(d.checks.map((c) => c.name)).toEqual(['held_out_users', 'lift_over_popularity', 'ndcg_vs_production', 'coverage_vs_production']);
    expect(d.reason).toMatch(/^passed/);
  });

  it('passes the first candidate against popularity alone, saying so', () => {
    const d = decideGate(m(0.3), null, m(0.2), s);
    expect(d.passed).toBe(true);
    expect(d.checks).toHaveLength(2);
    expect(d.reason).toMatch(/nothing in production to compare with/);
  });

  it('rejects a candidate under popularity x (1 + MIN_LIFT_OVER_POPULARITY)', () => {
    const d = decideGate(m(0.21), null, m(0.2), s);
    expect(d.passed).toBe(false);
    expect(d.reason).toMatch(/rejected: NDCG@10 0.2100 < popularity 0.2000 x 1.10 = 0.2200/);
  });

  it('tolerates a small fall below production, not a larger one', () => {
    expect(decideGate(m(0.295), m(0.3), m(0.1), s).passed).toBe(true); // threshold 0.294
    const d = decideGate(m(0.29), m(0.3), m(0.1), s);
    expect(d.passed).toBe(false);
    expect(d.checks.find((c) => c.name === 'ndcg_vs_production')).toMatchObject({ passed: false, threshold: expect.closeTo(0.294, 9) });
  });

  it('rejects a coverage collapse even with a better NDCG', () => {
    const d = decideGate(m(0.4, 0.3), m(0.3, 0.5), m(0.1), s); // threshold 0.4
    expect(d.passed).toBe(false);
    expect(d.reason).toMatch(/coverage@10 0.3000 < production 0.5000/);
  });

  it('rejects when nobody could be evaluated, or when popularity and candidate are both at zero', () => {
    expect(decideGate(m(0, 0, 0), null, m(0, 0, 0), s).checks[0]).toMatchObject({ name: 'held_out_users', passed: false });
    expect(decideGate(m(0), null, m(0), s).passed).toBe(false);
  });
});

describe('the gate against what production serves', () => {
  it('names the hybrid fallback when it is what production serves, and holds the candidate to it', () => {
    const s = { ndcgTolerance: 0.02, minLiftOverPopularity: 0.1, coverageTolerance: 0.2 };
    const d = decideGate(
      { ndcg: 0.28, coverage: 0.3, users: 100 },
      { ndcg: 0.31, coverage: 0.3, users: 100 },
      { ndcg: 0.1, coverage: 0.02, users: 100 },
      s,
      'production (hybrid fallback, no model yet)',
    );
    expect(d.passed).toBe(false);
    expect(d.reason).toBe('rejected: NDCG@10 0.2800 < production (hybrid fallback, no model yet) 0.3100 x 0.98 = 0.3038');
  });
});
