import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POINTS } from '../../../src/admin/dashboard-aggregation.js';
import { ADMIN_CHALLENGE } from '../../../src/auth/admin-auth.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { closeSuite } from '../../support/pipeline-app.js';
import { authHeaders, openDb, startPipeline, type RunningApp } from '../monitoring/support.js';

const DAY = 24 * 3600 * 1000;

/** The dashboard's JSON and files on a real API process over the MongoDB-compatible server, with a year of daily runs. */
describe('dashboard API', () => {
  const settings = testSettings('admin-dashboard-api');
  let app: RunningApp;
  let store: Awaited<ReturnType<typeof openDb>>;
  const headers = authHeaders.bearer(TEST_ADMIN_TOKEN);
  const get = async (path: string) => {
    const res = await fetch(`${app.base}${path}`, { headers });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as Record<string, any>) : await res.text(),
    };
  };

  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings);
    const now = Date.now();
    // A year and a half of daily ingestion and recommendation runs: the charts read the last year by default.
    const days = 540;
    await store.db.collection('ingestion_runs').insertMany(
      Array.from({ length: days }, (_, i) => {
        const started = new Date(now - (days - i) * DAY);
        const ep = (n: number) => ({
          status: 'done',
          fetched: n,
          inserted: 0,
          updated: 0,
          unchanged: n,
          rejected: 1,
          retries: 2,
          duration_s: 1,
        });
        return {
          _id: `ingestion-${i}` as never,
          status: i === days - 3 ? 'failed' : 'succeeded',
          trigger: 'cron',
          run_date: started.toISOString().slice(0, 10),
          started_at: started,
          finished_at: new Date(started.getTime() + 30_000),
          duration_s: 30,
          endpoints: { tracks: ep(1000 + i), users: ep(2000), listen_history: ep(2000) },
          records_fetched: 5000 + i,
          anomaly: { anomalous: i === days - 10, reasons: i === days - 10 ? ['volume'] : [] },
        };
      }),
    );
    await store.db.collection('recommendation_runs').insertMany(
      Array.from({ length: days }, (_, i) => {
        const started = new Date(now - (days - i) * DAY + 60_000);
        return {
          _id: `recommendations-${i}` as never,
          run_key: `k${i}`,
          status: 'succeeded',
          started_at: started,
          finished_at: new Date(started.getTime() + 10_000),
          oldest_playlist_at: new Date(started.getTime() - 20 * 3600_000),
          coverage_ratio: 0.95,
          users_computed: 100,
          users_skipped: 900,
          users_failed: 0,
          variants: { production: 90, canary: 10 },
        };
      }),
    );
    await store.db.collection('model_versions').insertOne({
      _id: 'v1' as never,
      version: 'v1',
      family: 'ease',
      status: 'production',
      created_at: new Date(now - 5 * DAY),
      settings: { lambda: 300 },
      metrics: { ndcg: 0.2, precision: 0.1, recall: 0.15, coverage: 0.3, map: 0.1, users: 40 },
      baselines: {
        production_version: null,
        production: null,
        popularity: { ndcg: 0.05, precision: 0.02, recall: 0.03, coverage: 0.01, map: 0.01, users: 40 },
      },
      history: [{ at: new Date(now - 4 * DAY), status: 'production', decision: 'promoted', reason: 'canary passed', by: 'canary-review' }],
    });
    await store.db
      .collection('tracks')
      .insertMany(
        [1, 2, 3].map((id) => ({ _id: id as never, name: `Track ${id}`, artist: `Artist ${id}`, genres: [id === 1 ? 'Rock' : 'Jazz'] })),
      );
    await store.db.collection('users').insertOne({ _id: 42 as never, favorite_genres: ['Rock'], account_status: 'active' });
    await store.db.collection('listen_history').insertOne({ _id: 42 as never, items: [3, 3, 2], updated_at: new Date(now - DAY) });
    await store.db.collection('playlists').insertOne({
      _id: `42-k${days - 1}` as never,
      playlist_id: `42-k${days - 1}`,
      user_id: 42,
      track_ids: [1, 2],
      scores: [0.8, 0.1],
      recommender: 'model',
      sources: [
        { name: 'model', count: 1 },
        { name: 'hybrid', count: 1 },
      ],
      model_version: 'v1',
      variant: 'production',
      experiment: null,
      run_date: '2026-01-01',
      created_at: new Date(now - 3600_000),
    });
  });
  afterAll(async () => {
    await closeSuite(app, store);
  });

  it('refuses the JSON and the files without the credential', async () => {
    for (const path of [
      '/admin/api/ingestion',
      '/admin/api/recommendations',
      '/admin/api/models',
      '/admin/api/users/42',
      '/admin/assets/uplot.js',
      '/admin/assets/dashboard.js',
    ]) {
      const res = await fetch(`${app.base}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toBe(ADMIN_CHALLENGE);
    }
  });

  it('serves the ingestion charts of the last year as at most MAX_POINTS points, every run counted once', async () => {
    const { status, body } = await get('/admin/api/ingestion');
    expect(status).toBe(200);
    const r = body as Record<string, any>;
    expect(r.runs_read).toBeGreaterThanOrEqual(364);
    expect(r.runs_read).toBeLessThanOrEqual(366);
    expect(r.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(r.points.reduce((s: number, p: { runs: number }) => s + p.runs, 0)).toBe(r.runs_read);
    expect(r.points.reduce((s: number, p: { failed: number }) => s + p.failed, 0)).toBe(1);
    expect(r.points.reduce((s: number, p: { anomalous: number }) => s + p.anomalous, 0)).toBe(1);
    expect(r.last_run).toMatchObject({ id: 'ingestion-539', status: 'succeeded', records_fetched: 5539 });
    const week = (await get('/admin/api/ingestion?days=7')).body as Record<string, any>;
    expect(week.points).toHaveLength(week.runs_read);
    expect(week.runs_read).toBeGreaterThanOrEqual(6);
    expect((await get('/admin/api/ingestion?days=0')).status).toBe(400);
  });

  it('serves recommendations with coverage, freshness, variants, cache ratio and hit rates', async () => {
    await fetch(`${app.base}/users/42/recommendations`);
    const r = (await get('/admin/api/recommendations')).body as Record<string, any>;
    expect(r.points.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(r.variants).toEqual(['canary', 'production']);
    expect(r.points.at(-1)).toMatchObject({
      coverage: 0.95,
      freshness_h: 20,
      users_computed: 100,
      variants: { production: 90, canary: 10 },
    });
    expect(r.cache.totals.hit + r.cache.totals.miss_store + r.cache.totals.miss_cold_start).toBeGreaterThanOrEqual(1);
    expect(r.hit_rates.variants).toEqual([{ variant: 'production', users: 1, hits: 0, rate: 0 }]);
  });

  it('serves the models with family, settings, timeline and decisions', async () => {
    const r = (await get('/admin/api/models')).body as Record<string, any>;
    expect(r.production).toBe('v1');
    expect(r.versions[0]).toMatchObject({
      version: 'v1',
      family: 'ease',
      settings: { lambda: 300 },
      label: 'production',
      metrics: { ndcg: 0.2 },
      popularity: { ndcg: 0.05 },
    });
    expect(r.versions[0].timeline.map((s: { status: string }) => s.status)).toEqual(['candidate', 'production']);
    expect(r.decisions).toEqual([
      expect.objectContaining({ source: 'registry', decision: 'promoted', version: 'v1', reason: 'canary passed' }),
    ]);
  });

  it("serves a user's recent listens and newest playlist with why each track is in it", async () => {
    const r = (await get('/admin/api/users/42')).body as Record<string, any>;
    expect(r).toMatchObject({ user_id: 42, favorite_genres: ['Rock'], listens_total: 3 });
    expect(r.recent_listens.map((t: { track_id: number }) => t.track_id)).toEqual([2, 3, 3]);
    expect(r.playlist.tracks).toEqual([
      expect.objectContaining({ rank: 1, track_id: 1, name: 'Track 1', source: 'model', fallback: false, genre_match: 'favourite' }),
      expect.objectContaining({ rank: 2, track_id: 2, source: 'hybrid', fallback: true, genre_match: 'listened' }),
    ]);
    expect((await get('/admin/api/users/999')).status).toBe(404);
    expect((await get('/admin/api/users/abc')).status).toBe(400);
  });

  it("serves uPlot and the page's script from this process, and documents the JSON in OpenAPI", async () => {
    const uplot = await get('/admin/assets/uplot.js');
    expect(uplot.status).toBe(200);
    expect(uplot.type).toContain('javascript');
    expect(uplot.body).toContain('uPlot');
    expect((await get('/admin/assets/uplot.css')).type).toContain('text/css');
    expect((await get('/admin/assets/nothing.js')).status).toBe(404);
    const page = (await get('/admin')).body as string;
    for (const src of ['/admin/assets/uplot.js', '/admin/assets/dashboard.js', '/admin/assets/uplot.css']) expect(page).toContain(src);
    expect(page).not.toMatch(/(src|href)="https?:/);
    const openapi = (await (await fetch(`${app.base}/docs/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of ['/admin/api/ingestion', '/admin/api/recommendations', '/admin/api/models', '/admin/api/users/{userId}'])
      expect(openapi.paths, path).toHaveProperty([path]);
    expect(openapi.components.schemas).toHaveProperty('IngestionChartsDto');
    expect(openapi.components.schemas).toHaveProperty('UserViewDto');
  });
});
