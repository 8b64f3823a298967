import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogRepository } from '../../../src/catalog/catalog.repository.js';
import { all, startPipeline, type Pipeline } from './support.js';
import { history, StubSource, track, user } from './stub-source.js';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('a run that fails half-way resumes from its checkpoint', () => {
  let stub: StubSource;
  let pipe: Pipeline;

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = ids(100, 10).map((id) => track(id));
    stub.data.users = ids(1, 10).map((id) => user(id));
    stub.data.listen_history = ids(1, 10).map((id) => history(id, [100 + (id % 10), 100 + ((id + 1) % 10)]));
    // One page in flight at a time, so which pages finished before the failure is known.
    pipe = await startPipeline('ing_checkpoint', stub.url, { INGESTION_PAGE_SIZE: '2', INGESTION_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  const attempt = (n: number, final: boolean) =>
    pipe.ingestion.execute({ runId: 'resumed', runDate: '2026-11-26', trigger: 'api', attempt: n, maxAttempts: 3, finalAttempt: final });

  it('reads only what the failed attempt had not stored, with the counts of an uninterrupted run', async () => {
    stub.fail = (endpoint, page) => (endpoint === 'users' && page === 4 ? 422 : undefined);
    await expect(attempt(1, false)).rejects.toThrow(/422/);
    const failed = (await all(pipe.db, 'ingestion_runs'))[0];
    expect(failed).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(failed.error).toContain('GET /users?page=4&size=2');
    expect(failed.endpoints.tracks.status).toBe('done');
    expect(failed.endpoints.users).toMatchObject({ status: 'failed', pages: 3, inserted: 6 });

    // The next attempt: the page that failed mid-write (records half stored) is re-applied.
    stub.fail = () => undefined;
    stub.requests.length = 0;
    const catalog = pipe.app.get(CatalogRepository);
    const original = catalog.writeRecords.bind(catalog);
    let cut = false;
    catalog.writeRecords = async (name, inserts, updates) => {
      if (name === 'listen_history' && !cut && inserts.some((d) => d._id === 5)) {
        cut = true;
        await original(name, inserts.slice(0, 1), []);
        throw new Error('connection lost in the middle of a write');
      }
      return original(name, inserts, updates);
    };
    await expect(attempt(2, false)).rejects.toThrow(/connection lost/);
    expect(stub.requests).toEqual(['users:4', 'users:5', 'listen_history:1', 'listen_history:2', 'listen_history:3']);

    stub.requests.length = 0;
    const summary = await attempt(3, true);
    catalog.writeRecords = original;
    expect(stub.requests).toEqual(['listen_history:3', 'listen_history:4', 'listen_history:5']);
    expect(summary.status).toBe('succeeded');
    for (const e of ['tracks', 'users', 'listen_history'] as const) {
      expect(summary.endpoints[e]).toMatchObject({
        status: 'done',
        fetched: 10,
        inserted: 10,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        pages: 5,
      });
    }
    expect(summary.endpoints.listen_history.events_inserted).toBe(20);
    expect(await pipe.db.collection('listen_events').countDocuments({})).toBe(20);
    expect(await pipe.db.collection('listen_history').countDocuments({})).toBe(10);
    expect((await all(pipe.db, 'ingestion_runs'))[0]).toMatchObject({ status: 'succeeded', attempts: 3, error: null });
  });
});

describe('a source whose total moves during the run', () => {
  let stub: StubSource;
  let pipe: Pipeline;

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = ids(100, 3).map((id) => track(id));
    stub.data.users = ids(1, 5).map((id) => user(id));
    stub.data.listen_history = [];
    pipe = await startPipeline('ing_moving', stub.url, { INGESTION_PAGE_SIZE: '2', INGESTION_CONCURRENCY: '2' });
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  it('reads the endpoint again so that nothing is missed', async () => {
    let grown = false;
    stub.beforeAnswer = (endpoint, page) => {
      if (endpoint === 'users' && page === 2 && !grown) {
        grown = true;
        // Two users arrive at the front: every later record shifts by two places.
        stub.data.users = [user(50), user(51), ...stub.data.users];
      }
    };
    const summary = await pipe.run('moving');
    expect(summary.endpoints.users).toMatchObject({ passes: 2, total: 7, inserted: 7, rejected: 0 });
    expect((await all(pipe.db, 'users')).map((u) => u._id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 50, 51]);
    expect(summary.endpoints.tracks.passes).toBe(1);
  });

  it('reads an empty endpoint as one empty page', async () => {
    const r = await pipe.run('empty-history');
    expect(r.endpoints.listen_history).toMatchObject({ status: 'done', total: 0, pages: 1, fetched: 0 });
  });
});
