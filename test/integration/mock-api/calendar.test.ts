import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, readAll, startMockApp, type MockApp } from './mock-app.js';

interface History {
  user_id: number;
  items: number[];
  created_at: string;
  updated_at: string;
}

// The living mode's simulated calendar, driven over HTTP as a test of daily ingestion would.
describe('mock source API: simulated calendar (living mode)', () => {
  let mock: MockApp;
  beforeAll(async () => {
    mock = await startMockApp('mock-calendar', {
      MOCK_MODE: 'living',
      MOCK_SEED: '5',
      MOCK_USERS: '300',
      MOCK_TRACKS: '200',
      MOCK_DAILY_NEW_USERS: '0.05',
      MOCK_DAILY_NEW_TRACKS: '0.05',
      MOCK_START_DATE: '2026-03-01',
    });
  });
  afterAll(() => mock.close());

  it('refuses to advance without the admin token', async () => {
    const res = await fetch(`${mock.base}/mock/advance?days=1`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect((await mock.json('/mock/state')).day).toBe(0);
  });

  it('rejects a bad number of days with 422 naming it', async () => {
    for (const days of ['0', 'x', '367', '3650', '1e2']) {
      const res = await mock.admin('POST', `/mock/advance?days=${days}`);
      expect(res.status).toBe(422);
      expect((await bodyOf(res)).detail[0].loc).toEqual(['query', 'days']);
    }
  });

  it('grows by appending: old items kept as a prefix, updated_at forward, new users cold, totals as reported', async () => {
    const before = await mock.json('/mock/state');
    expect(before).toMatchObject({
      mode: 'living',
      day: 0,
      date: '2026-03-01',
      start_date: '2026-03-01',
      sizes: { users: 300, tracks: 200, listen_history: 300 },
    });
    const oldHistory = await readAll<History>(mock, 'listen_history');
    const oldTracks = await readAll(mock, 'tracks');
    expect(oldHistory.reduce((n, h) => n + h.items.length, 0)).toBe(before.sizes.listens);

    const res = await mock.admin('POST', '/mock/advance?days=3');
    expect(res.status).toBe(200);
    const { added, state } = await bodyOf(res);
    expect(added.map((d: { date: string }) => d.date)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(state).toMatchObject({ day: 3, date: '2026-03-04' });
    const sum = (key: string) => added.reduce((n: number, d: Record<string, number>) => n + d[key]!, 0);
    expect(sum('listens')).toBeGreaterThan(0);
    expect(state.sizes.listens).toBe(before.sizes.listens + sum('listens'));
    expect(state.sizes.users).toBe(300 + sum('new_users'));
    expect(state.sizes.tracks).toBe(200 + sum('new_tracks'));
    expect(sum('new_users')).toBeGreaterThan(0);

    const history = await readAll<History>(mock, 'listen_history');
    expect(history).toHaveLength(state.sizes.listen_history);
    expect(history.reduce((n, h) => n + h.items.length, 0)).toBe(state.sizes.listens);
    let grown = 0;
    oldHistory.forEach((old, i) => {
      const now = history[i]!;
      expect(now.user_id).toBe(old.user_id);
      expect(now.created_at).toBe(old.created_at);
      expect(now.items.slice(0, old.items.length)).toEqual(old.items);
      if (now.items.length > old.items.length) {
        grown++;
        expect(now.updated_at > old.updated_at).toBe(true);
        expect(now.updated_at >= '2026-03-01').toBe(true);
      } else {
        expect(now.updated_at).toBe(old.updated_at);
      }
    });
    expect(grown).toBeGreaterThan(0);
    for (const fresh of history.slice(oldHistory.length)) {
      expect(fresh.created_at >= '2026-03-01').toBe(true);
    }
    // Users who joined on the last simulated day have not listened yet.
    const lastDayUsers = added[2].new_users as number;
    for (const fresh of history.slice(history.length - lastDayUsers)) expect(fresh.items).toEqual([]);
    const tracks = await readAll(mock, 'tracks');
    expect(tracks.slice(0, oldTracks.length)).toEqual(oldTracks);
    const trackIds = new Set(tracks.map((t) => t.id));
    for (const h of history) for (const t of h.items) expect(trackIds.has(t)).toBe(true);
    expect(state.days).toEqual(added);
  });

  it('same seed gives the same data, whether days are advanced one by one or at once', async () => {
    const twin = await startMockApp('mock-calendar-twin', {
      MOCK_MODE: 'living',
      MOCK_SEED: '5',
      MOCK_USERS: '300',
      MOCK_TRACKS: '200',
      MOCK_DAILY_NEW_USERS: '0.05',
      MOCK_DAILY_NEW_TRACKS: '0.05',
      MOCK_START_DATE: '2026-03-01',
    });
    try {
      for (let d = 0; d < 3; d++) expect((await twin.admin('POST', '/mock/advance')).status).toBe(200);
      for (const endpoint of ['tracks', 'users', 'listen_history']) {
        expect(await readAll(twin, endpoint)).toEqual(await readAll(mock, endpoint));
      }
    } finally {
      await twin.close();
    }
  });
});
