/**
 * The one seeded random generator. Math.random is never used, so the same seed gives the same
 * model, the same mock data and the same synthetic data on every machine.
 *
 * `Rng` draws from mulberry32 (its seed spread by splitmix32): the model's streams and the
 * synthetic data. `StreamRng` draws the same way from sfc32 seeded by a hash of several numbers:
 * the mock source's streams, one per purpose and simulated day. Both cores stay because each
 * seeded data set and model is defined by its stream: a change of core would change them all.
 */
export class Rng {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.state = splitmix32((seed >>> 0) ^ Math.floor(seed / 0x100000000));
  }

  /** A generator whose mulberry32 state is `state` itself (the synthetic catalogue's stream). */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state >>> 0;
    return rng;
  }

  /** 32 random bits as an unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal by Box-Muller (the second value is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = this.next();
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-uniform in [lo, hi]: the natural prior for scale parameters such as regularisation. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
  }

  /** Log-normal with mean 1 and the given sigma of the log. */
  logNormalMeanOne(sigma: number): number {
    return Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }

  /** Poisson: Knuth's product method for small means, a rounded normal beyond 30. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** x rounded down or up at random so that the mean is x (a daily rate of 0.3 users still adds some). */
  stochasticRound(x: number): number {
    const floor = Math.floor(x);
    return floor + (this.next() < x - floor ? 1 : 0);
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(values: T[]): T[] {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i]!;
      values[i] = values[j]!;
      values[j] = tmp;
    }
    return values;
  }
}

/** The same draws from sfc32 (4 words of state) seeded by a hash of several numbers. */
export class StreamRng extends Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seed: number[]) {
    super(0);
    this.a = hash32(...seed, 1);
    this.b = hash32(...seed, 2);
    this.c = hash32(...seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  override u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
}

/** One splitmix32 step: a good 32-bit mix, used to derive independent seeds. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seed for a named sub-stream, so adding draws to one stream never shifts another. */
export function deriveSeed(seed: number, stream: string): number {
  let h = splitmix32(seed >>> 0);
  for (let i = 0; i < stream.length; i++) h = splitmix32(h ^ stream.charCodeAt(i));
  return h;
}

/** A 32-bit avalanche mix (murmur3's finaliser). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash of a few numbers (each taken modulo 2^32, plus its high part) into 32 bits. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = mix32(h ^ (p >>> 0));
    const high = Math.floor(p / 0x100000000);
    if (high !== 0) h = mix32(h ^ (high >>> 0));
    h = (h + 0x7f4a7c15) >>> 0;
  }
  return mix32(h);
}

/** A hash as a uniform number in [0, 1). */
export function hashUnit(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}

/** The numeric seed of a seed string (any number of digits), such as MOCK_SEED. */
export function seedFromString(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = mix32(h ^ seed.charCodeAt(i)) + i;
  return h >>> 0;
}

/** Index drawn from a cumulative weight array (last value = total), by binary search. */
export function pickCumulative(cumulative: Float64Array, length: number, u: number): number {
  const target = u * cumulative[length - 1]!;
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
