import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, startMock, startPipeline, type Mock, type Pipeline } from './support.js';

/** Each user's events, in position order, by generation. */
async function eventsByUser(pipe: Pipeline): Promise<Map<number, number[]>> {
  const events = (await all(pipe.db, 'listen_events')).sort((a, b) => a.generation - b.generation || a.position - b.position);
  const out = new Map<number, number[]>();
  for (const e of events) out.set(e.user_id, [...(out.get(e.user_id) ?? []), e.track_id]);
  return out;
}

describe('ingestion of the living mock, a run after each simulated day', () => {
  let mock: Mock;
  let pipe: Pipeline;

  beforeAll(async () => {
    mock = await startMock('ing_growth', {
      MOCK_MODE: 'living',
      MOCK_SEED: '11',
      MOCK_USERS: '300',
      MOCK_TRACKS: '200',
      MOCK_INITIAL_LISTENS: '4',
      MOCK_DAILY_NEW_USERS: '0.02',
      MOCK_DAILY_NEW_TRACKS: '0.02',
    });
    pipe = await startPipeline('ing_growth', mock.url, { RAW_EXPORT: 'false' });
  });
  afterAll(async () => {
    await pipe?.close();
    await mock?.close();
  });

  it('adds exactly the listens each day added, with no duplicate, dated by the record', async () => {
    const start = await mock.json('/mock/state');
    const first = await pipe.run('day-0');
    expect(first.endpoints.listen_history.events_inserted).toBe(start.sizes.listens);

    for (let day = 1; day <= 3; day++) {
      const { added } = await mock.admin('POST', '/mock/advance?days=1');
      const today = added[0];
      const summary = await pipe.run(`day-${day}`);
      const h = summary.endpoints.listen_history;
      expect(h.events_inserted).toBe(today.listens);
      expect(h.quarantined).toBe(0);
      expect(summary.endpoints.users.inserted).toBe(today.new_users);
      expect(summary.endpoints.tracks.inserted).toBe(today.new_tracks);
      expect(summary.endpoints.tracks.updated + summary.endpoints.users.updated).toBe(0);
      // History records are new users' (empty) records, or grew: the active users'.
      expect(h.inserted).toBe(today.new_users);
      expect(h.updated).toBe(today.active_users);

      const state = await mock.json('/mock/state');
      expect(await pipe.db.collection('listen_events').countDocuments({})).toBe(state.sizes.listens);
      expect(await pipe.db.collection('users').countDocuments({})).toBe(state.sizes.users);
    }

    // Every stored history equals its events in order: nothing lost, nothing twice.
    const byUser = await eventsByUser(pipe);
    for (const rec of await all(pipe.db, 'listen_history')) expect(byUser.get(rec._id) ?? []).toEqual(rec.items);
    expect(existsSync(pipe.settings.RAW_EXPORT_DIR)).toBe(false);
  });

  it('dates new listens by the updated_at of the record they appeared in', async () => {
    const rec = (await all(pipe.db, 'listen_history')).find((r) => r.run_id === 'day-3' && r.items.length > 0)!;
    const newest = await pipe.db.collection('listen_events').find({ user_id: rec._id, run_id: 'day-3' }).toArray();
    expect(newest.length).toBeGreaterThan(0);
    for (const e of newest) expect(e.listened_at).toEqual(rec.updated_at);
    expect(rec.updated_at.toISOString().slice(0, 10)).toBe((await mock.json('/mock/state')).days.at(-1).date);
  });

  it('scores each run against the previous ones', async () => {
    const runs = await all(pipe.db, 'ingestion_runs');
    const last = runs.find((r) => r._id === 'day-3');
    expect(last.anomaly.history).toBe(3);
    expect(typeof last.anomaly.scores.users.volume).toBe('number');
    expect(runs.find((r) => r._id === 'day-0').anomaly.scores.users.volume).toBeNull();
  });
});
