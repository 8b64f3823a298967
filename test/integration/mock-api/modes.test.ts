import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { itemProblems } from './contract.js';
import { bodyOf, readAll, startMockApp, type MockApp } from './mock-app.js';

// The classic and replay modes, each started as its own app.
describe('mock source API modes', () => {
  const apps: MockApp[] = [];
  const start = async (suite: string, env: Record<string, string>) => {
    const app = await startMockApp(suite, env);
    apps.push(app);
    return app;
  };
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  describe('classic', () => {
    it('serves 1000 tracks, 1000 users and 1000 history records of 5 distinct track ids', async () => {
      const mock = await start('mock-classic', { MOCK_MODE: 'classic' });
      const [tracks, users, history] = await Promise.all([
        readAll(mock, 'tracks'),
        readAll(mock, 'users'),
        readAll(mock, 'listen_history'),
      ]);
      expect([tracks.length, users.length, history.length]).toEqual([1000, 1000, 1000]);
      for (const h of history) {
        expect(h.items).toHaveLength(5);
        expect(new Set(h.items).size).toBe(5);
      }
      // As in the original, updated_at is drawn apart from created_at: about a quarter are earlier.
      const earlier = tracks.filter((t) => t.updated_at < t.created_at).length;
      expect(earlier).toBeGreaterThan(150);
      expect(earlier).toBeLessThan(350);
      expect(new Set(tracks.map((t) => t.genres)).size).toBeGreaterThan(50);
    });

    it('draws new data at each start, unless MOCK_SEED pins it', async () => {
      const [a, b, c, d] = await Promise.all([
        start('mock-classic-a', { MOCK_MODE: 'classic' }),
        start('mock-classic-b', { MOCK_MODE: 'classic' }),
        start('mock-classic-c', { MOCK_MODE: 'classic', MOCK_SEED: '123' }),
        start('mock-classic-d', { MOCK_MODE: 'classic', MOCK_SEED: '123' }),
      ]);
      expect(await a.json('/users?size=20')).not.toEqual(await b.json('/users?size=20'));
      for (const e of ['tracks', 'users', 'listen_history']) expect(await readAll(c, e)).toEqual(await readAll(d, e));
      expect(await c.json('/users?size=20')).not.toEqual(await a.json('/users?size=20'));
    });

    it('keeps its data unchanged when the calendar moves (only the date does)', async () => {
      const mock = await start('mock-classic-advance', { MOCK_MODE: 'classic', MOCK_SEED: '9' });
      const before = await readAll(mock, 'listen_history');
      const res = await mock.admin('POST', '/mock/advance?days=2');
      expect((await bodyOf(res)).state).toMatchObject({
        day: 2,
        sizes: { tracks: 1000, users: 1000, listen_history: 1000, listens: 5000 },
      });
      expect(await readAll(mock, 'listen_history')).toEqual(before);
    });
  });

  describe('replay', () => {
    let dir: string;
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('serves a data set directory through the contract, filling the fields it lacks', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mock-replay-'));
      const lines = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
      await writeFile(
        join(dir, 'tracks.ndjson'),
        lines([
          { id: 10, name: 'Alpha', artist: 'Ann', genres: 'Jazz', duration: '03:10', created_at: '2025-01-02T03:04:05.5' },
          { id: 11, genres: ['Rock', 'Pop'] },
          { id: 12 },
        ]),
      );
      await writeFile(join(dir, 'users.ndjson'), lines([{ id: 1, first_name: 'Zoe', favorite_genres: 'Jazz' }, { id: 2 }, { id: 4 }]));
      await writeFile(
        join(dir, 'listens.ndjson'),
        lines([
          { user_id: 1, track_id: 11, listened_at: '2025-06-02T10:00:00Z' },
          { user_id: 1, track_id: 10, count: 2, listened_at: '2025-06-01T10:00:00Z' },
          { user_id: 2, track_id: 12 },
          { user_id: 3, track_id: 13, count: 3 },
        ]),
      );
      const mock = await start('mock-replay', { MOCK_MODE: 'replay', MOCK_REPLAY_DIR: dir });
      const [tracks, users, history] = await Promise.all([
        readAll(mock, 'tracks'),
        readAll(mock, 'users'),
        readAll(mock, 'listen_history'),
      ]);
      expect(tracks.map((t) => t.id)).toEqual([10, 11, 12, 13]);
      expect(tracks[0]).toMatchObject({
        name: 'Alpha',
        artist: 'Ann',
        genres: 'Jazz',
        duration: '03:10',
        created_at: '2025-01-02T03:04:05.500000',
      });
      expect(tracks[1].genres).toBe('Rock');
      expect(users.map((u) => u.id)).toEqual([1, 2, 4, 3]);
      expect(users[0]).toMatchObject({ first_name: 'Zoe', favorite_genres: 'Jazz' });
      expect(history.map((h) => [h.user_id, h.items])).toEqual([
        [1, [10, 10, 11]],
        [2, [12]],
        [4, []],
        [3, [13, 13, 13]],
      ]);
      expect(history[0]).toMatchObject({ created_at: '2025-06-01T10:00:00', updated_at: '2025-06-02T10:00:00' });
      for (const [endpoint, items] of [
        ['tracks', tracks],
        ['users', users],
        ['listen_history', history],
      ] as const) {
        for (const item of items) expect(itemProblems(endpoint, item)).toEqual([]);
      }
      expect(await mock.json('/mock/state')).toMatchObject({
        mode: 'replay',
        sizes: { tracks: 4, users: 4, listen_history: 4, listens: 7 },
      });
    });
  });
});
