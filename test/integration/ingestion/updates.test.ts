import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CatalogRepository, UPDATE_BATCH } from '../../../src/catalog/catalog.repository.js';
import { startPipeline, type Pipeline } from './support.js';
import { history, StubSource, track, user } from './stub-source.js';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

// Pages of 100 changed records, several at once. FerretDB v1 holds a connection per update
// statement until its command ends, 100 per database: unbatched, such updates deadlock it.
describe('a run where every record changed', () => {
  let stub: StubSource;
  let pipe: Pipeline;

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = ids(1000, 250).map((id) => track(id));
    stub.data.users = [user(1)];
    stub.data.listen_history = [history(1, [1000])];
    pipe = await startPipeline('ing_updates', stub.url, { INGESTION_CONCURRENCY: '4' });
    await pipe.run('before');
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  const change = async (album: string, runId: string) => {
    stub.data.tracks = ids(1000, 250).map((id) => ({ ...track(id), album }));
    const r = await pipe.run(runId);
    expect(r.endpoints.tracks).toMatchObject({ updated: 250, inserted: 0, pages: 3 });
    expect(await pipe.db.collection('tracks').countDocuments({ album })).toBe(250);
    expect(await pipe.db.collection('tracks').countDocuments({})).toBe(250);
  };

  // The repository picks the way by what the server says it is (replacing where an update by `_id` scans
  // the collection, FerretDB v1), but each way must hold on whichever server runs the tests:
  // mongod where it is installed (and in docker-compose), FerretDB otherwise.
  const changeKeeping = async (album: string, runId: string, popularity: number) => {
    const before = await pipe.db.collection('tracks').findOne({ _id: 1000 as never });
    await pipe.db.collection('tracks').updateOne({ _id: 1000 as never }, { $set: { popularity_score: popularity } });
    await change(album, runId);
    // Fields set once (and the recommender's popularity) survive the rewrite.
    expect(await pipe.db.collection('tracks').findOne({ _id: 1000 as never })).toMatchObject({
      first_seen_at: before!.first_seen_at,
      popularity_score: popularity,
      run_id: runId,
    });
  };
  afterEach(() => vi.restoreAllMocks());

  it('rewrites them the way the store takes', async () => {
    await changeKeeping('remastered', 'own-way', 7);
  });

  it('replaces them page by page', async () => {
    vi.spyOn(pipe.app.get(CatalogRepository), 'replacesChanged').mockResolvedValue(true);
    await changeKeeping('deluxe', 'replaced', 8);
  });

  it('loses no record when the replacement stops between its delete and its insert', async () => {
    const repo = pipe.app.get(CatalogRepository);
    vi.spyOn(repo, 'replacesChanged').mockResolvedValue(true);
    const stored = await pipe.db
      .collection('tracks')
      .find({ _id: { $in: [1000, 1001] } as never })
      .sort({ _id: 1 })
      .toArray();
    const changed = stored.map((d) => ({ ...d, album: 'crashed-mid-write' })) as never[];
    // The process dies after the old versions are deleted, before the new ones are in.
    const insertMany = vi
      .spyOn((repo as unknown as { mirrors: Record<string, { insertMany: () => Promise<unknown> }> }).mirrors.tracks, 'insertMany')
      .mockRejectedValueOnce(new Error('killed'));
    await expect(repo.writeRecords('tracks', [], changed)).rejects.toThrow('killed');
    insertMany.mockRestore();
    expect(await pipe.db.collection('tracks').countDocuments({ _id: { $in: [1000, 1001] } as never })).toBe(0);
    expect(await pipe.db.collection('mirror_replacements').countDocuments({})).toBe(2);
    // The next start puts the new versions back, once, and unstages them.
    expect(await repo.restoreReplacements()).toBe(2);
    expect(await repo.restoreReplacements()).toBe(0);
    expect(await pipe.db.collection('tracks').countDocuments({ _id: { $in: [1000, 1001] } as never, album: 'crashed-mid-write' })).toBe(2);
    expect(await pipe.db.collection('mirror_replacements').countDocuments({})).toBe(0);
    // A replacement that completes leaves nothing staged.
    await repo.writeRecords('tracks', [], stored.map((d) => ({ ...d, album: 'whole' })) as never[]);
    expect(await pipe.db.collection('tracks').countDocuments({ album: 'whole' })).toBe(2);
    expect(await pipe.db.collection('mirror_replacements').countDocuments({})).toBe(0);
  });

  it('updates them in batches the store can take', async () => {
    expect(UPDATE_BATCH).toBeLessThan(100);
    vi.spyOn(pipe.app.get(CatalogRepository), 'replacesChanged').mockResolvedValue(false);
    await changeKeeping('anniversary', 'updated', 9);
  });
});
