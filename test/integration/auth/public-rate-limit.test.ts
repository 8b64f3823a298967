import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { apiSuite } from './support.js';

// Issue 11: rate limiting on public routes, configurable (PUBLIC_RATE_LIMIT; off by default).
describe('the public rate limit', () => {
  const settings = testSettings('auth-public-rate', { PUBLIC_RATE_LIMIT: '1', PUBLIC_RATE_BURST: '3' });
  const suite = apiSuite(settings);

  it('answers 429 with Retry-After past the burst, and never limits health, metrics or credentialed requests', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${suite.app.base}/users/${1000 + i}/recommendations`)).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const limited = await fetch(`${suite.app.base}/playlists/1-20261126`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${suite.app.base}/health/live`)).status).toBe(200);
      expect((await fetch(`${suite.app.base}/metrics`)).status).toBe(200);
      expect((await fetch(`${suite.app.base}/ingestion/runs`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status).toBe(
        200,
      );
    }
  });
});
