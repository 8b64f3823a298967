import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogRepository } from '../../../src/catalog/catalog.repository.js';
import { all, startPipeline, type Pipeline } from './support.js';
import { history, StubSource, track, user } from './stub-source.js';

describe('listen history rule against a source that replaces a list', () => {
  let stub: StubSource;
  let pipe: Pipeline;

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = [track(101), track(102), track(103)];
    stub.data.users = [user(1), user(2), user(3)];
    pipe = await startPipeline('ing_rule', stub.url, { INGESTION_PAGE_SIZE: '2' });
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  const events = async (userId: number) =>
    (await all(pipe.db, 'listen_events')).filter((e) => e.user_id === userId).sort((a, b) => a._id.localeCompare(b._id));

  it('appends, keeps, and quarantines a history that is not an append, keeping the stored one', async () => {
    stub.data.listen_history = [history(1, [101, 102], 1), history(2, [103], 1), history(3, [], 1)];
    const r1 = await pipe.run('r1');
    expect(r1.endpoints.listen_history).toMatchObject({ inserted: 3, events_inserted: 3, quarantined: 0 });

    // User 1's list is rewritten (a restart of the source), user 2's grows, user 3's is unchanged.
    stub.data.listen_history = [history(1, [103, 101], 2), history(2, [103, 101, 101], 2), history(3, [], 1)];
    const r2 = await pipe.run('r2');
    expect(r2.endpoints.listen_history).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, quarantined: 1, events_inserted: 2 });

    expect((await events(1)).map((e) => e._id)).toEqual(['1:0:0', '1:0:1']);
    expect((await events(2)).map((e) => [e._id, e.track_id])).toEqual([
      ['2:0:0', 103],
      ['2:0:1', 101],
      ['2:0:2', 101],
    ]);
    const h1 = await pipe.db.collection('listen_history').findOne({ _id: 1 as never });
    expect(h1).toMatchObject({ generation: 0, items: [101, 102], run_id: 'r1' });
    // The appended listens are dated by the record's updated_at.
    expect((await events(2)).map((e) => e.listened_at.toISOString())).toEqual([
      '2026-03-01T10:00:00.123Z',
      '2026-03-02T10:00:00.123Z',
      '2026-03-02T10:00:00.123Z',
    ]);
  });

  it('a changed record keeps first_seen_at and is rewritten; an unchanged one is left alone', async () => {
    const before = await pipe.db.collection('tracks').findOne({ _id: 101 as never });
    stub.data.tracks = [{ ...track(101), name: 'renamed' }, track(102), track(103)];
    const r3 = await pipe.run('r3');
    expect(r3.endpoints.tracks).toMatchObject({ inserted: 0, updated: 1, unchanged: 2 });
    const after = await pipe.db.collection('tracks').findOne({ _id: 101 as never });
    expect(after).toMatchObject({ name: 'renamed', run_id: 'r3', first_seen_at: before!.first_seen_at });
    expect(after!.last_seen_at.getTime()).toBeGreaterThan(before!.last_seen_at.getTime());
    expect((await pipe.db.collection('tracks').findOne({ _id: 102 as never }))!.run_id).toBe('r1');
  });
  it('a write cut off after the old version was removed is re-applied as the first time', async () => {
    const before = await pipe.db.collection('listen_history').findOne({ _id: 1 as never });
    stub.data.listen_history = [history(1, [101, 102, 103], 3), history(2, [103, 101, 101], 2), history(3, [], 1)];
    const catalog = pipe.app.get(CatalogRepository);
    const original = catalog.writeRecords.bind(catalog);
    // The state a crash leaves between removing the changed records and inserting their new version.
    catalog.writeRecords = async (name, inserts, updates) => {
      if (name !== 'listen_history' || updates.length === 0) return original(name, inserts, updates);
      await pipe.db.collection('listen_history').deleteMany({ _id: { $in: updates.map((d) => d._id) } } as never);
      throw new Error('worker lost');
    };
    const attempt = (n: number) =>
      pipe.ingestion.execute({ runId: 'r4', runDate: '2026-11-26', trigger: 'api', attempt: n, maxAttempts: 2, finalAttempt: n === 2 });
    await expect(attempt(1)).rejects.toThrow('worker lost');
    expect(await pipe.db.collection('listen_history').countDocuments({})).toBe(2);
    catalog.writeRecords = original;
    const r = await attempt(2);
    expect(r.endpoints.listen_history).toMatchObject({ updated: 1, unchanged: 2, events_inserted: 1, quarantined: 0 });
    const after = await pipe.db.collection('listen_history').findOne({ _id: 1 as never });
    expect(after).toMatchObject({ generation: 0, items: [101, 102, 103], run_id: 'r4', first_seen_at: before!.first_seen_at });
    expect((await events(1)).map((e) => e._id)).toEqual(['1:0:0', '1:0:1', '1:0:2']);
  });
});
