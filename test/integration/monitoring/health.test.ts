import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSettings } from '../../support/settings.js';
import { openDb, startPipeline, type RunningApp } from './support.js';

describe('health endpoints', () => {
  const settings = testSettings('monitoring-health', { HEALTH_INGESTION_MAX_AGE: '26h', HEALTH_RECOMMENDATION_MAX_AGE: '2h' });
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;

  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings);
  });
  afterAll(async () => {
    await app.close();
    await store.dropAndClose();
  });

  it('/health/live answers while the process runs', async () => {
    const res = await fetch(`${app.base}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('/health/ready checks MongoDB, Redis and the queues', async () => {
    const res = await fetch(`${app.base}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['mongodb', 'queues', 'redis']);
    for (const d of Object.values(body.details)) expect(d.status).toBe('up');
  });

  it('/health is 200 "degraded" while no run has succeeded, naming why', async () => {
    const res = await fetch(`${app.base}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; freshness: { ingestion: { status: string; reason: string } } };
    expect(body.status).toBe('degraded');
    expect(body.freshness.ingestion).toMatchObject({ status: 'stale', reason: 'no successful ingestion run recorded' });
  });

  it('/health is "ok" when both stages succeeded recently, "degraded" when one is older than its maximum age', async () => {
    await store.db
      .collection('ingestion_runs')
      .insertOne({ _id: 'i1' as never, status: 'succeeded', finished_at: new Date(Date.now() - 3_600_000) });
    await store.db
      .collection('recommendation_runs')
      .insertOne({ _id: 'r1' as never, status: 'succeeded', finished_at: new Date(Date.now() - 600_000) });
    let res = await fetch(`${app.base}/health`);
    let body = (await res.json()) as {
      status: string;
      freshness: Record<string, { status: string; age_seconds: number; reason?: string }>;
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.freshness.ingestion!.age_seconds).toBeGreaterThanOrEqual(3600);

    await store.db.collection('recommendation_runs').deleteMany({});
    await store.db
      .collection('recommendation_runs')
      .insertOne({ _id: 'r0' as never, status: 'succeeded', finished_at: new Date(Date.now() - 3 * 3_600_000) });
    await store.db.collection('recommendation_runs').insertOne({ _id: 'r2' as never, status: 'failed', finished_at: new Date() });
    res = await fetch(`${app.base}/health`);
    body = (await res.json()) as typeof body;
    expect(res.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.freshness.ingestion!.status).toBe('ok');
    expect(body.freshness.recommendations!.status).toBe('stale');
    expect(body.freshness.recommendations!.reason).toContain('more than 7200 s');
  });
});

describe('worker and scheduler roles (no HTTP API) still serve /metrics and /health', () => {
  const settings = testSettings('monitoring-roles');
  let app: RunningApp;

  beforeAll(async () => {
    app = await startPipeline(settings, 'scheduler');
  });
  afterAll(async () => {
    await app.close();
    const store = await openDb(settings);
    await store.dropAndClose();
  });

  it('answers /metrics, /health/live and /health/ready, and has no admin pages', async () => {
    const metrics = await fetch(`${app.base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE moovitamix_queue_jobs gauge');
    expect((await fetch(`${app.base}/health/live`)).status).toBe(200);
    expect((await fetch(`${app.base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${app.base}/admin/queues`)).status).toBe(404);
  });
});
