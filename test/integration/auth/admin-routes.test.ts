import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { openDb, startPipeline, type RunningApp, closeSuite } from '../../support/pipeline-app.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

/** Path prefixes of the operating API: every route under them needs the admin credential. */
const OPERATING = ['/ingestion', '/recommendations/runs', '/training', '/models', '/admin'];

interface Operation {
  method: string;
  path: string;
}

// Every operating route, as the OpenAPI document lists them (so a new route is covered without
// editing this test): refused without a credential and with a wrong one, before it does anything.
describe('every operating route behind the admin credential', () => {
  // No throttle here: this suite presents wrong credentials on purpose, many times.
  const settings = testSettings('auth-admin-routes', { AUTH_FAILURE_LIMIT: '0' });
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;
  let operations: Operation[] = [];

  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings, { redisKeys: true });
    const doc = (await (await fetch(`${app.base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x-1') })),
    );
  });
  afterAll(async () => {
    await closeSuite(app, store);
  });

  const operating = () => operations.filter((o) => OPERATING.some((p) => o.path === p || o.path.startsWith(`${p}/`)));
  const call = (o: Operation, headers: Record<string, string>) =>
    fetch(`${app.base}${o.path}`, {
      method: o.method,
      headers: o.method === 'GET' ? headers : { ...headers, 'content-type': 'application/json' },
      body: o.method === 'GET' ? undefined : '{}',
    });

  it('the document lists the operating routes, promote, rollback and training among them', () => {
    const names = operating().map((o) => `${o.method} ${o.path}`);
    for (const must of [
      'POST /ingestion/runs',
      'POST /recommendations/runs',
      'POST /training/runs',
      'GET /training/runs',
      'POST /models/x-1/promote',
      'POST /models/rollback',
      'GET /models',
    ]) {
      expect(names).toContain(must);
    }
  });

  it('answers 401 to each without a credential, with a wrong Bearer token, and with a wrong Basic password', async () => {
    const basic = (p: string) => ({ authorization: `Basic ${Buffer.from(`admin:${p}`).toString('base64')}` });
    for (const o of operating()) {
      const label = `${o.method} ${o.path}`;
      expect((await call(o, {})).status, `${label} without a credential`).toBe(401);
      expect((await call(o, { authorization: 'Bearer wrong-token-0123456789' })).status, `${label} with a wrong token`).toBe(401);
      // A state-changing request with Basic is refused before the password is even looked at.
      expect((await call(o, basic('wrong-token-0123456789'))).status, `${label} with a wrong Basic password`).toBe(
        o.method === 'GET' ? 401 : 403,
      );
    }
    const jobs = await Promise.all(
      app.app
        .get(JobQueue)
        .all()
        .map((q) => q.getJobCounts()),
    );
    expect(jobs.every((c) => Object.values(c).every((n) => n === 0))).toBe(true);
  });

  it('lets the right Bearer token through to the route (it answers, whatever it answers, but not 401 or 403)', async () => {
    for (const o of operating().filter((x) => x.method === 'GET')) {
      const status = (await call(o, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status;
      expect([401, 403], `${o.method} ${o.path}`).not.toContain(status);
      expect(status, `${o.method} ${o.path}`).toBeLessThan(500);
    }
  });
});
