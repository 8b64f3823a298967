import { describe, expect, it } from 'vitest';
import {
  cachePoints,
  decisionsOf,
  driftPoints,
  expandSources,
  explainTracks,
  groupConsecutive,
  ingestionPoints,
  ingestionRunSummary,
  MAX_POINTS,
  modelVersionView,
  modelVersionViews,
  recommendationPoints,
  timelineOf,
  variantHitRates,
} from '../../../src/admin/dashboard-aggregation.js';
import { withoutExternalFonts } from '../../../src/admin/bull-board.setup.js';
import { daysParam } from '../../../src/admin/dashboard-api.controller.js';
import { DEFAULT_RANGE_DAYS } from '../../../src/admin/dashboard-api.service.js';
import { DASHBOARD_SCRIPT } from '../../../src/admin/dashboard-client.js';
import type { RunRecord } from '../../../src/monitoring/run-records.repository.js';
import { sourceRuns } from '../../../src/recommendations/playlist-engine.js';
import { buildPlaylist } from '../../../src/recommendations/recommenders.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-01-01T02:00:00Z');

function ingestionRun(day: number, over: Partial<RunRecord> = {}): RunRecord {
  const started = new Date(T0 + day * DAY);
  const endpoint = (fetched: number) => ({
    status: 'done',
    fetched,
    inserted: 1,
    updated: 0,
    unchanged: fetched - 1,
    rejected: day % 10 === 0 ? 2 : 0,
    retries: 1,
    duration_s: 3,
  });
  return {
    _id: `ingestion-${started.toISOString().slice(0, 10)}`,
    status: 'succeeded',
    trigger: 'cron',
    run_date: started.toISOString().slice(0, 10),
    started_at: started,
    finished_at: new Date(started.getTime() + (10 + day) * 1000),
    duration_s: 10 + day,
    endpoints: { tracks: endpoint(1000 + day), users: endpoint(2000), listen_history: endpoint(2000) },
    records_fetched: 5000 + day,
    anomaly: { anomalous: day === 100, reasons: day === 100 ? ['tracks volume z=5.1'] : [], threshold: 3.5, history: 14, scores: {} },
    ...over,
  };
}

describe('groupConsecutive', () => {
  it('keeps every item once, in order, in at most max groups', () => {
    const items = Array.from({ length: 365 }, (_, i) => i);
    const groups = groupConsecutive(items, MAX_POINTS);
    expect(groups.length).toBe(MAX_POINTS);
    expect(groups.flat()).toEqual(items);
    expect(Math.max(...groups.map((g) => g.length)) - Math.min(...groups.map((g) => g.length))).toBeLessThanOrEqual(1);
  });

  it('gives one group per item up to max, none for nothing', () => {
    expect(groupConsecutive([1, 2, 3], 180)).toEqual([[1], [2], [3]]);
    expect(groupConsecutive([], 180)).toEqual([]);
  });
});

