import { describe, expect, it } from 'vitest';
import {
  canaryLooks,
  decideCanary,
  hitRates,
  newcombeInterval,
  normalQuantile,
  points,
  wilsonInterval,
  type CanaryTest,
  type GroupHitRate,
} from '../../../src/training/pipeline/canary.js';
import { Rng } from '../../../src/common/random.js';
import { canaryReviewsOf, type CanaryReviewRecord } from '../../../src/training/registry/registry.schemas.js';

describe('canary hit rates', () => {
  const playlists = [
    { userId: 1, trackIds: [10, 11], modelVersion: 'v2' },
    { userId: 2, trackIds: [12, 13], modelVersion: 'v2' },
    { userId: 3, trackIds: [10, 14], modelVersion: 'v1' },
    { userId: 4, trackIds: [15], modelVersion: null },
    { userId: 4, trackIds: [16], modelVersion: null },
  ];

  it('counts users whose later listens include a track of their playlists, per group', () => {
    const listened = new Map([
      [1, new Set([11, 99])], // canary hit
      [2, new Set([99])], // canary miss
      [3, new Set([10])], // production hit
      [4, new Set([16])], // production hit on its second playlist
    ]);
    const r = hitRates(playlists, 'v2', listened);
    expect(r.canary).toEqual({ users: 2, hits: 1, rate: 0.5 });
    expect(r.production).toEqual({ users: 2, hits: 2, rate: 1 });
  });

  it('puts a user with any canary playlist in the canary group only', () => {
    const r = hitRates(
      [
        { userId: 1, trackIds: [1], modelVersion: 'v1' },
        { userId: 1, trackIds: [2], modelVersion: 'v2' },
      ],
      'v2',
      new Map([[1, new Set([1])]]),
    );
    expect(r.canary).toEqual({ users: 1, hits: 0, rate: 0 });
    expect(r.production.users).toBe(0);
  });
});

/*
 * Reference values computed once with Python 3.11, scipy 1.16 and statsmodels 0.15:
 *   scipy.stats.norm.ppf(p)
 *   statsmodels.stats.proportion.proportion_confint(hits, n, alpha, method='wilson')
 *   statsmodels.stats.proportion.confint_proportions_2indep(h1, n1, h2, n2, method='newcomb', compare='diff', alpha=alpha)
 * The first Newcombe case is also the worked example of Newcombe (1998), Statistics in Medicine 17,
 * 873-890, table II, method 10: 56/70 - 48/80, 95% interval [0.0524, 0.3339].
 */
