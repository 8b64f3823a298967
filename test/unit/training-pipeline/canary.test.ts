import { describe, expect, it } from 'vitest';
import { decideCanary, hitRates } from '../../../src/training/pipeline/canary.js';

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
    const r = hitRates([{ userId: 1, trackIds: [1], modelVersion: 'v1' }, { userId: 1, trackIds: [2], modelVersion: 'v2' }], 'v2', new Map([[1, new Set([1])]]));
    expect(r.canary).toEqual({ users: 1, hits: 0, rate: 0 });
    expect(r.production.users).toBe(0);
  });

  it('promotes within tolerance and rolls back beyond it', () => {
    const rates = (c: number, p: number) => ({ canary: { users: 100, hits: c, rate: c / 100 }, production: { users: 100, hits: p, rate: p / 100 } });
    expect(decideCanary(rates(46, 50), 0.1).promote).toBe(true); // threshold 45%
    const bad = decideCanary(rates(44, 50), 0.1);
    expect(bad.promote).toBe(false);
    expect(bad.reason).toMatch(/^rolled back: next-day hit rate canary 44.0% of 100 users, production 50.0% of 100 users; threshold 45.0%/);
  });

  it('promotes on the offline gate alone when a group is empty, saying so', () => {
    const d = decideCanary({ canary: { users: 0, hits: 0, rate: 0 }, production: { users: 5, hits: 1, rate: 0.2 } }, 0.1);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/no online comparison/);
  });
});