describe('ingestion points', () => {
  it('one point per run for a short history, with per-endpoint records, retries, rejected and anomalies', () => {
    const runs = [ingestionRun(2), ingestionRun(0), ingestionRun(1, { status: 'failed' })];
    const { endpoints, points } = ingestionPoints(runs);
    expect(endpoints).toEqual(['tracks', 'users', 'listen_history']);
    expect(points.map((p) => p.first_run)).toEqual(['ingestion-2026-01-01', 'ingestion-2026-01-02', 'ingestion-2026-01-03']);
    expect(points[0]).toMatchObject({
      t: T0 / 1000,
      runs: 1,
      records: { tracks: 1000, users: 2000, listen_history: 2000 },
      duration_s: 10,
      retries: 3,
      rejected: 6,
      anomalous: 0,
      failed: 0,
    });
    expect(points[1]!.failed).toBe(1);
  });

  it('a year of daily runs (and three) stays within MAX_POINTS points, every run counted once', () => {
    for (const days of [365, 3 * 365]) {
      const runs = Array.from({ length: days }, (_, d) => ingestionRun(d));
      const { points } = ingestionPoints(runs);
      expect(points.length).toBeLessThanOrEqual(MAX_POINTS);
      expect(points.reduce((s, p) => s + p.runs, 0)).toBe(days);
      expect(points.reduce((s, p) => s + p.anomalous, 0)).toBe(1);
      expect(points.find((p) => p.anomalous)!.anomaly_reasons).toEqual(['tracks volume z=5.1']);
      // Means per run, not sums: the first point of a year merges days 0 and 1 (or 0..6 for three years).
      const k = points[0]!.runs;
      expect(points[0]!.records.tracks).toBeCloseTo(1000 + (k - 1) / 2, 5);
      expect(points[0]!.duration_max_s).toBe(10 + k - 1);
    }
  });

  it('summarises the last run per endpoint, with its anomaly and first error line', () => {
    const s = ingestionRunSummary(ingestionRun(100, { status: 'failed', error: 'retry budget exhausted\n  at stack' }))!;
    expect(s).toMatchObject({
      id: 'ingestion-2026-04-11',
      status: 'failed',
      anomalous: true,
      anomaly_reasons: ['tracks volume z=5.1'],
      error: 'retry budget exhausted',
    });
    expect(s.endpoints.map((e) => [e.endpoint, e.fetched])).toEqual([
      ['tracks', 1100],
      ['users', 2000],
      ['listen_history', 2000],
    ]);
    expect(ingestionRunSummary(null)).toBeNull();
  });

  it('reads runs with missing fields without failing', () => {
    const { points } = ingestionPoints([{ _id: 'x', started_at: new Date(T0).toISOString() }, { _id: 'no-start' }]);
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ records: { tracks: null }, duration_s: null, retries: null, anomalous: 0 });
  });
});

describe('recommendation points', () => {
  it('coverage, freshness in hours, users and variants per run', () => {
    const run = (day: number, variants: Record<string, number>): RunRecord => {
      const finished = new Date(T0 + day * DAY + 60_000);
      return {
        _id: `r${day}`,
        status: 'succeeded',
        started_at: new Date(T0 + day * DAY),
        finished_at: finished,
        oldest_playlist_at: new Date(finished.getTime() - 30 * 3600_000),
        coverage_ratio: 0.9 + day / 100,
        users_computed: 100 * (day + 1),
        users_skipped: 5,
        users_failed: 0,
        variants,
      };
    };
    const { variants, points } = recommendationPoints([run(0, { production: 90, canary: 10 }), run(1, { production: 200 })]);
    expect(variants).toEqual(['canary', 'production']);
    expect(points[0]).toMatchObject({ coverage: 0.9, freshness_h: 30, users_computed: 100, variants: { production: 90, canary: 10 } });
    expect(points[1]!.variants).toEqual({ production: 200, canary: 0 });
  });

  it('merges a year of runs into at most MAX_POINTS points', () => {
    const runs = Array.from(
      { length: 400 },
      (_, d) => ({ _id: `r${d}`, started_at: new Date(T0 + d * DAY), coverage_ratio: 1, variants: { default: 10 } }) as RunRecord,
    );
    const { points } = recommendationPoints(runs);
    expect(points.length).toBe(MAX_POINTS);
    expect(points.every((p) => p.coverage === 1 && p.variants.default === 10)).toBe(true);
  });
});

describe('variant hit rates', () => {
  it("counts a user once per variant, a hit being a later listen of one of its playlists' tracks", () => {
    const listened = new Map([
      [1, new Set([11])],
      [2, new Set([99])],
      [3, new Set([31])],
    ]);
    const r = variantHitRates(
      [
        { userId: 1, variant: 'production', runDate: '2026-01-01', trackIds: [10, 11] },
        { userId: 1, variant: 'production', runDate: '2026-01-02', trackIds: [12] },
        { userId: 2, variant: 'production', runDate: '2026-01-02', trackIds: [20] },
        { userId: 3, variant: 'canary', runDate: '2026-01-02', trackIds: [31] },
      ],
      listened,
    );
    expect(r.variants).toEqual([
      { variant: 'canary', users: 1, hits: 1, rate: 1 },
      { variant: 'production', users: 2, hits: 1, rate: 0.5 },
    ]);
    expect(r.by_day).toEqual([
      { run_date: '2026-01-01', rates: { canary: null, production: 1 } },
      { run_date: '2026-01-02', rates: { canary: 1, production: 0 } },
    ]);
  });
});

