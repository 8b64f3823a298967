/**
 * The canary's online check: next-day hit rate of canary users against production users.
 * A generated playlist never holds a track its user had heard, so any later listen of one of its
 * tracks is a listen since the playlist was generated: no clock has to be compared.
 */

export interface PlaylistView {
  userId: number;
  trackIds: readonly number[];
  modelVersion: string | null;
}

export interface GroupHitRate {
  /** Users with at least one playlist in the group since the canary started. */
  users: number;
  /** Those whose later listens include a track of one of those playlists. */
  hits: number;
  rate: number;
}

/**
 * Groups users by the playlists generated since the canary started (a user with any canary playlist
 * is a canary user) and counts hits against `listened` (each user's tracks listened since then).
 */
export function hitRates(
  playlists: readonly PlaylistView[],
  canaryVersion: string,
  listened: ReadonlyMap<number, ReadonlySet<number>>,
): { canary: GroupHitRate; production: GroupHitRate } {
  const tracksBy = new Map<number, { canary: boolean; tracks: Set<number> }>();
  for (const p of playlists) {
    const isCanary = p.modelVersion === canaryVersion;
    let u = tracksBy.get(p.userId);
    if (!u) tracksBy.set(p.userId, (u = { canary: isCanary, tracks: new Set() }));
    if (isCanary && !u.canary) {
      // First canary playlist of a user seen under production before: count it as canary only.
      u.canary = true;
      u.tracks.clear();
    }
    if (isCanary === u.canary) for (const t of p.trackIds) u.tracks.add(t);
  }
  const canary = { users: 0, hits: 0, rate: 0 };
  const production = { users: 0, hits: 0, rate: 0 };
  for (const [userId, u] of tracksBy) {
    const g = u.canary ? canary : production;
    g.users++;
    const heard = listened.get(userId);
    if (heard && [...u.tracks].some((t) => heard.has(t))) g.hits++;
  }
  canary.rate = canary.users ? canary.hits / canary.users : 0;
  production.rate = production.users ? production.hits / production.users : 0;
  return { canary, production };
}

/** Two-sided interval of a difference of hit rates (canary minus production). */
export interface DifferenceInterval {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Quantile of the standard normal distribution (Wichura 1988, algorithm AS 241, PPND16): relative
 * error about 1e-16 over (0, 1).
 */
/* eslint-disable no-loss-of-precision -- AS 241's coefficients as published (20 digits); each literal is read as its nearest double */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    x =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -x : x;
}
/* eslint-enable no-loss-of-precision */

