import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startApp, waitForHttp, type AppProcess } from '../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../support/settings.js';

const run = promisify(execFile);

/** Every metric named in the architecture, after one real cycle, checked against the run records. */
describe('one pipeline cycle, seen through /metrics', () => {
  let app: AppProcess;
  let env: Record<string, string>;
  let metrics = '';
  const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const get = async (path: string) =>
    (await fetch(`http://127.0.0.1:${env.HTTP_PORT}${path}`, { headers: admin })).json() as Promise<Record<string, unknown>>;

  /** The value of one sample of the Prometheus text format, or undefined. */
  function sample(name: string, labels: Record<string, string> = {}): number | undefined {
    for (const line of metrics.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return undefined;
  }

  beforeAll(async () => {
    const s = testSettings('cycle');
    env = {
      MONGODB_URI: s.MONGODB_URI,
      REDIS_URL: s.REDIS_URL,
      REDIS_PREFIX: s.REDIS_PREFIX,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      HTTP_PORT: String(await freePort()),
      MOCK_PORT: String(await freePort()),
      MOCK_MODE: 'classic',
      MOCK_SEED: '7',
      RAW_EXPORT: 'false',
      LOG_LEVEL: 'warn',
    };
    env.MOCK_API_URL = `http://127.0.0.1:${env.MOCK_PORT}`;
    app = startApp(env);
    await waitForHttp(`http://127.0.0.1:${env.HTTP_PORT}/health/ready`, 60_000);
    await run(process.execPath, ['dist/cli/cycle.js', '--skip-training', '--timeout-s', '240'], { env: { ...process.env, ...env } });
    metrics = await (await fetch(`http://127.0.0.1:${env.HTTP_PORT}/metrics`)).text();
  }, 300_000);

  afterAll(async () => {
    app?.proc.kill('SIGTERM');
    await app?.exited;
  });

  it('exposes every metric the architecture names', () => {
    const names = [
      'ingestion_requests_total',
      'ingestion_request_duration_seconds',
      'ingestion_run_duration_seconds',
      'ingestion_records_total',
      'ingestion_last_success_timestamp_seconds',
      'ingestion_volume_anomaly_score',
      'recommendation_run_duration_seconds',
      'recommendation_users_total',
      'recommendation_coverage_ratio',
      'recommendation_freshness_seconds',
      'recommendation_cache_requests_total',
      'model_metric',
      'model_production_version_info',
      'model_drift_psi',
      'queue_jobs',
      'http_request_duration_seconds',
    ];
    for (const n of names) expect(metrics, `moovitamix_${n}`).toContain(`# TYPE moovitamix_${n} `);
  });

  it('counts what the ingestion run record says it stored', async () => {
    const runs = (await get('/ingestion/runs?limit=1')).items as Array<Record<string, unknown>>;
    const record = runs[0]!;
    expect(record.status).toBe('succeeded');
    const endpoints = record.endpoints as Record<string, Record<string, number>>;
    for (const endpoint of ['tracks', 'users', 'listen_history']) {
      const e = endpoints[endpoint]!;
      expect(e.fetched).toBe(1000);
      expect(sample('moovitamix_ingestion_records_total', { endpoint, result: 'inserted' })).toBe(e.inserted);
      expect(sample('moovitamix_ingestion_requests_total', { endpoint, outcome: 'ok' })).toBeGreaterThanOrEqual(e.pages);
      expect(sample('moovitamix_ingestion_last_success_timestamp_seconds', { endpoint })).toBeGreaterThan(Date.now() / 1000 - 600);
    }
  });

  it('counts what the recommendation run record says it computed, with its coverage', async () => {
    const runs = (await get('/recommendations/runs?limit=50')).items as Array<Record<string, unknown>>;
    const record = runs[0]!;
    const computedByAllRuns = runs.reduce((sum, r) => sum + Number(r.users_computed), 0);
    expect(record.status).toBe('succeeded');
    const computed = metrics
      .split('\n')
      .filter((l) => l.startsWith('moovitamix_recommendation_users_total{') && l.includes('outcome="computed"'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    // The counter is cumulative over the process's runs; the run records say the same.
    expect(computed).toBe(computedByAllRuns);
    expect(computedByAllRuns).toBeGreaterThanOrEqual(1000);
    expect(sample('moovitamix_recommendation_coverage_ratio')).toBeCloseTo(Number(record.coverage_ratio), 6);
    expect(sample('moovitamix_recommendation_run_duration_seconds_count')).toBeGreaterThanOrEqual(1);
  });
});
