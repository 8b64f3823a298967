import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { openDb, startPipeline, type RunningApp } from '../../support/pipeline-app.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

// Issue 11: rate limiting on public routes, configurable (PUBLIC_RATE_LIMIT; off by default).
describe('the public rate limit', () => {
  const settings = testSettings('auth-public-rate', { PUBLIC_RATE_LIMIT: '1', PUBLIC_RATE_BURST: '3' });
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;
  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings, { redisKeys: true });
  });
  afterAll(async () => {
    await Promise.all(
      app.app
        .get(JobQueue)
        .all()
        .map((q) => q.obliterate({ force: true })),
    );
    await app.close();
    await store.dropAndClose();
  });

  it('answers 429 with Retry-After past the burst, and never limits health, metrics or credentialed requests', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${app.base}/users/${1000 + i}/recommendations`)).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const limited = await fetch(`${app.base}/playlists/1-20261126`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i++) {
      expect((await fetch(`${app.base}/health/live`)).status).toBe(200);
      expect((await fetch(`${app.base}/metrics`)).status).toBe(200);
      expect((await fetch(`${app.base}/ingestion/runs`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status).toBe(200);
    }
  });
});