describe('cache hit ratio points', () => {
  it('is the ratio of each interval, starting afresh after a counter reset', () => {
    const s = (t: number, hit: number, miss_store: number, miss_cold_start = 0) => ({ t, hit, miss_store, miss_cold_start });
    expect(cachePoints([s(0, 0, 0), s(60, 9, 1), s(120, 9, 1), s(180, 3, 1)])).toEqual([
      { t: 60, hit_ratio: 0.9, reads: 10 },
      { t: 120, hit_ratio: null, reads: 0 },
      { t: 180, hit_ratio: 0.75, reads: 4 },
    ]);
    const day = Array.from({ length: 1441 }, (_, i) => s(i * 60, i * 10, i));
    expect(cachePoints(day).length).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('models', () => {
  const version = (over: Partial<RunRecord> = {}): RunRecord => ({
    _id: 'v2',
    version: 'v2',
    status: 'retired',
    decision: 'rolled_back',
    reason: 'rolled back by an operator',
    created_at: new Date('2026-01-08T00:00:00Z'),
    settings: { factors: 64, regularization: 0.05, nested: { a: 1 } },
    metrics: { ndcg: 0.21, precision: 0.1, recall: 0.2, coverage: 0.4, map: 0.1, users: 500 },
    baselines: {
      production_version: 'v1',
      production: { ndcg: 0.2, precision: 0.1, recall: 0.2, coverage: 0.4 },
      popularity: { ndcg: 0.05, precision: 0.03, recall: 0.04, coverage: 0.01 },
    },
    history: [
      { at: new Date('2026-01-08T00:00:01Z'), status: 'candidate', decision: 'refit', reason: 'refit', by: 'training' },
      { at: new Date('2026-01-08T00:00:02Z'), status: 'canary', decision: 'canary', reason: 'gate passed', by: 'training' },
      { at: new Date('2026-01-09T00:00:00Z'), status: 'canary', decision: 'canary_waiting', reason: 'inconclusive', by: 'canary-review' },
      { at: new Date('2026-01-10T00:00:00Z'), status: 'production', decision: 'promoted', reason: 'canary passed', by: 'canary-review' },
      { at: new Date('2026-01-12T00:00:00Z'), status: 'retired', decision: 'rolled_back', reason: 'rolled back by an operator', by: 'api' },
    ],
    ...over,
  });

  it('shows the family (als when the record has none) and the settings as recorded', () => {
    const v = modelVersionView(version());
    expect(v.family).toBe('als');
    expect(v.settings).toEqual({ factors: 64, regularization: 0.05, nested: { a: 1 } });
    expect(modelVersionView(version({ family: 'ease', settings: { lambda: 250 } }))).toMatchObject({
      family: 'ease',
      settings: { lambda: 250 },
    });
    expect(v).toMatchObject({
      label: 'rolled back',
      metrics: { ndcg: 0.21, coverage: 0.4 },
      popularity: { ndcg: 0.05 },
      production_at_training: { ndcg: 0.2 },
      production_kind: 'model',
      production_version: 'v1',
      held_out_users: 500,
    });
    const hybrid = modelVersionView(
      version({
        baselines: { production_version: null, production_kind: 'hybrid', production: { ndcg: 0.1 }, popularity: { ndcg: 0.05 } },
      }),
    );
    expect(hybrid).toMatchObject({
      production_kind: 'hybrid',
      production_version: null,
      production_at_training: { ndcg: 0.1, recall: null },
    });
  });

  it('turns the history into periods, merging changes that keep the status', () => {
    const v = modelVersionView(version());
    expect(v.timeline).toEqual([
      { status: 'candidate', from: '2026-01-08T00:00:00.000Z', to: '2026-01-08T00:00:02.000Z' },
      { status: 'canary', from: '2026-01-08T00:00:02.000Z', to: '2026-01-10T00:00:00.000Z' },
      { status: 'production', from: '2026-01-10T00:00:00.000Z', to: '2026-01-12T00:00:00.000Z' },
      { status: 'rolled back', from: '2026-01-12T00:00:00.000Z', to: null },
    ]);
    expect(timelineOf('2026-01-01T00:00:00.000Z', 'rejected', 'rejected', [])).toEqual([
      { status: 'rejected', from: '2026-01-01T00:00:00.000Z', to: null },
    ]);
  });

  it('lists versions oldest first, the newest kept', () => {
    const docs = [3, 1, 2].map((d) => version({ _id: `v${d}`, version: `v${d}`, created_at: new Date(T0 + d * DAY) }));
    expect(modelVersionViews(docs, 2).map((v) => v.version)).toEqual(['v2', 'v3']);
  });

  it("lists each decision once, newest first: the gate's from the run with its checks, later changes from the registry", () => {
    const run: RunRecord = {
      _id: 'training-2026-01-08',
      status: 'succeeded',
      decision: 'canary',
      version: 'v2',
      reason: 'canary for 10% of users',
      started_at: new Date('2026-01-07T23:59:00Z'),
      finished_at: new Date('2026-01-08T00:00:03Z'),
      gate: {
        passed: true,
        reason: 'passed: NDCG@10 0.21 >= popularity 0.05 x 1.10',
        checks: [{ name: 'lift_over_popularity', passed: true, detail: 'NDCG@10 0.21 >= 0.055' }],
      },
    };
    const failed: RunRecord = {
      _id: 'training-2026-01-15',
      status: 'failed',
      decision: null,
      started_at: new Date('2026-01-15T00:00:00Z'),
      error: 'out of memory\nstack',
    };
    const d = decisionsOf([run, failed], [modelVersionView(version())]);
    expect(d.map((x) => [x.source, x.decision])).toEqual([
      ['training', 'failed'],
      ['registry', 'rolled_back'],
      ['registry', 'promoted'],
      ['registry', 'canary_waiting'],
      ['training', 'canary'],
      ['registry', 'refit'],
    ]);
    expect(d[0]!.reason).toBe('out of memory');
    expect(d[4]).toMatchObject({
      reason: 'passed: NDCG@10 0.21 >= popularity 0.05 x 1.10',
      checks: [{ name: 'lift_over_popularity', passed: true }],
    });
  });

  it('drift: PSI per feature per training run, with the threshold', () => {
    const runs = [0, 7].map(
      (d) =>
        ({
          _id: `t${d}`,
          started_at: new Date(T0 + d * DAY),
          drift: { psi: { genre_share: 0.01 * (d + 1), new_user_share: 0.3 }, threshold: 0.2 },
        }) as RunRecord,
    );
    runs.push({ _id: 'skipped', started_at: new Date(T0 + 14 * DAY), drift: null });
    const r = driftPoints(runs);
    expect(r).toMatchObject({ features: ['genre_share', 'new_user_share'], threshold: 0.2 });
    expect(r.points.map((p) => p.psi)).toEqual([
      { genre_share: 0.01, new_user_share: 0.3 },
      { genre_share: 0.08, new_user_share: 0.3 },
    ]);
  });
});

describe('why each track', () => {
  const tracks = new Map([
    [1, { name: 'One', artist: 'A', genres: ['Rock'] }],
    [2, { name: 'Two', artist: 'B', genres: ['Jazz'] }],
    [3, { name: 'Three', artist: 'C', genres: ['Pop'] }],
  ]);

  it('names the model score, the fallback after the model list ran short, and the genre match', () => {
    const r = explainTracks(
      {
        track_ids: [1, 2, 3],
        scores: [0.9, 0.5, 0.2],
        recommender: 'model',
        model_version: 'v7',
        sources: [
          { name: 'model', count: 2 },
          { name: 'popularity', count: 1 },
        ],
      },
      tracks,
      ['rock'],
      new Set(['Jazz']),
    );
    expect(r.map((t) => [t.source, t.fallback, t.genre_match])).toEqual([
      ['model', false, 'favourite'],
      ['model', false, 'listened'],
      ['popularity', true, null],
    ]);
    expect(r[0]!.why).toBe('model v7 score 0.900; a favourite genre (Rock)');
    expect(r[2]!.why).toMatch(/^fallback to popularity .* after the model list ran short$/);
  });

  it('says so when an older playlist does not record its sources', () => {
    const r = explainTracks({ track_ids: [1], scores: [0.4], recommender: 'model', model_version: 'v7' }, tracks, [], new Set());
    expect(r[0]).toMatchObject({ source: null, fallback: false });
    expect(r[0]!.why).toContain('does not record');
    const hybrid = explainTracks({ track_ids: [2], scores: [0.4], recommender: 'hybrid', model_version: null }, tracks, [], new Set());
    expect(hybrid[0]).toMatchObject({ source: 'hybrid', fallback: false, name: 'Two' });
  });

  it('expands run-length sources, ignoring malformed runs', () => {
    expect(expandSources([{ name: 'model', count: 2 }, { bad: 1 }, { name: 'hybrid', count: 5 }], 4)).toEqual([
      'model',
      'model',
      'hybrid',
      'hybrid',
    ]);
    expect(expandSources(undefined, 2)).toEqual([null, null]);
  });

  it('the playlist builder reports the source of each picked track', () => {
    const index = { tracks: new Map([1, 2, 3, 4].map((id) => [id, { id, artist: `artist${id}` }])) } as never;
    const origins: number[] = [];
    const got = buildPlaylist(
      [
        [{ trackId: 1, score: 9 }],
        [
          { trackId: 1, score: 1 },
          { trackId: 2, score: 1 },
        ],
        [
          { trackId: 3, score: 1 },
          { trackId: 4, score: 1 },
        ],
      ],
      new Set([4]),
      index,
      { size: 3, maxPerArtist: 1 },
      origins,
    );
    expect(got.map((c) => c.trackId)).toEqual([1, 2, 3]);
    expect(origins).toEqual([0, 1, 2]);
    expect(sourceRuns([0, 0, 1, 2, 2], ['model', 'hybrid', 'popularity'])).toEqual([
      { name: 'model', count: 2 },
      { name: 'hybrid', count: 1 },
      { name: 'popularity', count: 2 },
    ]);
  });
});

describe('dashboard API parameters and script', () => {
  it('takes days from 1 to three years, a year by default', () => {
    expect(daysParam.parse(undefined)).toBe(DEFAULT_RANGE_DAYS);
    expect(daysParam.parse('30')).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'abc', '5000']) expect(daysParam.safeParse(bad).success, bad).toBe(false);
  });

  it('serves a script that parses', () => {
    expect(() => new Function(DASHBOARD_SCRIPT)).not.toThrow();
    expect(DASHBOARD_SCRIPT).not.toMatch(/https?:\/\//);
  });
});

describe('Bull Board page without web fonts', () => {
  it('drops the font CDN stylesheet from HTML only', () => {
    const page =
      '<head><link rel="icon" href="static/a.svg">\n    <link href="https://fonts.googleapis.com/css2?family=IBM+Plex+Sans:wght@400&display=swap" rel="stylesheet">\n    <link href="static/css/main.css" rel="stylesheet"></head>';
    const out = withoutExternalFonts('text/html; charset=utf-8', page) as string;
    expect(out).not.toContain('fonts.googleapis');
    expect(out).toContain('static/css/main.css');
    expect(out).toContain('static/a.svg');
    expect(withoutExternalFonts('application/json', page)).toBe(page);
    const buffer = Buffer.from('x');
    expect(withoutExternalFonts('text/html', buffer)).toBe(buffer);
  });
});