/** Wilson score interval of a proportion `hits / n` at the normal quantile z; [0, 1] when n = 0. */
export function wilsonInterval(hits: number, n: number, z: number): { lower: number; upper: number } {
  if (n === 0) return { lower: 0, upper: 1 };
  const p = hits / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The exact ends are 0 and 1 at hits = 0 and hits = n; rounding must not leave them a hair away.
  return { lower: hits === 0 ? 0 : Math.max(0, centre - half), upper: hits === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval (Newcombe 1998, method 10) of p1 - p2 at two-sided `confidence`:
 * with Wilson intervals (l1, u1) and (l2, u2) of each rate,
 *   lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),  upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
 * Both groups need at least one user.
 */
export function newcombeInterval(
  a: { hits: number; users: number },
  b: { hits: number; users: number },
  confidence: number,
): DifferenceInterval {
  if (a.users === 0 || b.users === 0) throw new RangeError('newcombeInterval needs users in both groups');
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p1 = a.hits / a.users;
  const p2 = b.hits / b.users;
  const w1 = wilsonInterval(a.hits, a.users, z);
  const w2 = wilsonInterval(b.hits, b.users, z);
  const d = p1 - p2;
  return {
    estimate: d,
    lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/** How a canary is judged: the settings CANARY_CONFIDENCE, CANARY_NON_INFERIORITY_MARGIN, CANARY_MIN_USERS, CANARY_INCONCLUSIVE and the number of looks. */
export interface CanaryTest {
  /** Two-sided confidence that holds over every look of the canary together. */
  confidence: number;
  /** Absolute margin on the difference of hit rates (0.02: the canary may be up to 2 points below production). */
  margin: number;
  /** Users each group needs before a review may decide ahead of the last look. */
  minUsers: number;
  /** Reviews a canary may have: one a day from CANARY_DAYS to CANARY_MAX_DAYS days after it started. */
  maxLooks: number;
  /** What the last look does when the interval still straddles the margin. */
  inconclusive: 'promote' | 'rollback';
}

/** Looks of a canary reviewed daily from `canaryDays` to `maxDays` days after it started (at least one). */
export function canaryLooks(canaryDays: number, maxDays: number): number {
  return Math.max(1, maxDays - canaryDays + 1);
}

export const CANARY_TEST_NAME =
  'Newcombe hybrid score interval of the difference of next-day hit rates (canary - production), Bonferroni over the looks';

export type CanaryVerdict = 'non_inferior' | 'inferior' | 'inconclusive' | 'too_few_users' | 'no_comparison';

export interface CanaryOutcome {
  canary: GroupHitRate;
  production: GroupHitRate;
  test: string;
  /** Confidence over all looks, and that of this look's interval: 1 - (1 - confidence) / maxLooks. */
  confidence: number;
  lookConfidence: number;
  margin: number;
  minUsers: number;
  /** This review (1-based) and the most the canary may have. */
  look: number;
  maxLooks: number;
  /** Canary minus production; null when a group has no user. */
  interval: DifferenceInterval | null;
  verdict: CanaryVerdict;
  decision: 'promote' | 'rollback' | 'wait';
  reason: string;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
/** Signed points of rate, one decimal; a value that rounds to zero reads +0.0, never -0.0. */
export const points = (v: number) => {
  const tenths = Math.round(1000 * v);
  return `${tenths >= 0 ? '+' : '-'}${(Math.abs(tenths) / 10).toFixed(1)}`;
};
const conf = (v: number) => `${Number((100 * v).toFixed(2))}%`;

/**
 * The canary review's decision at look `look` (1-based) of `test.maxLooks`. The interval of
 * d = canary rate - production rate is Newcombe's at 1 - (1 - confidence) / maxLooks, so that the
 * intervals of all looks hold together with `confidence` (Bonferroni): a canary reviewed daily may be
 * stopped at any look without inflating its error rates.
 * - promote when lower > -margin (non-inferior), roll back when upper < -margin (worse by more than
 *   the margin), once each group has `minUsers` users or at the last look;
 * - otherwise wait for the next look; at the last look an interval that still straddles -margin
 *   decides by `test.inconclusive`, and the reason says so.
 */
export function decideCanary(rates: { canary: GroupHitRate; production: GroupHitRate }, test: CanaryTest, look: number): CanaryOutcome {
  const { canary, production } = rates;
  const last = look >= test.maxLooks;
  const lookConfidence = 1 - (1 - test.confidence) / test.maxLooks;
  const base = {
    ...rates,
    test: CANARY_TEST_NAME,
    confidence: test.confidence,
    lookConfidence,
    margin: test.margin,
    minUsers: test.minUsers,
    look,
    maxLooks: test.maxLooks,
  };
  const seen = `next-day hit rate canary ${pct(canary.rate)} of ${canary.users} users, production ${pct(production.rate)} of ${production.users} users`;
  const at = `look ${look} of ${test.maxLooks}`;
  const undecided: CanaryOutcome['decision'] = last ? test.inconclusive : 'wait';
  if (canary.users === 0 || production.users === 0) {
    const decision = undecided;
    const what = decision === 'wait' ? 'waiting' : decision === 'promote' ? 'promoted on the offline gate alone' : 'rolled back';
    return {
      ...base,
      interval: null,
      verdict: 'no_comparison',
      decision,
      reason: `${what}: no online comparison possible (${seen}); ${at}${last ? `, the last (CANARY_INCONCLUSIVE=${test.inconclusive})` : ''}`,
    };
  }
  const interval = newcombeInterval(canary, production, lookConfidence);
  const stated = `${seen}; difference ${points(interval.estimate)} points, ${conf(lookConfidence)} interval [${points(interval.lower)}, ${points(interval.upper)}] (${conf(test.confidence)} over ${test.maxLooks} looks), margin -${(100 * test.margin).toFixed(1)} points; ${at}`;
  const enough = canary.users >= test.minUsers && production.users >= test.minUsers;
  if (enough || last) {
    if (interval.lower > -test.margin)
      return { ...base, interval, verdict: 'non_inferior', decision: 'promote', reason: `promoted: non-inferior, ${stated}` };
    if (interval.upper < -test.margin)
      return {
        ...base,
        interval,
        verdict: 'inferior',
        decision: 'rollback',
        reason: `rolled back: worse than production by more than the margin, ${stated}`,
      };
  }
  const verdict: CanaryVerdict = enough ? 'inconclusive' : 'too_few_users';
  const short = enough ? 'inconclusive' : `inconclusive with fewer than CANARY_MIN_USERS=${test.minUsers} users in a group`;
  const decision = undecided;
  if (decision === 'wait') return { ...base, interval, verdict, decision, reason: `waiting: ${short}, ${stated}` };
  const then =
    decision === 'promote'
      ? 'promoted at the last look: not shown worse by more than the margin, the offline gate stands'
      : 'rolled back at the last look: not shown non-inferior';
  return { ...base, interval, verdict, decision, reason: `${then} (${short}; CANARY_INCONCLUSIVE=${test.inconclusive}), ${stated}` };
}
