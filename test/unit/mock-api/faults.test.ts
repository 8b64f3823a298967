import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { FaultInjector } from '../../../src/mock-api/serving/fault-injector.js';
import { applyDamage, malformedSpec } from '../../../src/mock-api/serving/malformed.js';

const config = (over: Partial<AppConfig> = {}) =>
  ({
    MOCK_SEED: '1',
    MOCK_FAULT_LATENCY_MS: 0,
    MOCK_FAULT_5XX_RATE: 0,
    MOCK_FAULT_429_RATE: 0,
    MOCK_FAULT_RETRY_AFTER_S: 2,
    MOCK_FAULT_DROP_RATE: 0,
    MOCK_FAULT_MALFORMED_RATE: 0,
    ...over,
  }) as AppConfig;

describe('FaultInjector', () => {
  it('never fails a request when every rate is 0 (the default)', () => {
    const f = new FaultInjector(config());
    for (let i = 0; i < 1000; i++) expect(f.decide()).toEqual({ kind: 'none' });
  });

  it('splits one draw between the kinds, each at its own rate', () => {
    const f = new FaultInjector(config({ MOCK_FAULT_DROP_RATE: 0.05, MOCK_FAULT_429_RATE: 0.1, MOCK_FAULT_5XX_RATE: 0.2 }));
    const n = 20_000;
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const d = f.decide();
      seen[d.kind] = (seen[d.kind] ?? 0) + 1;
      if (d.kind === 'rate_limit') expect(d.retryAfterS).toBe(2);
    }
    expect(seen.drop! / n).toBeCloseTo(0.05, 1);
    expect(seen.rate_limit! / n).toBeCloseTo(0.1, 1);
    expect(seen.error! / n).toBeCloseTo(0.2, 1);
    expect(f.served).toEqual({ requests: n, dropped: seen.drop, rate_limited_429: seen.rate_limit, errors_5xx: seen.error });
  });
});

describe('malformed items', () => {
  it('decides per (item, day): the same answer every time, about the rate, a superset at a higher rate', () => {
    let count = 0;
    for (let id = 1; id <= 10_000; id++) {
      const spec = malformedSpec(5, 'tracks', id, 3, 0.1);
      expect(malformedSpec(5, 'tracks', id, 3, 0.1)).toEqual(spec);
      if (spec) {
        count++;
        expect(malformedSpec(5, 'tracks', id, 3, 0.2)).toEqual(spec);
      }
    }
    expect(count).toBeGreaterThan(900);
    expect(count).toBeLessThan(1100);
    expect(malformedSpec(5, 'tracks', 1, 3, 0)).toBeUndefined();
  });

  it('damages with a wrong type, a missing field or a bad date', () => {
    const track = () => ({ id: 5, name: 'x', duration: '03:20', created_at: '2026-01-01T00:00:00' });
    expect(applyDamage(track(), { kind: 'wrong_type', field: 'id' }, 0).id).toBe('5');
    expect(applyDamage(track(), { kind: 'wrong_type', field: 'duration' }, 0).duration).toBe(200);
    expect(applyDamage(track(), { kind: 'missing_field', field: 'name' }, 0)).not.toHaveProperty('name');
    expect(Date.parse(`${applyDamage(track(), { kind: 'bad_date', field: 'created_at' }, 1).created_at as string}Z`)).toBeNaN();
    expect(applyDamage({ items: [1, 2] }, { kind: 'wrong_type', field: 'items' }, 0).items).toBe('1,2');
  });
});
