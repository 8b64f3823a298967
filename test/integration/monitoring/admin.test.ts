import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSummary } from '../../../src/admin/dashboard.service.js';
import { ADMIN_CHALLENGE } from '../../../src/auth/admin-auth.js';
import { ALL_QUEUES, JobName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { closeSuite } from '../../support/pipeline-app.js';
import { authHeaders, openDb, sample, startPipeline, type RunningApp } from './support.js';

describe('Bull Board and the dashboard behind the admin credential', () => {
  const settings = testSettings('monitoring-admin');
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;

  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings);
  });
  afterAll(async () => {
    await closeSuite(app, store);
  });

  const PROTECTED = [
    '/admin',
    '/admin/summary',
    '/admin/queues',
    '/admin/queues/',
    '/admin/queues/api/queues',
    '/admin/queues/api/queues?activeQueue=ingestion&status=failed&page=1',
    '/admin/queues/static/no-such.js',
    '/admin/nothing-here',
  ];

  it('answers 401 with a browser challenge on the page, its API, its static files and unknown paths when no credential is given', async () => {
    for (const path of PROTECTED) {
      const res = await fetch(`${app.base}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toBe(ADMIN_CHALLENGE);
      expect(await res.text(), path).not.toContain('"queues"');
    }
  });

  it('refuses a wrong token, and paths spelled to dodge a prefix check', async () => {
    for (const headers of [authHeaders.bearer('wrong-token-0123456789'), authHeaders.basic('wrong-token-0123456789')]) {
      expect((await fetch(`${app.base}/admin/queues/api/queues`, { headers })).status).toBe(401);
    }
    for (const path of ['/%61dmin/queues/api/queues', '/admin/%71ueues/api/queues', '/ADMIN/queues']) {
      expect((await fetch(`${app.base}${path}`)).status, path).toBe(401);
    }
  });

  it('refuses the board actions (retry, clean, pause) without the credential and leaves the queue untouched', async () => {
    const jobs = app.app.get(JobQueue);
    await jobs.enqueue(JobName.PlaylistCleanup, { runDate: '2026-02-01', trigger: 'api' }, 'admin-test-job');
    for (const [method, path] of [
      ['PUT', '/admin/queues/api/queues/maintenance/pause'],
      ['PUT', '/admin/queues/api/queues/maintenance/clean/waiting'],
      ['PUT', '/admin/queues/api/queues/maintenance/empty'],
      ['PUT', '/admin/queues/api/queues/maintenance/retry/failed'],
    ] as const) {
      expect((await fetch(`${app.base}${path}`, { method })).status, path).toBe(401);
    }
    const q = jobs.queue(ALL_QUEUES.find((n) => n === 'maintenance')!);
    expect(await q.isPaused()).toBe(false);
    expect(await q.getJob('admin-test-job')).toBeTruthy();
  });

  it('serves the board page and its API with Bearer and with Basic, for every queue', async () => {
    for (const headers of [authHeaders.bearer(TEST_ADMIN_TOKEN), authHeaders.basic(TEST_ADMIN_TOKEN)]) {
      const page = await fetch(`${app.base}/admin/queues`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const asset = /href="(static\/css\/[^"]+)"/.exec(await page.text())?.[1];
      expect(asset).toBeTruthy();
      expect((await fetch(`${app.base}/admin/queues/${asset}`, { headers })).status).toBe(200);
      expect((await fetch(`${app.base}/admin/queues/${asset}`)).status).toBe(401);
      const api = await fetch(`${app.base}/admin/queues/api/queues`, { headers });
      expect(api.status).toBe(200);
      const body = (await api.json()) as { queues: Array<{ name: string }> };
      expect(body.queues.map((q) => q.name).sort()).toEqual([...ALL_QUEUES].sort());
    }
    // The board's routes are timed by their templates like every other route.
    const metrics = await (await fetch(`${app.base}/metrics`)).text();
    expect(
      sample(metrics, 'moovitamix_http_request_duration_seconds_count', { route: '/admin/queues/api/queues', status: '200' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(metrics, 'moovitamix_http_request_duration_seconds_count', { route: '/admin/queues/api/queues', status: '401' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('serves the dashboard with empty run collections, then with runs, the production model and queue counts', async () => {
    const headers = authHeaders.basic(TEST_ADMIN_TOKEN);
    let res = await fetch(`${app.base}/admin`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    let html = await res.text();
    expect(html).toContain('no runs recorded yet');
    expect(html).toContain('no model in production yet');
    expect(html).toContain('href="/admin/queues"');

    const started = new Date(Date.now() - 120_000);
    await store.db.collection('ingestion_runs').insertOne({
      _id: 'ingestion-2026-02-01' as never,
      status: 'failed',
      trigger: 'cron',
      started_at: started,
      finished_at: new Date(started.getTime() + 42_000),
      error: 'retry budget <exhausted>',
    });
    await store.db
      .collection('model_versions')
      .insertOne({ _id: 'v7' as never, version: 'v7', status: 'production', metrics: { ndcg_at_10: 0.2345 } });
    res = await fetch(`${app.base}/admin`, { headers });
    html = await res.text();
    expect(html).toContain('ingestion-2026-02-01');
    expect(html).toContain('retry budget &lt;exhausted&gt;');
    expect(html).toContain('42.0');
    expect(html).toContain('<code>v7</code>');
    expect(html).toContain('0.2345');

    const summary = (await (
      await fetch(`${app.base}/admin/summary`, { headers: authHeaders.bearer(TEST_ADMIN_TOKEN) })
    ).json()) as DashboardSummary;
    expect(summary.stages.ingestion.runs[0]).toMatchObject({
      id: 'ingestion-2026-02-01',
      status: 'failed',
      trigger: 'cron',
      duration_s: 42,
    });
    expect(summary.stages.recommendations.runs).toEqual([]);
    expect(summary.production_model).toMatchObject({ version: 'v7', metrics: { ndcg_at_10: 0.2345 } });
    expect(summary.queues.maintenance!.waiting).toBe(1);
  });
});
