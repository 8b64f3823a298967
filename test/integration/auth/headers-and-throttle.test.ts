import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { apiSuite } from './support.js';

// Issue 11 (low): no security headers (CSP, frame-ancestors, nosniff) on Bull Board's destructive
// buttons; no rate limit, even on failed credentials.
describe('security headers and the throttle of failed credentials', () => {
  const settings = testSettings('auth-throttle', { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW: '2s' });
  const suite = apiSuite(settings);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('sends CSP with frame-ancestors and X-Frame-Options on the pages and the API, nosniff on every answer', async () => {
    for (const [path, headers] of [
      ['/admin/queues', bearer(TEST_ADMIN_TOKEN)],
      ['/admin', bearer(TEST_ADMIN_TOKEN)],
      ['/admin/queues/api/queues', bearer(TEST_ADMIN_TOKEN)],
      ['/health/live', {}],
      ['/admin/queues', {}],
      ['/docs', {}],
      ['/ingestion/runs', {}],
      ['/no-such-route', {}],
    ] as const) {
      const res = await fetch(`${suite.app.base}${path}`, { headers, redirect: 'manual' });
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    // The JSON-only answers under /users/: nosniff (no document to frame).
    for (const path of ['/users/1/recommendations', '/users/1/playlists']) {
      const res = await fetch(`${suite.app.base}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('answers 429 to an address that presented too many wrong credentials, until its window ends', async () => {
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${suite.app.base}/ingestion/runs`, { headers: bearer(`wrong-token-${i}-0123456789`) })).status).toBe(401);
    const blocked = await fetch(`${suite.app.base}/ingestion/runs`, { headers: bearer(TEST_ADMIN_TOKEN) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${suite.app.base}/admin/queues`, { headers: bearer(TEST_ADMIN_TOKEN) })).status).toBe(429);
    // Without a credential nothing is guessed: refused as usual, not throttled.
    expect((await fetch(`${suite.app.base}/admin/queues`)).status).toBe(401);
    // Anonymous reads of the public routes are not throttled.
    expect((await fetch(`${suite.app.base}/health/live`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await fetch(`${suite.app.base}/ingestion/runs`, { headers: bearer(TEST_ADMIN_TOKEN) })).status).toBe(200);
  });
});
