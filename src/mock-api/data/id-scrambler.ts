import { hash32 } from '../../common/random.js';

/**
 * Ids that look random (as the original's do) yet are unique and never shared by a user and a track:
 * every entity takes the next number of one counter, and a keyed Feistel network permutes the
 * counter within a power-of-four domain. Past the domain, ids simply continue above it.
 */
export class IdScrambler {
  private readonly halfBits: number;
  private readonly halfMask: number;
  readonly domain: number;

  constructor(
    private readonly seed: number,
    expectedEntities: number,
  ) {
    let bits = 16;
    while (2 ** bits < expectedEntities * 8 && bits < 30) bits += 2;
    this.halfBits = bits / 2;
    this.halfMask = 2 ** this.halfBits - 1;
    this.domain = 2 ** bits;
  }

  /** The id of the n-th entity (n from 0); ids start at 1. */
  id(n: number): number {
    if (n >= this.domain) return n + 1;
    let left = n >>> this.halfBits;
    let right = n & this.halfMask;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ hash32(this.seed, round, right)) & this.halfMask;
      left = right;
      right = next;
    }
    return ((left << this.halfBits) | right) + 1;
  }
}
