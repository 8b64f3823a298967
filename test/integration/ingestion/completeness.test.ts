import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, startMock, startPipeline, type Mock, type Pipeline } from './support.js';

describe('ingestion of the classic mock: completeness and idempotence', () => {
  let mock: Mock;
  let pipe: Pipeline;

  beforeAll(async () => {
    mock = await startMock('ing_complete', { MOCK_MODE: 'classic', MOCK_SEED: '7' });
    pipe = await startPipeline('ing_complete', mock.url);
  });
  afterAll(async () => {
    await pipe?.close();
    await mock?.close();
  });

  it('stores every record of every page exactly once', async () => {
    const summary = await pipe.run('run-1');
    expect(summary.status).toBe('succeeded');
    const e = summary.endpoints;
    expect([e.tracks.fetched, e.tracks.inserted, e.tracks.pages]).toEqual([1000, 1000, 10]);
    expect([e.users.fetched, e.users.inserted]).toEqual([1000, 1000]);
    expect([e.listen_history.fetched, e.listen_history.inserted, e.listen_history.events_inserted]).toEqual([1000, 1000, 5000]);

    const counts = await Promise.all(
      ['tracks', 'users', 'listen_history', 'listen_events'].map((c) => pipe.db.collection(c).countDocuments({})),
    );
    expect(counts).toEqual([1000, 1000, 1000, 5000]);

    // The store holds exactly the mock's records: same ids, and each history's items as events.
    const sourceTracks = new Set<number>();
    for (let p = 1; p <= 10; p++) for (const t of (await mock.json(`/tracks?page=${p}&size=100`)).items) sourceTracks.add(t.id);
    const stored = await all(pipe.db, 'tracks');
    expect(new Set(stored.map((t) => t._id))).toEqual(sourceTracks);
    const history = await all(pipe.db, 'listen_history');
    const events = await all(pipe.db, 'listen_events');
    const byUser = new Map<number, number[]>();
    for (const ev of events.sort((a, b) => a.position - b.position))
      byUser.set(ev.user_id, [...(byUser.get(ev.user_id) ?? []), ev.track_id]);
    for (const h of history) expect(byUser.get(h._id)).toEqual(h.items);
  });

  it('normalises types and keeps the source values', async () => {
    const first = (await mock.json('/tracks?page=1&size=1')).items[0];
    const t = await pipe.db.collection('tracks').findOne({ _id: first.id });
    expect(t).toMatchObject({
      name: first.name,
      duration: first.duration,
      genres: [first.genres],
      songwriters: [first.songwriters],
      release_date: null,
      popularity_score: 0,
    });
    const [m, s] = first.duration.split(':').map(Number);
    expect(t!.duration_s).toBe(m * 60 + s);
    expect(t!.created_at).toBeInstanceOf(Date);
    expect(t!.created_at.toISOString().slice(0, 19)).toBe(first.created_at.slice(0, 19));
    expect(t!.source).toEqual(first);
    expect(t!.first_seen_at).toBeInstanceOf(Date);
    const u = (await mock.json('/users?page=1&size=1')).items[0];
    const user = await pipe.db.collection('users').findOne({ _id: u.id });
    expect(user).toMatchObject({ favorite_genres: [u.favorite_genres], subscription_type: null, account_status: null, source: u });
  });

  it('a second run over the same data inserts and rewrites nothing', async () => {
    const before = await pipe.db.collection('tracks').findOne({});
    const summary = await pipe.run('run-2');
    expect(summary.status).toBe('succeeded');
    for (const e of ['tracks', 'users', 'listen_history'] as const) {
      expect(summary.endpoints[e]).toMatchObject({ fetched: 1000, inserted: 0, updated: 0, unchanged: 1000, rejected: 0 });
    }
    expect(summary.endpoints.listen_history.events_inserted).toBe(0);
    expect(await pipe.db.collection('listen_events').countDocuments({})).toBe(5000);
    expect(await pipe.db.collection('tracks').findOne({ _id: before!._id })).toEqual(before);
  });

  it('writes every page as received to the raw zone, and nothing half-written', async () => {
    for (const endpoint of ['tracks', 'users', 'listen_history']) {
      const dir = join(pipe.settings.RAW_EXPORT_DIR, endpoint, 'run_date=2026-11-26', 'run_id=run-1');
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(Array.from({ length: 10 }, (_, i) => `page-${String(i + 1).padStart(6, '0')}.json`));
      const page3 = JSON.parse(await readFile(join(dir, files[2]!), 'utf8'));
      expect(page3).toEqual(await mock.json(`/${endpoint}?page=3&size=100`));
    }
  });

  it('records each run with its counts, and no checkpoint is left behind', async () => {
    const runs = await all(pipe.db, 'ingestion_runs');
    expect(runs.map((r) => r._id).sort()).toEqual(['run-1', 'run-2']);
    const r1 = runs.find((r) => r._id === 'run-1');
    expect(r1).toMatchObject({ status: 'succeeded', trigger: 'api', run_date: '2026-11-26', records_fetched: 3000, error: null });
    expect(r1.finished_at.getTime()).toBeGreaterThanOrEqual(r1.started_at.getTime());
    expect(r1.endpoints.tracks).toMatchObject({ status: 'done', total: 1000, passes: 1, pages: 10, retries: 0 });
    expect(await pipe.db.collection('ingestion_checkpoints').countDocuments({})).toBe(0);
  });
});
