import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { deserializeModel, MAX_CHUNK_BYTES, ModelArtifactError, type SerializedModel } from '../model/artifact.js';
import type { TrainedModel } from '../model/model.js';
import { TRAINING_MODEL_NAMES, type ArtifactRecord, type ModelArtifactDoc } from './registry.schemas.js';

export function chunkId(version: string, index: number): string {
  return `${version}:${String(index).padStart(5, '0')}`;
}

/** Binary fields come back as a Buffer or as a BSON Binary depending on the read path. */
function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const b = data as { buffer?: Uint8Array; value?: (asRaw?: boolean) => Uint8Array };
  if (b && b.buffer instanceof Uint8Array) return Buffer.from(b.buffer.buffer, b.buffer.byteOffset, b.buffer.byteLength);
  throw new ModelArtifactError('model artifact chunk has no binary data');
}

/**
 * Model artifacts in MongoDB: one document per chunk (each under the 16 MB document limit), keyed
 * `${version}:${index}` so every read is an _id lookup. Loading checks the sha256 over all chunks.
 */
@Injectable()
export class ArtifactStore {
  constructor(@InjectModel(TRAINING_MODEL_NAMES.ModelArtifact) private readonly chunks: Model<ModelArtifactDoc>) {}

  /** Idempotent: the same version written twice gives the same documents. */
  async save(version: string, artifact: SerializedModel): Promise<ArtifactRecord> {
    const count = artifact.chunks.length;
    for (let i = 0; i < count; i++) {
      const data = artifact.chunks[i];
      if (data.length > MAX_CHUNK_BYTES)
        throw new ModelArtifactError(`chunk ${i} of ${version} has ${data.length} bytes, more than ${MAX_CHUNK_BYTES}`);
      // One chunk per write keeps each request far below the wire limit, whatever the model size.
      const id = chunkId(version, i);
      await this.chunks.collection.replaceOne(
        { _id: id as never },
        { _id: id, version, index: i, count, sha256: artifact.sha256, data } as never,
        { upsert: true },
      );
    }
    const m = artifact.meta;
    return { sha256: artifact.sha256, bytes: m.bytes, chunks: count, users: m.users, items: m.items, factors: m.factors };
  }

  /** The raw chunks in order; throws when one is missing or belongs to another artifact. */
  async readChunks(version: string, record: Pick<ArtifactRecord, 'chunks' | 'sha256'>): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let i = 0; i < record.chunks; i++) {
      const doc = await this.chunks.findById(chunkId(version, i)).lean().exec();
      if (!doc) throw new ModelArtifactError(`model ${version}: artifact chunk ${i + 1} of ${record.chunks} is missing`);
      if (doc.sha256 !== record.sha256)
        throw new ModelArtifactError(`model ${version}: artifact chunk ${i + 1} belongs to artifact ${doc.sha256}, not ${record.sha256}`);
      out.push(toBuffer(doc.data));
    }
    return out;
  }

  /** Reads and rebuilds the model; a checksum mismatch throws ModelArtifactError. */
  async load(version: string, record: Pick<ArtifactRecord, 'chunks' | 'sha256'>): Promise<TrainedModel> {
    return deserializeModel(await this.readChunks(version, record), record.sha256);
  }

  /** Every chunk of a version, whatever its record says. */
  async removeAll(version: string): Promise<void> {
    await this.chunks.collection.deleteMany({ version });
  }

  async remove(version: string, chunks: number): Promise<void> {
    if (chunks > 0) await this.chunks.deleteMany({ _id: { $in: Array.from({ length: chunks }, (_, i) => chunkId(version, i)) } }).exec();
  }
}
