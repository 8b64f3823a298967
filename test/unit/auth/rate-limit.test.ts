import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../src/auth/rate-limit.js';

describe('the public rate limit', () => {
  it('allows the burst, then the rate, per client', () => {
    let t = 0;
    const b = new TokenBuckets(2, 3, () => t);
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(500);
    expect(b.take('b')).toBe(0);
    t = 500;
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBe(500);
  });
});
