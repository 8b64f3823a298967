import { describe, expect, it } from 'vitest';
import { IdScrambler } from '../../../src/mock-api/data/id-scrambler.js';
import { dayToMicros, formatDay, formatIsoMicros, parseIsoMicros } from '../../../src/mock-api/data/iso-dates.js';
import { formatDuration } from '../../../src/mock-api/data/names.js';
import { hashUnit, StreamRng } from '../../../src/common/random.js';

describe('dates on the wire', () => {
  it('writes ISO without zone, microseconds, no fraction when it is zero (Python isoformat)', () => {
    const day = dayToMicros('2026-09-30');
    expect(formatIsoMicros(day)).toBe('2026-09-30T00:00:00');
    expect(formatIsoMicros(day + 15 * 60e6 + 27e6 + 257113)).toBe('2026-09-30T00:15:27.257113');
    expect(formatIsoMicros(day + 5)).toBe('2026-09-30T00:00:00.000005');
    expect(formatDay(day + 86_399_999_999)).toBe('2026-09-30');
  });

  it('reads ISO dates back, with or without zone and fraction', () => {
    expect(parseIsoMicros('2026-09-30T00:15:27.257113')).toBe(dayToMicros('2026-09-30') + 927_257_113);
    expect(parseIsoMicros('2026-09-30T02:00:00+02:00')).toBe(dayToMicros('2026-09-30'));
    expect(parseIsoMicros('2026-09-30')).toBe(dayToMicros('2026-09-30'));
    expect(parseIsoMicros('yesterday')).toBeUndefined();
  });

  it('writes durations as MM:SS from 00:00 to 59:59', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(349)).toBe('05:49');
    expect(formatDuration(3599)).toBe('59:59');
    expect(formatDuration(99999)).toBe('59:59');
  });
});

describe('ids and randomness', () => {
  it('gives unique, random-looking ids from a counter, the same for the same seed', () => {
    const ids = new IdScrambler(7, 2000);
    const seen = new Set<number>();
    for (let n = 0; n < ids.domain + 50; n++) seen.add(ids.id(n));
    expect(seen.size).toBe(ids.domain + 50);
    expect(Math.min(...seen)).toBe(1);
    expect(new IdScrambler(7, 2000).id(12)).toBe(ids.id(12));
    expect(new IdScrambler(8, 2000).id(12)).not.toBe(ids.id(12));
    const first = Array.from({ length: 10 }, (_, n) => ids.id(n));
    expect(first).not.toEqual([...first].sort((a, b) => a - b));
  });

  it('draws the same stream for the same seed, and uniform hashes', () => {
    const a = new StreamRng(1, 2);
    const b = new StreamRng(1, 2);
    expect(Array.from({ length: 5 }, () => a.u32())).toEqual(Array.from({ length: 5 }, () => b.u32()));
    let below = 0;
    for (let i = 0; i < 10_000; i++) if (hashUnit(3, i) < 0.25) below++;
    expect(below).toBeGreaterThan(2300);
    expect(below).toBeLessThan(2700);
    const r = new StreamRng(9);
    let sum = 0;
    for (let i = 0; i < 5000; i++) sum += r.poisson(4);
    expect(sum / 5000).toBeCloseTo(4, 0);
  });
});
