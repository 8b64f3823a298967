import { describe, expect, it } from 'vitest';
import { digest, itemsDigest } from '../../../src/ingestion/contract.js';
import { planPage, type PlanContext, type StoreIndex } from '../../../src/ingestion/page-plan.js';

const now = new Date('2026-11-26T02:00:00Z');
const track = (id: number, name = `t${id}`) => ({
  id,
  name,
  artist: 'A',
  songwriters: 'S',
  duration: '01:05',
  genres: 'Rock',
  album: 'B',
  created_at: '2026-01-01T00:00:00',
  updated_at: '2026-01-02T00:00:00.5',
});
const hist = (user_id: number, items: number[], updated_at = '2026-03-04T05:06:07.123456') => ({
  user_id,
  items,
  created_at: '2026-01-01T00:00:00',
  updated_at,
});
const ctx = (endpoint: PlanContext['endpoint'], index: StoreIndex = new Map()): PlanContext => ({
  endpoint,
  runId: 'run-1',
  page: 3,
  pass: 1,
  now,
  index,
});

describe('planning a page', () => {
  it('inserts what the store lacks, updates what changed, leaves the rest', () => {
    const index: StoreIndex = new Map([
      [2, { hash: digest(JSON.stringify(track(2))) }],
      [3, { hash: 'an older version' }],
    ]);
    const plan = planPage([track(1), track(2), track(3, 'renamed')], ctx('tracks', index));
    expect(plan.counts).toMatchObject({ fetched: 3, inserted: 1, unchanged: 1, updated: 1, rejected: 0 });
    expect(plan.inserts.map((d) => d._id)).toEqual([1]);
    expect(plan.updates.map((d) => d._id)).toEqual([3]);
    expect(plan.index.map(([id]) => id)).toEqual([1, 3]);
    expect(plan.inserts[0]).toMatchObject({
      duration_s: 65,
      genres: ['Rock'],
      songwriters: ['S'],
      release_date: null,
      popularity_score: 0,
      first_seen_at: now,
      last_seen_at: now,
      run_id: 'run-1',
    });
    expect((plan.inserts[0] as { updated_at: Date }).updated_at.toISOString()).toBe('2026-01-02T00:00:00.500Z');
  });

  it('rejects invalid items and repeated ids, with the raw item and the reasons', () => {
    const plan = planPage([track(1), { ...track(2), id: 'x' }, track(1, 'again')], ctx('tracks'));
    expect(plan.counts).toMatchObject({ fetched: 3, inserted: 1, rejected: 2 });
    expect(plan.rejects).toEqual([
      expect.objectContaining({
        _id: 'run-1:tracks:1:3:1',
        endpoint: 'tracks',
        page: 3,
        index: 1,
        raw: JSON.stringify({ ...track(2), id: 'x' }),
        reasons: [expect.stringMatching(/^id: /)],
      }),
      expect.objectContaining({ _id: 'run-1:tracks:1:3:2', reasons: ['id 1 appears twice in the page'] }),
    ]);
  });

  it('turns new history items into listen events dated by the record', () => {
    const index: StoreIndex = new Map([[8, { hash: 'old', history: { generation: 0, itemsLength: 2, itemsDigest: itemsDigest([5, 6]) } }]]);
    const plan = planPage([hist(7, [5, 5]), hist(8, [5, 6, 9]), hist(9, [])], ctx('listen_history', index));
    expect(plan.counts).toMatchObject({ inserted: 2, updated: 1, events: 3, quarantined: 0 });
    expect(plan.events.map((e) => [e._id, e.track_id, e.position])).toEqual([
      ['7:0:0', 5, 0],
      ['7:0:1', 5, 1],
      ['8:0:2', 9, 2],
    ]);
    expect(plan.events[0]!.listened_at.toISOString()).toBe('2026-03-04T05:06:07.123Z');
    expect(plan.index.find(([id]) => id === 8)![1].history).toEqual({ generation: 0, itemsLength: 3, itemsDigest: itemsDigest([5, 6, 9]) });
  });

  it('quarantines a history that is not an append of the stored one: no write, no event, the reason set aside', () => {
    const stored = { hash: 'old', history: { generation: 1, itemsLength: 2, itemsDigest: itemsDigest([5, 6]) } };
    const index: StoreIndex = new Map([
      [8, stored],
      [9, { ...stored }],
    ]);
    const plan = planPage([hist(8, [5]), hist(9, [6, 5, 7])], ctx('listen_history', index));
    expect(plan.counts).toMatchObject({ fetched: 2, updated: 0, inserted: 0, quarantined: 2, rejected: 0, events: 0 });
    expect(plan.events).toEqual([]);
    expect(plan.updates).toEqual([]);
    expect(plan.index).toEqual([]);
    expect(plan.rejects).toEqual([
      expect.objectContaining({
        _id: 'run-1:listen_history:1:3:0',
        kind: 'quarantined',
        raw: JSON.stringify(hist(8, [5])),
        reasons: [expect.stringMatching(/^listen history shrank: the source sends 1 listens where 2 are stored; quarantined/)],
      }),
      expect.objectContaining({
        _id: 'run-1:listen_history:1:3:1',
        kind: 'quarantined',
        reasons: [expect.stringMatching(/^listen history rewritten: the 2 stored listens are not the start of the 3/)],
      }),
    ]);
  });

  it('keeps the source values beside the normalised ones', () => {
    const plan = planPage([hist(7, [1])], ctx('listen_history'));
    expect(plan.inserts[0]).toMatchObject({ source: { created_at: '2026-01-01T00:00:00', updated_at: '2026-03-04T05:06:07.123456' } });
    const u = {
      id: 4,
      first_name: 'A',
      last_name: 'B',
      email: 'e@x.org',
      gender: 'Agender',
      favorite_genres: 'R&B',
      created_at: '2026-01-01T00:00:00',
      updated_at: '2026-01-01T00:00:00',
    };
    expect(planPage([u], ctx('users')).inserts[0]).toMatchObject({
      favorite_genres: ['R&B'],
      subscription_type: null,
      account_status: null,
      source: u,
    });
  });
});