describe('canary statistics against reference values', () => {
  it('normal quantiles', () => {
    const cases: Array<[number, number]> = [
      [0.975, 1.959963984540054],
      [0.995, 2.5758293035489004],
      [0.9975, 2.807033768343811],
      [0.5, 0],
      [0.02, -2.053748910631823],
      [1e-10, -6.361340902404056],
      [1 - 1e-12, 7.0344869100478356],
    ];
    for (const [p, q] of cases) expect(normalQuantile(p)).toBeCloseTo(q, 12);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('Wilson score intervals', () => {
    const z = normalQuantile(0.975);
    const w = wilsonInterval(64, 230, z);
    expect(w.lower).toBeCloseTo(0.2243495686672269, 12);
    expect(w.upper).toBeCloseTo(0.3394574631807401, 12);
    const zero = wilsonInterval(0, 30, z);
    expect(zero.lower).toBe(0);
    expect(zero.upper).toBeCloseTo(0.1135133931739688, 12);
    expect(wilsonInterval(0, 0, z)).toEqual({ lower: 0, upper: 1 });
  });

  it('Newcombe hybrid score intervals of a difference of proportions', () => {
    const cases: Array<[number, number, number, number, number, number, number]> = [
      // h1, n1, h2, n2, confidence, lower, upper
      [56, 70, 48, 80, 0.95, 0.05243147240236498, 0.33387265403690614],
      // The day-9 review: 22.8% of 219 canary users against 28.0% of production's.
      [50, 219, 548, 1958, 0.95, -0.10611139657219061, 0.011496609160653024],
      [50, 219, 548, 1958, 0.99, -0.1213656851403959, 0.032745278331638344],
      [79, 261, 584, 2255, 0.99, -0.028191137605980937, 0.12444901205505221],
      [0, 10, 0, 20, 0.95, -0.1611251580528194, 0.27753279986288926],
      [10, 10, 0, 20, 0.95, 0.6790860371419145, 1],
    ];
    for (const [h1, n1, h2, n2, c, lo, hi] of cases) {
      const i = newcombeInterval({ hits: h1, users: n1 }, { hits: h2, users: n2 }, c);
      expect(i.estimate).toBeCloseTo(h1 / n1 - h2 / n2, 14);
      expect(i.lower).toBeCloseTo(lo, 12);
      expect(i.upper).toBeCloseTo(hi, 12);
    }
    expect(() => newcombeInterval({ hits: 0, users: 0 }, { hits: 1, users: 2 }, 0.95)).toThrow(RangeError);
  });
});

function binomial(rng: Rng, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng.next() < p) k++;
  return k;
}

const group = (hits: number, users: number): GroupHitRate => ({ users, hits, rate: users ? hits / users : 0 });

describe('canary statistics on simulated Bernoulli data (seeded)', () => {
  it('the 95% Newcombe interval covers the true difference in about 95% of samples', () => {
    const rng = new Rng(20261205);
    const settings: Array<[number, number, number, number]> = [
      // p canary, users, p production, users: the living mock's sizes and rates, and harder ones.
      [0.27, 220, 0.28, 2000],
      [0.05, 150, 0.08, 1500],
      [0.5, 60, 0.5, 60],
      [0.9, 300, 0.85, 300],
    ];
    for (const [p1, n1, p2, n2] of settings) {
      const reps = 2000;
      let covered = 0;
      for (let r = 0; r < reps; r++) {
        const i = newcombeInterval({ hits: binomial(rng, n1, p1), users: n1 }, { hits: binomial(rng, n2, p2), users: n2 }, 0.95);
        if (i.lower <= p1 - p2 && p1 - p2 <= i.upper) covered++;
      }
      // Binomial noise of 2,000 draws at 95% is 0.5 points; the interval itself runs a little under
      // 95% at some small sizes (Newcombe 1998), 93.9% at 60 users a side with this seed.
      expect(covered / reps, `p ${p1} of ${n1} vs ${p2} of ${n2}`).toBeGreaterThan(0.93);
      expect(covered / reps, `p ${p1} of ${n1} vs ${p2} of ${n2}`).toBeLessThan(0.975);
    }
  });

  it('reviewed daily, a canary exactly at the margin is promoted by the test in at most 2.5% of runs', () => {
    // The canary's users grow each day; Bonferroni over the 5 looks keeps them together within 2.5% (1.5% here).
    const rng = new Rng(7);
    const test: CanaryTest = { confidence: 0.95, margin: 0.02, minUsers: 100, maxLooks: 5, inconclusive: 'rollback' };
    const runs = 2000;
    let promoted = 0;
    for (let r = 0; r < runs; r++) {
      let c = { hits: 0, users: 0 };
      let p = { hits: 0, users: 0 };
      for (let look = 1; look <= test.maxLooks; look++) {
        c = { hits: c.hits + binomial(rng, 80, 0.26), users: c.users + 80 };
        p = { hits: p.hits + binomial(rng, 400, 0.28), users: p.users + 400 };
        const d = decideCanary({ canary: group(c.hits, c.users), production: group(p.hits, p.users) }, test, look);
        if (d.decision === 'promote') promoted++;
        if (d.decision !== 'wait') break;
      }
    }
    expect(promoted / runs).toBeLessThan(0.025 + 0.01);
  });
});

describe('canary decision', () => {
  const test: CanaryTest = { confidence: 0.95, margin: 0.02, minUsers: 100, maxLooks: 5, inconclusive: 'promote' };
  const rates = (ch: number, cn: number, ph: number, pn: number) => ({ canary: group(ch, cn), production: group(ph, pn) });

  it('reviews daily from CANARY_DAYS to CANARY_MAX_DAYS, at least once', () => {
    expect(canaryLooks(2, 6)).toBe(5);
    expect(canaryLooks(2, 2)).toBe(1);
    expect(canaryLooks(3, 1)).toBe(1);
  });

  it('promotes a canary whose interval lies above minus the margin, stating the test', () => {
    const d = decideCanary(rates(600, 1000, 500, 1000), test, 1);
    expect(d).toMatchObject({ decision: 'promote', verdict: 'non_inferior', look: 1, maxLooks: 5, confidence: 0.95, margin: 0.02 });
    expect(d.lookConfidence).toBeCloseTo(0.99, 12);
    expect(d.interval!.lower).toBeGreaterThan(-0.02);
    expect(d.reason).toMatch(
      /^promoted: non-inferior, next-day hit rate canary 60.0% of 1000 users, production 50.0% of 1000 users; difference \+10.0 points, 99% interval \[\+\d\.\d, \+\d+\.\d\] \(95% over 5 looks\), margin -2.0 points; look 1 of 5$/,
    );
  });

  it('rolls back a canary whose interval lies below minus the margin', () => {
    const d = decideCanary(rates(300, 1000, 500, 1000), test, 2);
    expect(d).toMatchObject({ decision: 'rollback', verdict: 'inferior' });
    expect(d.interval!.upper).toBeLessThan(-0.02);
    expect(d.reason).toMatch(/^rolled back: worse than production by more than the margin, .*difference -20.0 points/);
  });

  it('waits while the interval straddles the margin, then decides at the last look as CANARY_INCONCLUSIVE says', () => {
    // The day-9 review: 99% interval [-12.1, +3.3] points straddles -2.
    const r = rates(50, 219, 548, 1958);
    const first = decideCanary(r, test, 1);
    expect(first).toMatchObject({ decision: 'wait', verdict: 'inconclusive' });
    expect(first.interval!.lower).toBeCloseTo(-0.1213656851403959, 12);
    expect(first.reason).toMatch(/^waiting: inconclusive, .*\[-12.1, \+3.3\] .*look 1 of 5$/);
    expect(decideCanary(r, test, 4).decision).toBe('wait');
    const last = decideCanary(r, test, 5);
    expect(last).toMatchObject({ decision: 'promote', verdict: 'inconclusive' });
    expect(last.reason).toMatch(
      /^promoted at the last look: not shown worse by more than the margin, the offline gate stands \(inconclusive; CANARY_INCONCLUSIVE=promote\)/,
    );
    const strict = decideCanary(r, { ...test, inconclusive: 'rollback' }, 5);
    expect(strict).toMatchObject({ decision: 'rollback', verdict: 'inconclusive' });
    expect(strict.reason).toMatch(/^rolled back at the last look: not shown non-inferior/);
  });

  it('waits when a group has fewer than CANARY_MIN_USERS users, even on a clear difference, until the last look', () => {
    const r = rates(0, 50, 500, 1000);
    const early = decideCanary(r, test, 1);
    expect(early).toMatchObject({ decision: 'wait', verdict: 'too_few_users' });
    expect(early.interval!.upper).toBeLessThan(-0.02);
    expect(early.reason).toMatch(/^waiting: inconclusive with fewer than CANARY_MIN_USERS=100 users in a group/);
    expect(decideCanary(r, test, 5)).toMatchObject({ decision: 'rollback', verdict: 'inferior' });
  });

  it('waits when a group is empty, and at the last look promotes on the offline gate alone, saying so', () => {
    const r = rates(0, 0, 1, 5);
    const early = decideCanary(r, test, 1);
    expect(early).toMatchObject({ decision: 'wait', verdict: 'no_comparison', interval: null });
    const last = decideCanary(r, test, 5);
    expect(last).toMatchObject({ decision: 'promote', verdict: 'no_comparison' });
    expect(last.reason).toMatch(/^promoted on the offline gate alone: no online comparison possible/);
    expect(decideCanary(r, { ...test, inconclusive: 'rollback' }, 5).decision).toBe('rollback');
  });

  it('decides at the first review when it is the only one (CANARY_MAX_DAYS <= CANARY_DAYS)', () => {
    const d = decideCanary(rates(50, 219, 548, 1958), { ...test, maxLooks: 1 }, 1);
    expect(d.decision).toBe('promote');
    expect(d.lookConfidence).toBeCloseTo(0.95, 12);
  });
});

describe('canary records written before the test', () => {
  it('are still read: a legacy outcome (a tolerance, no test) gives no review; new records give theirs', () => {
    const base = { percent: 10, started_at: new Date(0), review_at: new Date(0), data_anchor: null };
    expect(
      canaryReviewsOf({ ...base, outcome: { canary: group(1, 2), production: group(1, 2), promote: true, reason: 'promoted: ...' } }),
    ).toEqual([]);
    expect(canaryReviewsOf(base)).toEqual([]);
    expect(canaryReviewsOf(null)).toEqual([]);
    const review = { look: 1, decision: 'wait' } as CanaryReviewRecord;
    expect(canaryReviewsOf({ ...base, reviews: [review], outcome: review })).toEqual([review]);
  });
});

describe('canary reasons', () => {
  it('write signed points with one decimal, and a difference that rounds to zero as +0.0', () => {
    expect(points(-0.0004)).toBe('+0.0');
    expect(points(0.0235)).toBe('+2.4');
    expect(points(-0.1213)).toBe('-12.1');
  });
});
