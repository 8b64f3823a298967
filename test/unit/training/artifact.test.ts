import { beforeAll, describe, expect, it } from 'vitest';
import { trainAls, type AlsModel } from '../../../src/training/model/als.js';
import { deserializeModel, MAX_CHUNK_BYTES, ModelArtifactError, serializeModel } from '../../../src/training/model/artifact.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';

describe('model artifact', () => {
  let model: AlsModel;
  beforeAll(async () => {
    model = await trainAls(
      plantedListens({ users: 120, tracks: 80, listens: 2000, seed: 5 }),
      { factors: 8, iterations: 3, alpha: 2.5, confidence: 'log' },
      { threads: 1 },
    );
  });

  it('round-trips byte-exact, in chunks of at most the limit', () => {
    const a = serializeModel(model, { maxChunkBytes: 4096 });
    expect(a.chunks.length).toBeGreaterThan(2);
    expect(a.chunks.every((c) => c.length <= 4096)).toBe(true);
    expect(a.meta).toMatchObject({ users: 120, items: 80, factors: 8, chunks: a.chunks.length });
    const back = deserializeModel(a.chunks, a.sha256) as AlsModel;
    expect(back).toEqual(model);
    expect(Buffer.from(back.itemFactors.buffer).equals(Buffer.from(model.itemFactors.buffer))).toBe(true);
    const again = serializeModel(back, { maxChunkBytes: 4096 });
    expect(again.sha256).toBe(a.sha256);
    expect(Buffer.concat(again.chunks).equals(Buffer.concat(a.chunks))).toBe(true);
    expect(serializeModel(model).chunks).toHaveLength(1);
    expect(MAX_CHUNK_BYTES).toBeLessThan(15 * 1024 * 1024);
  });

  it('rejects a checksum mismatch, a missing chunk and reordered chunks', () => {
    const a = serializeModel(model, { maxChunkBytes: 4096 });
    const corrupt = a.chunks.map((c) => Buffer.from(c));
    corrupt[1][10] ^= 1;
    expect(() => deserializeModel(corrupt, a.sha256)).toThrow(ModelArtifactError);
    expect(() => deserializeModel(corrupt, a.sha256)).toThrow(/checksum mismatch/);
    expect(() => deserializeModel(a.chunks.slice(1), a.sha256)).toThrow(/checksum mismatch/);
    expect(() => deserializeModel([a.chunks[1], a.chunks[0], ...a.chunks.slice(2)], a.sha256)).toThrow(/checksum mismatch/);
    expect(() => deserializeModel(a.chunks, '0'.repeat(64))).toThrow(/checksum mismatch/);
  });
});
