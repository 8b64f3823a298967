import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { ALL_QUEUES } from '../../../src/queues/job-catalogue.js';
import { testSettings } from '../../support/settings.js';
import { closeSuite } from '../../support/pipeline-app.js';
import { openDb, sample, startPipeline, type RunningApp } from './support.js';

// Every metric named in docs/architecture.md (plus the queue and HTTP ones of issue 6), with its labels.
const NAMED_METRICS: Array<[string, string, string[]]> = [
  ['moovitamix_ingestion_requests_total', 'counter', ['endpoint', 'outcome']],
  ['moovitamix_ingestion_request_duration_seconds', 'histogram', ['endpoint']],
  ['moovitamix_ingestion_run_duration_seconds', 'histogram', ['endpoint']],
  ['moovitamix_ingestion_records_total', 'counter', ['endpoint', 'result']],
  ['moovitamix_ingestion_last_success_timestamp_seconds', 'gauge', ['endpoint']],
  ['moovitamix_ingestion_volume_anomaly_score', 'gauge', ['endpoint']],
  ['moovitamix_recommendation_run_duration_seconds', 'histogram', []],
  ['moovitamix_recommendation_users_total', 'counter', ['outcome']],
  ['moovitamix_recommendation_coverage_ratio', 'gauge', []],
  ['moovitamix_recommendation_freshness_seconds', 'gauge', []],
  ['moovitamix_recommendation_cache_requests_total', 'counter', ['result']],
  ['moovitamix_recommendation_scoring_fallbacks_total', 'counter', []],
  ['moovitamix_model_metric', 'gauge', ['version', 'metric']],
  ['moovitamix_model_production_version_info', 'gauge', ['version']],
  ['moovitamix_model_drift_psi', 'gauge', ['feature']],
  ['moovitamix_queue_jobs', 'gauge', ['queue', 'state']],
  ['moovitamix_job_duration_seconds', 'histogram', ['queue', 'job_name', 'outcome']],
  ['moovitamix_job_failures_total', 'counter', ['queue', 'job_name']],
  ['moovitamix_http_request_duration_seconds', 'histogram', ['method', 'route', 'status']],
];

describe('/metrics', () => {
  const settings = testSettings('monitoring-metrics');
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;
  const scrape = async () => (await fetch(`${app.base}/metrics`)).text();

  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings);
  });
  afterAll(async () => {
    await closeSuite(app, store);
  });

  it('exposes every named metric with HELP and TYPE, and the Node process metrics', async () => {
    const res = await fetch(`${app.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const [name, type, labels] of NAMED_METRICS) {
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S.{10,}$`, 'm'));
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
      const declared = (register.getSingleMetric(name) as unknown as { labelNames: string[] }).labelNames;
      expect(declared, name).toEqual(expect.arrayContaining(labels));
    }
    expect(text).toContain('# TYPE moovitamix_process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE moovitamix_process_resident_memory_bytes gauge');
  });

  it('reads the queue gauges from BullMQ at scrape time, for every queue and state', async () => {
    const jobs = app.app.get(JobQueue);
    // No worker in the api role: the jobs stay where they are put.
    await jobs.enqueue(JobName.PlaylistCleanup, { runDate: '2026-01-01', trigger: 'api' }, 'metrics-test-waiting');
    await jobs.enqueue(JobName.PlaylistCleanup, { runDate: '2026-01-02', trigger: 'api' }, 'metrics-test-delayed', { delay: 3_600_000 });
    const text = await scrape();
    expect(sample(text, 'moovitamix_queue_jobs', { queue: 'maintenance', state: 'waiting' })).toBe(1);
    expect(sample(text, 'moovitamix_queue_jobs', { queue: 'maintenance', state: 'delayed' })).toBe(1);
    for (const queue of ALL_QUEUES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
        expect(sample(text, 'moovitamix_queue_jobs', { queue, state }), `${queue}/${state}`).toBeTypeOf('number');
      }
    }
  });

  it('labels HTTP durations by route template and status, 404 and 401 included, never by raw URL', async () => {
    await fetch(`${app.base}/health/live`);
    await fetch(`${app.base}/no/such/path/12345`);
    await fetch(`${app.base}/admin/summary`);
    const text = await scrape();
    expect(
      sample(text, 'moovitamix_http_request_duration_seconds_count', { method: 'GET', route: '/health/live', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'moovitamix_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'moovitamix_http_request_duration_seconds_count', { method: 'GET', route: '/admin/summary', status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('12345');
  });

  it('refreshes the freshness gauges from the run collections, so they survive a restart', async () => {
    const ingestedAt = new Date(Date.now() - 3_600_000);
    const recommendedAt = new Date(Date.now() - 1_800_000);
    const oldestPlaylist = new Date(Date.now() - 2 * 86_400_000);
    await store.db.collection('ingestion_runs').insertMany([
      {
        _id: 'ing-old' as never,
        status: 'succeeded',
        started_at: new Date(Date.now() - 90_000_000),
        finished_at: new Date(Date.now() - 86_400_000),
        endpoints: { tracks: {}, users: {}, listen_history: {} },
      },
      {
        _id: 'ing-new' as never,
        status: 'succeeded_with_rejections',
        started_at: new Date(ingestedAt.getTime() - 60_000),
        finished_at: ingestedAt,
        endpoints: { tracks: {}, users: {}, listen_history: {} },
      },
      { _id: 'ing-failed' as never, status: 'failed', started_at: new Date(), finished_at: new Date(), endpoints: { tracks: {} } },
    ]);
    await store.db.collection('recommendation_runs').insertOne({
      _id: 'rec-1' as never,
      status: 'succeeded',
      finished_at: recommendedAt,
      coverage_ratio: 0.97,
      oldest_playlist_at: oldestPlaylist,
    });
    await store.db.collection('model_versions').insertMany([
      { _id: 'v2' as never, version: 'v2', status: 'retired' },
      { _id: 'v3' as never, version: 'v3', status: 'production' },
    ]);
    await new Promise((r) => setTimeout(r, 300)); // past the collector's per-scrape read reuse
    const text = await scrape();
    for (const endpoint of ['tracks', 'users', 'listen_history']) {
      expect(sample(text, 'moovitamix_ingestion_last_success_timestamp_seconds', { endpoint })).toBeCloseTo(ingestedAt.getTime() / 1000, 3);
    }
    expect(sample(text, 'moovitamix_recommendation_last_success_timestamp_seconds')).toBeCloseTo(recommendedAt.getTime() / 1000, 3);
    expect(sample(text, 'moovitamix_recommendation_coverage_ratio')).toBe(0.97);
    const freshness = sample(text, 'moovitamix_recommendation_freshness_seconds')!;
    expect(freshness).toBeGreaterThanOrEqual(2 * 86_400);
    expect(freshness).toBeLessThan(2 * 86_400 + 600);
    expect(sample(text, 'moovitamix_model_production_version_info', { version: 'v3' })).toBe(1);
    expect(sample(text, 'moovitamix_model_production_version_info', { version: 'v2' })).toBeUndefined();
  });
});
