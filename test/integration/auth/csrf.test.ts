import { describe, expect, it } from 'vitest';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { apiSuite } from './support.js';

// Issue 11 (medium): a cross-site form POST carrying cached Basic credentials reached /models/rollback
// and started /ingestion/runs (Basic accepted on API routes, form bodies parsed, no Origin check).
describe('state-changing routes against cross-site request forgery', () => {
  const settings = testSettings('auth-csrf');
  const suite = apiSuite(settings);
  const bearer = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const basic = { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const json = { 'content-type': 'application/json' };

  const ingestionJobs = () => suite.app.app.get(JobQueue).queue(QueueName.Ingestion).getJobCounts();
  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${suite.app.base}${path}`, { method: 'POST', headers, body });

  it('refuses HTTP Basic on every state-changing route, form body or not', async () => {
    for (const [path, headers, body] of [
      ['/ingestion/runs', { ...basic, ...form }, 'run_date=2026-01-01'],
      ['/ingestion/runs', { ...basic, ...json }, '{}'],
      ['/models/rollback', { ...basic, ...form }, 'x=1'],
      ['/recommendations/runs', basic, undefined],
      ['/training/runs', { ...basic, ...json }, '{}'],
    ] as const) {
      const res = await post(path, headers, body);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { message: string }).message, path).toMatch(/Bearer/);
    }
    const put = await fetch(`${suite.app.base}/admin/queues/api/queues/maintenance/pause`, { method: 'PUT', headers: basic });
    expect(put.status).toBe(403);
    expect(await suite.app.app.get(JobQueue).queue(QueueName.Maintenance).isPaused()).toBe(false);
    expect(await ingestionJobs()).toMatchObject({ waiting: 0, active: 0 });
  });

  it('takes only JSON bodies', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'run_date=2026-01-01'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="run_date"\r\n\r\n2026-01-01\r\n--x--\r\n'],
      ['text/plain', '{"run_date":"2026-01-01"}'],
    ] as const) {
      const res = await post('/ingestion/runs', { ...bearer, 'content-type': type }, body);
      expect(res.status, type).toBe(415);
    }
    expect(await ingestionJobs()).toMatchObject({ waiting: 0 });
  });

  it('refuses a cross-site or cross-origin request even with the Bearer token', async () => {
    expect((await post('/ingestion/runs', { ...bearer, ...json, origin: 'https://evil.example' }, '{}')).status).toBe(403);
    expect((await post('/ingestion/runs', { ...bearer, ...json, origin: 'null' }, '{}')).status).toBe(403);
    expect((await post('/ingestion/runs', { ...bearer, ...json, 'sec-fetch-site': 'cross-site' }, '{}')).status).toBe(403);
    expect((await post('/ingestion/runs', { ...bearer, ...json, 'sec-fetch-site': 'same-site' }, '{}')).status).toBe(403);
    expect(await ingestionJobs()).toMatchObject({ waiting: 0 });
  });

  it('accepts Bearer with a JSON body, or none, from scripts and from the same origin', async () => {
    const host = new URL(suite.app.base).host;
    const fromScript = await post('/ingestion/runs', { ...bearer, ...json }, JSON.stringify({ run_date: '2026-01-02' }));
    expect(fromScript.status).toBe(202);
    const sameOrigin = await post(
      '/ingestion/runs',
      { ...bearer, ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
      '{}',
    );
    expect(sameOrigin.status).toBe(202);
    expect((await post('/ingestion/runs', bearer)).status).toBe(202);
    expect((await ingestionJobs()).waiting).toBe(3);
  });

  it('keeps HTTP Basic for the browser pages (GET), and only for them', async () => {
    expect((await fetch(`${suite.app.base}/admin`, { headers: basic })).status).toBe(200);
    expect((await fetch(`${suite.app.base}/admin/queues/api/queues`, { headers: basic })).status).toBe(200);
    const api = await fetch(`${suite.app.base}/ingestion/runs`, { headers: basic });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBeNull();
    expect((await fetch(`${suite.app.base}/ingestion/runs`, { headers: bearer })).status).toBe(200);
  });
});
