import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { combineRoles } from '../../../src/roles.js';
import { startMock, type Mock } from '../ingestion/support.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function runToEnd(base: string, db: mongoose.mongo.Db, runDate: string): Promise<any> {
  const res = await fetch(`${base}/ingestion/runs`, { method: 'POST', headers: admin, body: JSON.stringify({ run_date: runDate }) });
  expect(res.status).toBe(202);
  const { run_id: runId } = (await res.json()) as { run_id: string };
  for (let i = 0; i < 600; i++) {
    const run = await db.collection('ingestion_runs').findOne({ _id: runId as never });
    if (run && ['succeeded', 'succeeded_with_rejections', 'failed'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

const metric = (text: string, line: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${line} `))
      ?.split(' ')[1] ?? NaN,
  );

// The source answers nothing but 5xx for longer than the run's retry budget allows.
describe('the source down past the retry budget', () => {
  let mock: Mock;
  let app: INestApplication;
  let base: string;
  let db: mongoose.mongo.Db;

  beforeAll(async () => {
    mock = await startMock('res_src_down', {
      MOCK_MODE: 'living',
      MOCK_SEED: '5',
      MOCK_USERS: '250',
      MOCK_TRACKS: '150',
      MOCK_INITIAL_LISTENS: '4',
    });
    const settings = testSettings('res_src_down', {
      MOCK_API_URL: mock.url,
      INGESTION_JOB_ATTEMPTS: '1',
      INGESTION_REQUEST_RETRIES: '20',
      INGESTION_RETRY_BUDGET: '6',
      INGESTION_RETRY_BASE_MS: '5',
      INGESTION_RETRY_MAX_MS: '20',
      RAW_EXPORT: 'false',
    });
    app = await createPipelineApp(settings, combineRoles('api', 'worker'), createLogger('warn'));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    db = app.get<mongoose.Connection>(getConnectionToken()).db!;
  });
  afterAll(async () => {
    await app?.close();
    await mock?.close();
  });

  it('fails the run with the reason, /health and the alert metric say so, and the next run ingests everything', async () => {
    await mock.admin('POST', '/mock/faults', { error_5xx_rate: 1 });
    const failed = await runToEnd(base, db, '2026-03-01');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/retry budget of 6 retries for this run attempt is used up \(last error: .*5\d\d/);
    expect(failed.chain_held ?? null).toBeNull();
    expect(await db.collection('recommendation_runs').countDocuments({})).toBe(0);

    // IngestionRunFailed: increase(moovitamix_ingestion_runs_total{status="failed"}[1h]) > 0; the requests' error ratio too.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metric(metrics, 'moovitamix_ingestion_runs_total{status="failed"}')).toBe(1);
    expect(metric(metrics, 'moovitamix_ingestion_runs_total{status="succeeded"}')).toBe(0);
    expect(metric(metrics, 'moovitamix_ingestion_requests_total{endpoint="tracks",outcome="http_5xx"}')).toBeGreaterThan(0);
    // /health: degraded with the reason; /health/ready stays 200 (the source is not a dependency whose loss unroutes a process).
    const health = (await (await fetch(`${base}/health`)).json()) as {
      status: string;
      freshness: { ingestion: { status: string; reason: string } };
    };
    expect(health.status).toBe('degraded');
    expect(health.freshness.ingestion).toMatchObject({ status: 'stale', reason: 'no successful ingestion run recorded' });
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const listed = (await (await fetch(`${base}/ingestion/runs/${encodeURIComponent(failed._id)}`, { headers: admin })).json()) as {
      status: string;
      error: string;
    };
    expect(listed).toMatchObject({ status: 'failed', error: failed.error });

    // The source is back: the next run takes every record.
    await mock.admin('POST', '/mock/faults', { error_5xx_rate: 0 });
    const next = await runToEnd(base, db, '2026-03-01');
    const state = await mock.json('/mock/state');
    expect(next.status).toBe('succeeded');
    expect(next.endpoints.tracks).toMatchObject({ inserted: state.sizes.tracks });
    expect(next.endpoints.users).toMatchObject({ inserted: state.sizes.users });
    expect(next.endpoints.listen_history).toMatchObject({ inserted: state.sizes.listen_history, events_inserted: state.sizes.listens });
    expect(await db.collection('listen_events').countDocuments({})).toBe(state.sizes.listens);
    const after = (await (await fetch(`${base}/health`)).json()) as { freshness: { ingestion: { status: string } } };
    expect(after.freshness.ingestion.status).toBe('ok');
  });
});
