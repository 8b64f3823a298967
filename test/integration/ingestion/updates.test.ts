import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPDATE_BATCH } from '../../../src/catalog/catalog.repository.js';
import { startPipeline, type Pipeline } from './support.js';
import { history, StubSource, track, user } from './stub-source.js';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

// FerretDB v1 holds a connection per update statement until the command ends, 100 per database:
// pages of 100 changed records, several at once, would deadlock it without batching.
describe('a run where every record changed', () => {
  let stub: StubSource;
  let pipe: Pipeline;

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = ids(1000, 250).map((id) => track(id));
    stub.data.users = [user(1)];
    stub.data.listen_history = [history(1, [1000])];
    pipe = await startPipeline('ing_updates', stub.url, { INGESTION_CONCURRENCY: '4' });
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  it('updates them all, in batches the store can take', async () => {
    expect(UPDATE_BATCH).toBeLessThan(100);
    await pipe.run('before');
    stub.data.tracks = ids(1000, 250).map((id) => ({ ...track(id), album: 'remastered' }));
    const r = await pipe.run('after');
    expect(r.endpoints.tracks).toMatchObject({ updated: 250, inserted: 0, pages: 3 });
    expect(await pipe.db.collection('tracks').countDocuments({ album: 'remastered' })).toBe(250);
  });
});
