import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { trainAls, type AlsModel, type Listen } from '../../../src/training/model/als.js';
import { ModelArtifactError, serializeModel } from '../../../src/training/model/artifact.js';
import { ArtifactStore, chunkId } from '../../../src/training/registry/artifact-store.js';
import { ModelRegistry } from '../../../src/training/registry/model-registry.service.js';
import type { ModelVersionDoc } from '../../../src/training/registry/registry.schemas.js';
import { testSettings } from '../../support/settings.js';
import { openDb, startPipeline, type RunningApp } from './support.js';

/** Model artifacts through the real MongoDB-compatible store. */
describe('artifact store', () => {
  let settings: Settings;
  let app: RunningApp;
  let db: Awaited<ReturnType<typeof openDb>>;
  let store: ArtifactStore;

  const listens: Listen[] = [];
  for (let u = 0; u < 60; u++)
    for (let j = 0; j < 8; j++) listens.push({ userId: 1000 + u, trackId: ((u % 6) * 10 + j * 3 + u) % 70, count: 1 + (j % 3) });

  beforeAll(async () => {
    settings = testSettings('training-artifacts');
    db = await openDb(settings);
    app = await startPipeline(settings, 'api');
    store = app.app.get(ArtifactStore);
  });

  afterAll(async () => {
    await app?.close();
    await db?.dropAndClose();
  });

  it('round-trips a model in several chunks byte for byte, and rebuilds the same factors', async () => {
    const model = await trainAls(listens, { factors: 8, iterations: 3, seed: 5 }, { threads: 1 });
    const artifact = serializeModel(model, { maxChunkBytes: 1000 });
    expect(artifact.chunks.length).toBeGreaterThan(3);
    const record = await store.save('v-roundtrip', artifact);
    expect(record).toMatchObject({
      sha256: artifact.sha256,
      chunks: artifact.chunks.length,
      bytes: artifact.meta.bytes,
      users: 60,
      factors: 8,
    });

    const chunks = await store.readChunks('v-roundtrip', record);
    expect(chunks).toHaveLength(artifact.chunks.length);
    chunks.forEach((c, i) => expect(c.equals(artifact.chunks[i])).toBe(true));
    expect(Buffer.concat(chunks).equals(Buffer.concat(artifact.chunks))).toBe(true);

    const loaded = (await store.load('v-roundtrip', record)) as AlsModel;
    expect(loaded.settings).toEqual(model.settings);
    expect(
      Buffer.from(loaded.userFactors.buffer).equals(
        Buffer.from(model.userFactors.buffer, model.userFactors.byteOffset, model.userFactors.byteLength),
      ),
    ).toBe(true);
    expect(
      Buffer.from(loaded.itemFactors.buffer).equals(
        Buffer.from(model.itemFactors.buffer, model.itemFactors.byteOffset, model.itemFactors.byteLength),
      ),
    ).toBe(true);
    expect(Array.from(loaded.userIds)).toEqual(Array.from(model.userIds));
    expect(Array.from(loaded.itemIds)).toEqual(Array.from(model.itemIds));

    // Saving the same version again is idempotent.
    await store.save('v-roundtrip', artifact);
    expect(await db.db.collection('model_artifacts').countDocuments({ version: 'v-roundtrip' })).toBe(artifact.chunks.length);
  });

  it('refuses a chunk whose bytes changed: checksum mismatch', async () => {
    const model = await trainAls(listens, { factors: 4, iterations: 2, seed: 9 }, { threads: 1 });
    const artifact = serializeModel(model, { maxChunkBytes: 2000 });
    const record = await store.save('v-corrupt', artifact);
    const flipped = Buffer.from(artifact.chunks[1]);
    flipped[17] ^= 0xff;
    await db.db.collection('model_artifacts').updateOne({ _id: chunkId('v-corrupt', 1) as never }, { $set: { data: flipped } });
    const err = await store.load('v-corrupt', record).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelArtifactError);
    expect((err as Error).message).toMatch(/checksum mismatch/);
  });

  it('refuses a missing chunk, naming it', async () => {
    const model = await trainAls(listens, { factors: 4, iterations: 1, seed: 3 }, { threads: 1 });
    const record = await store.save('v-missing', serializeModel(model, { maxChunkBytes: 500 }));
    expect(record.chunks).toBeGreaterThan(3);
    await db.db.collection('model_artifacts').deleteOne({ _id: chunkId('v-missing', 2) as never });
    await expect(store.load('v-missing', record)).rejects.toThrow(/chunk 3 of \d+ is missing/);
  });

  it('loads a version once per process and serves it from the cache afterwards', async () => {
    const registry = app.app.get(ModelRegistry);
    const model = await trainAls(listens, { factors: 4, iterations: 1, seed: 4 }, { threads: 1 });
    const artifact = await store.save('v-cached', serializeModel(model));
    const doc = { _id: 'v-cached', status: 'production', artifact } as ModelVersionDoc;
    const first = await registry.loadModel(doc);
    // Even with its chunks gone, the cached model is served.
    await store.remove('v-cached', artifact.chunks);
    expect(await registry.loadModel(doc)).toBe(first);
    registry.evict('v-cached');
    await expect(registry.loadModel(doc)).rejects.toThrow(/missing/);
  });
});
