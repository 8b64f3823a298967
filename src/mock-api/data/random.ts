/**
 * Seeded randomness for the mock source: one stream per purpose and per simulated day, so the same
 * seed gives the same data whatever order or batching the calendar is advanced in.
 */

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

/** The numeric seed of a MOCK_SEED string (any number of digits). */
export function seedFromString(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = mix32(h ^ seed.charCodeAt(i)) + i;
  return h >>> 0;
}

/** sfc32: small, fast, and good enough for synthetic data; 4 words of state. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(...seed: number[]) {
    this.a = hash32(...seed, 1);
    this.b = hash32(...seed, 2);
    this.c = hash32(...seed, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box-Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = this.float();
    while (u === 0) u = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
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
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** x rounded down or up at random so that the mean is x (a daily rate of 0.3 users still adds some). */
  stochasticRound(x: number): number {
    const floor = Math.floor(x);
    return floor + (this.float() < x - floor ? 1 : 0);
  }
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
