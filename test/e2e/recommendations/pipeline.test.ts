import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { envOf, openDb } from './support.js';

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const SIZE = 30;

interface Track {
  id: number;
  artist: string;
  genres: string;
}

// One real process (role all: the living mock, the API, the workers): ingestion of the seeded mock
// chains the day's recommendation run; a simulated day later, new users get their playlists.
describe('from the living mock to served playlists', () => {
  const settings = testSettings('rec_e2e_pipeline');
  let app: AppProcess;
  let api: string;
  let mock: string;
  let store: Awaited<ReturnType<typeof openDb>>;

  // Answers are read loosely, as assertions check their fields.
  const json = async (url: string, init?: RequestInit): Promise<any> => {
    const res = await fetch(url, init);
    if (res.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const readAll = async <T>(endpoint: string): Promise<T[]> => {
    const first = await json(`${mock}/${endpoint}?page=1&size=100`);
    const out: T[] = [...first.items];
    for (let p = 2; p <= first.pages; p++) out.push(...(await json(`${mock}/${endpoint}?page=${p}&size=100`)).items);
    return out;
  };
  async function ingestAndWaitForRecommendations(runDate: string): Promise<any> {
    await json(`${api}/ingestion/runs`, { method: 'POST', headers: admin, body: JSON.stringify({ run_date: runDate }) });
    const runId = `recommendations-${runDate}`;
    for (let i = 0; i < 600; i++) {
      const res = await fetch(`${api}/recommendations/runs/${runId}`, { headers: admin });
      if (res.status === 200) {
        const run = (await res.json()) as { status: string };
        if (['succeeded', 'completed', 'failed'].includes(run.status)) return run;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no finished recommendation run ${runId}:\n${app.output().slice(-3000)}`);
  }
  async function checkPlaylists(userIds: number[], tracks: Map<number, Track>, heard: Map<number, number[]>) {
    for (const id of userIds) {
      const r = await json(`${api}/users/${id}/recommendations`);
      expect(r.tracks).toHaveLength(SIZE);
      const ids: number[] = r.tracks.map((t: { track_id: number }) => t.track_id);
      expect(ids.filter((t) => (heard.get(id) ?? []).includes(t))).toEqual([]);
      const perArtist = new Map<string, number>();
      for (const t of ids) perArtist.set(tracks.get(t)!.artist, (perArtist.get(tracks.get(t)!.artist) ?? 0) + 1);
      expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(3);
    }
  }

  beforeAll(async () => {
    store = await openDb(settings);
    const [httpPort, mockPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    api = `http://127.0.0.1:${httpPort}`;
    mock = `http://127.0.0.1:${mockPort}`;
    app = startApp(
      envOf(settings, {
        APP_ROLE: 'all',
        HTTP_PORT: String(httpPort),
        MOCK_PORT: String(mockPort),
        METRICS_PORT: String(metricsPort),
        MOCK_API_URL: mock,
        MOCK_MODE: 'living',
        MOCK_SEED: '42',
        MOCK_USERS: '300',
        MOCK_TRACKS: '500',
        MOCK_INITIAL_LISTENS: '10',
        MOCK_DAILY_NEW_USERS: '0.02',
        RECOMMENDATION_BATCH_SIZE: '100',
      }),
    );
    await waitForHttp(`${api}/health/live`);
    await waitForHttp(`${mock}/tracks?size=1`);
  });
  afterAll(async () => {
    app.proc.kill('SIGTERM');
    await app.exited;
    await store.dropAndClose();
  });

  it('ingests the seeded mock, then gives every user a playlist of the right size, none heard, the artist cap held', async () => {
    const run = await ingestAndWaitForRecommendations('2026-11-26');
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'pipeline', users_total: 300, users_computed: 300, users_failed: 0 });
    const tracks = new Map((await readAll<Track>('tracks')).map((t) => [t.id, t]));
    const heard = new Map((await readAll<{ user_id: number; items: number[] }>('listen_history')).map((h) => [h.user_id, h.items]));
    const users = await readAll<{ id: number }>('users');
    await checkPlaylists(
      users.map((u) => u.id),
      tracks,
      heard,
    );
  });

  it('a simulated day later, recomputes new users and new listeners only; a new user gets their favourite genre first', async () => {
    const before = new Set((await readAll<{ id: number }>('users')).map((u) => u.id));
    await json(`${mock}/mock/advance?days=1`, { method: 'POST', headers: { authorization: admin.authorization } });
    const run = await ingestAndWaitForRecommendations('2026-11-27');
    const users = await readAll<{ id: number; favorite_genres: string }>('users');
    const added = users.filter((u) => !before.has(u.id));
    expect(added.length).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(run.reasons.new).toBe(added.length);
    expect(run.reasons.new_listens).toBeGreaterThan(0);
    expect(run.users_selected).toBeLessThan(users.length);
    expect(run.users_skipped).toBe(users.length - run.users_selected);

    const tracks = new Map((await readAll<Track>('tracks')).map((t) => [t.id, t]));
    const heard = new Map((await readAll<{ user_id: number; items: number[] }>('listen_history')).map((h) => [h.user_id, h.items]));
    await checkPlaylists(
      added.map((u) => u.id),
      tracks,
      heard,
    );
    for (const u of added) {
      const r = await json(`${api}/users/${u.id}/recommendations`);
      const inGenre = r.tracks.map((t: { genres: string[] }) => t.genres.includes(u.favorite_genres));
      // Cold start: the favourite genre's tracks come first, as many as its catalogue allows under the artist cap.
      expect(inGenre[0]).toBe(true);
      expect(inGenre.indexOf(false) === -1 || inGenre.slice(inGenre.indexOf(false)).every((x: boolean) => !x)).toBe(true);
    }
  });
});
