import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { flushCache, startRecApp, type RecApp } from './support.js';

describe('the recommendations REST API', () => {
  let rec: RecApp;
  const user = 1_000_010;

  beforeAll(async () => {
    // A long near-cache life: only the batches' announcements can make it serve a new playlist.
    rec = await startRecApp('rec_api', { RECOMMENDATION_LOCAL_CACHE_TTL: '10m' });
    await rec.seed(syntheticCatalogue({ users: 60, tracks: 200, listensPerUser: 8, seed: 21 }));
    await rec.runAndWait({ runDate: '2026-11-24' });
    await rec.runAndWait({ runDate: '2026-11-25', force: true });
    await rec.runAndWait({ runDate: '2026-11-26', force: true });
  });
  afterAll(() => rec.close());

  // Bad parameters of every route, these included: test/integration/api/routes-and-parameters.test.ts.
  it('answers 404 for an unknown user or playlist', async () => {
    const a = await rec.get('/users/999/recommendations');
    expect(a.status).toBe(404);
    expect(a.body.message).toBe('user 999 does not exist');
    expect((await rec.get('/users/999/playlists')).status).toBe(404);
    expect((await rec.get('/playlists/999-20261126')).status).toBe(404);
  });

  it('limits the tracks of a recommendation', async () => {
    const r = await rec.get(`/users/${user}/recommendations?limit=7`);
    expect(r.status).toBe(200);
    expect(r.body.tracks).toHaveLength(7);
    expect(r.body.playlist_id).toBe(`${user}-${r.body.playlist_id.split('-').slice(1).join('-')}`);
  });

  it("pages a user's playlists, newest first", async () => {
    const all = await rec.get(`/users/${user}/playlists`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, size: 20, pages: 1 });
    expect(all.body.items.map((p: { playlist_name: string }) => p.playlist_name)).toEqual([
      'Daily mix 2026-11-26',
      'Daily mix 2026-11-25',
      'Daily mix 2026-11-24',
    ]);
    expect(all.body.items[0]).toEqual({
      playlist_id: expect.any(String),
      playlist_name: 'Daily mix 2026-11-26',
      created_at: expect.any(String),
      model_version: null,
      recommender: 'hybrid',
      variant: 'default',
      track_count: 30,
    });
    const page2 = await rec.get(`/users/${user}/playlists?page=2&size=2`);
    expect(page2.body).toMatchObject({ total: 3, page: 2, size: 2, pages: 2 });
    expect(page2.body.items.map((p: { playlist_name: string }) => p.playlist_name)).toEqual(['Daily mix 2026-11-24']);
    expect((await rec.get(`/users/${user}/playlists?page=9`)).body.items).toEqual([]);
    const latest = await rec.get(`/users/${user}/recommendations`);
    expect(latest.body.playlist_id).toBe(all.body.items[0].playlist_id);
  });

  it('shows one playlist with its tracks', async () => {
    const id = (await rec.get(`/users/${user}/playlists`)).body.items[1].playlist_id;
    const r = await rec.get(`/playlists/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      playlist_id: id,
      user_id: user,
      is_generated: true,
      run_date: '2026-11-25',
      playlist_name: 'Daily mix 2026-11-25',
    });
    expect(r.body.tracks).toHaveLength(30);
    expect(r.body.tracks[0]).toEqual({
      track_id: expect.any(Number),
      name: expect.any(String),
      artist: expect.any(String),
      genres: expect.any(Array),
      score: expect.any(Number),
    });
  });

  it('starts a run on POST /recommendations/runs with the admin token only', async () => {
    expect((await rec.get('/recommendations/runs')).status).toBe(401);
    const denied = await fetch(`${rec.base}/recommendations/runs`, { method: 'POST' });
    expect(denied.status).toBe(401);
    const bad = await rec.admin('POST', '/recommendations/runs', { run_date: '26/11/2026' });
    expect(bad.status).toBe(400);
    expect(bad.body.parameter).toBe('run_date');
    const started = await rec.admin('POST', '/recommendations/runs', { run_date: '2026-11-27', force: true });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ run_date: '2026-11-27', force: true, created: true });
    const runId: string = started.body.run_id;
    let run = (await rec.admin('GET', `/recommendations/runs/${encodeURIComponent(runId)}`)).body;
    for (let i = 0; i < 200 && !['succeeded', 'completed', 'failed'].includes(run.status); i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await rec.admin('GET', `/recommendations/runs/${encodeURIComponent(runId)}`)).body;
    }
    expect(run).toMatchObject({ _id: runId, status: 'succeeded', trigger: 'api', force: true, users_computed: 60 });
    const list = await rec.admin('GET', '/recommendations/runs?limit=2');
    expect(list.body.items.map((r: { _id: string }) => r._id)[0]).toBe(runId);
    expect(list.body.items).toHaveLength(2);
    expect((await rec.admin('GET', '/recommendations/runs?status=nope')).status).toBe(400);
    expect((await rec.admin('GET', '/recommendations/runs/nope')).status).toBe(404);
  });

  it('keeps answers in the process near cache, and drops a user from it as soon as a batch recomputes them', async () => {
    const before = await rec.get(`/users/${user}/recommendations`);
    await flushCache(rec);
    const near = await rec.get(`/users/${user}/recommendations`);
    expect(near.headers.get('x-recommendation-source')).toBe('cache');
    expect(near.body.playlist_id).toBe(before.body.playlist_id);
    await rec.runAndWait({ runDate: '2026-11-28', force: true });
    const after = await rec.get(`/users/${user}/recommendations`);
    expect(after.body.playlist_id).not.toBe(before.body.playlist_id);
    expect(after.body.playlist_name).toBe('Daily mix 2026-11-28');
  });
});
