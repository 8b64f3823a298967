import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemProblems } from './contract.js';
import { bodyOf, readAll, startMockApp, type MockApp } from './mock-app.js';

/** Within `sigmas` binomial standard deviations of n * p. */
function expectAboutRate(count: number, n: number, p: number, sigmas = 4): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(count).toBeGreaterThanOrEqual(n * p - sigmas * sd);
  expect(count).toBeLessThanOrEqual(n * p + sigmas * sd);
}

// Each fault kind shows up at about its configured rate; malformed items are known and stable.
describe('mock source API: fault injection', () => {
  const N = 400;

  describe('request faults from the environment', () => {
    let mock: MockApp;
    beforeAll(async () => {
      mock = await startMockApp('mock-faults', {
        MOCK_MODE: 'classic',
        MOCK_SEED: '3',
        MOCK_FAULT_DROP_RATE: '0.1',
        MOCK_FAULT_429_RATE: '0.15',
        MOCK_FAULT_RETRY_AFTER_S: '7',
        MOCK_FAULT_5XX_RATE: '0.2',
      });
    });
    afterAll(() => mock.close());

    it('drops, rate-limits (with Retry-After) and fails requests at their rates; the rest are good pages', async () => {
      const seen = { dropped: 0, 429: 0, '5xx': 0, ok: 0 };
      for (let i = 0; i < N; i++) {
        let res: Response;
        try {
          res = await fetch(`${mock.base}/tracks?page=${1 + (i % 10)}&size=5`);
        } catch {
          seen.dropped++;
          continue;
        }
        const body = await bodyOf(res);
        if (res.status === 429) {
          seen[429]++;
          expect(res.headers.get('retry-after')).toBe('7');
        } else if (res.status >= 500) {
          seen['5xx']++;
          expect([500, 502, 503]).toContain(res.status);
          expect(typeof body.detail).toBe('string');
        } else {
          expect(res.status).toBe(200);
          expect(body.items).toHaveLength(5);
          seen.ok++;
        }
      }
      expectAboutRate(seen.dropped, N, 0.1);
      expectAboutRate(seen[429], N, 0.15);
      expectAboutRate(seen['5xx'], N, 0.2);
      expectAboutRate(seen.ok, N, 0.55);
      const state = await mock.json('/mock/state');
      expect(state.fault_counts).toEqual({ requests: N, dropped: seen.dropped, errors_5xx: seen['5xx'], rate_limited_429: seen[429] });
      expect(state.faults).toMatchObject({ drop_rate: 0.1, rate_limit_429_rate: 0.15, error_5xx_rate: 0.2, retry_after_s: 7 });
    });

    it('changes rates at run time through POST /mock/faults (admin only), keeping the others', async () => {
      expect((await fetch(`${mock.base}/mock/faults`, { method: 'POST' })).status).toBe(401);
      const bad = await mock.admin('POST', '/mock/faults', { drop_rate: 2 });
      expect(bad.status).toBe(422);
      expect((await bodyOf(bad)).detail[0].loc).toEqual(['body', 'drop_rate']);
      const res = await mock.admin('POST', '/mock/faults', { drop_rate: 0, rate_limit_429_rate: 0, error_5xx_rate: 1 });
      expect(res.status).toBe(200);
      expect(await bodyOf(res)).toMatchObject({ drop_rate: 0, rate_limit_429_rate: 0, error_5xx_rate: 1, retry_after_s: 7 });
      for (let i = 0; i < 5; i++) expect((await mock.get('/users')).status).toBeGreaterThanOrEqual(500);
      await mock.admin('POST', '/mock/faults', { error_5xx_rate: 0 });
      expect((await mock.get('/users')).status).toBe(200);
      // Operating endpoints are never faulted.
      expect((await mock.get('/mock/state')).status).toBe(200);
    });

    it('adds the configured latency to every answer', async () => {
      await mock.admin('POST', '/mock/faults', { latency_ms: 150 });
      const t0 = performance.now();
      for (let i = 0; i < 3; i++) expect((await mock.get('/tracks?size=1')).status).toBe(200);
      // A lower bound only: a timer never fires early, so this cannot flake on a slow machine.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * 150 - 5);
      await mock.admin('POST', '/mock/faults', { latency_ms: 0 });
    });
  });

  describe('malformed items', () => {
    let mock: MockApp;
    beforeAll(async () => {
      mock = await startMockApp('mock-malformed', { MOCK_MODE: 'classic', MOCK_SEED: '4', MOCK_FAULT_MALFORMED_RATE: '0.08' });
    });
    afterAll(() => mock.close());

    it('serves about the configured share of items malformed, inside good pages, exactly those /mock/malformed lists', async () => {
      const listed = await mock.json('/mock/malformed');
      const state = await mock.json('/mock/state');
      for (const endpoint of ['tracks', 'users', 'listen_history'] as const) {
        const items = await readAll<Record<string, unknown>>(mock, endpoint);
        expect(items).toHaveLength(1000);
        const bad = items.map((item, i) => ({ i, problems: itemProblems(endpoint, item) })).filter((x) => x.problems.length > 0);
        expectAboutRate(bad.length, 1000, 0.08);
        expect(listed[endpoint]).toHaveLength(bad.length);
        expect(state.malformed[endpoint]).toBe(bad.length);
        const kinds = new Set(listed[endpoint].map((m: { kind: string }) => m.kind));
        expect(kinds).toEqual(new Set(['wrong_type', 'missing_field', 'bad_date']));
      }
    });

    it('serves the same malformed items when a page is fetched again, and others after a simulated day', async () => {
      const first = await (await mock.get('/users?page=3&size=100')).text();
      expect(await (await mock.get('/users?page=3&size=100')).text()).toBe(first);
      const today = (await mock.json('/mock/malformed?endpoint=users')).users.map((m: { id: number }) => m.id);
      await mock.admin('POST', '/mock/advance?days=1');
      const tomorrow = (await mock.json('/mock/malformed?endpoint=users')).users.map((m: { id: number }) => m.id);
      expect(tomorrow).not.toEqual(today);
      const items = await readAll<Record<string, unknown>>(mock, 'users');
      const bad = items.filter((u) => itemProblems('users', u).length > 0);
      expect(bad).toHaveLength(tomorrow.length);
    });
  });
});
