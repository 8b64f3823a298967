/**
 * Model artifacts: a trained model as bytes (magic, JSON header, then its arrays as little-endian
 * typed arrays), split into chunks that fit one MongoDB document each, with a sha256 over the whole
 * byte string that is checked on load. ALS: id maps and factor matrices ('moovitamix-als');
 * item-to-item families: item ids, popularity order and the similarity rows as CSR ('moovitamix-item').
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { resolveSettings, type AlsSettings } from './als.js';
import {
  isItemModel,
  resolveEaseSettings,
  resolveRp3betaSettings,
  type EaseSettings,
  type ItemModel,
  type Rp3betaSettings,
} from './item-model.js';
import type { TrainedModel } from './model.js';

export const ARTIFACT_FORMAT = 'moovitamix-als';
export const ITEM_ARTIFACT_FORMAT = 'moovitamix-item';
export const ARTIFACT_VERSION = 1;
const MAGIC = Buffer.from('MVXALS\r\n', 'latin1');
/** Under MongoDB's 16 MB document limit with room for the chunk document's other fields. */
export const MAX_CHUNK_BYTES = 15_000_000;

/** What the artifact's header says of the model (JSON at the head of the first chunk). */
interface Header {
  format: string;
  version: number;
  users: number;
  items: number;
  factors: number;
  settings: AlsSettings;
  trainedThrough: number | null;
}

interface ItemHeader {
  format: string;
  version: number;
  family: ItemModel['family'];
  items: number;
  nnz: number;
  settings: EaseSettings | Rp3betaSettings;
  trainedThrough: number | null;
}

/** What the registry records of an artifact; `users` and `factors` are 0 for item-to-item families. */
export interface ArtifactMeta {
  format: string;
  family: 'als' | ItemModel['family'];
  users: number;
  items: number;
  factors: number;
  settings: AlsSettings | EaseSettings | Rp3betaSettings;
  trainedThrough: number | null;
  bytes: number;
  chunks: number;
}

export interface SerializedModel {
  chunks: Buffer[];
  sha256: string;
  meta: ArtifactMeta;
}

export class ModelArtifactError extends Error {
  override name = 'ModelArtifactError';
}

export function serializeModel(model: TrainedModel, options: { maxChunkBytes?: number } = {}): SerializedModel {
  assertLittleEndian();
  const maxChunk = options.maxChunkBytes ?? MAX_CHUNK_BYTES;
  if (!(Number.isInteger(maxChunk) && maxChunk >= 1 && maxChunk <= MAX_CHUNK_BYTES))
    throw new ModelArtifactError(`maxChunkBytes must be an integer in [1, ${MAX_CHUNK_BYTES}]`);
  if (isItemModel(model)) return serializeItemModel(model, maxChunk);
  const users = model.userIds.length;
  const items = model.itemIds.length;
  const k = model.settings.factors;
  if (model.userFactors.length !== users * k || model.itemFactors.length !== items * k)
    throw new ModelArtifactError('model factor matrices do not match its id maps and factor count');
  const s = model.settings;
  // Explicit key order so the same model always gives the same bytes.
  const header: Header = {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    users,
    items,
    factors: k,
    settings: {
      factors: s.factors,
      regularization: s.regularization,
      alpha: s.alpha,
      confidence: s.confidence,
      iterations: s.iterations,
      cgSteps: s.cgSteps,
      seed: s.seed,
      countScale: s.countScale,
    },
    trainedThrough: model.trainedThrough,
  };
  return pack(header, [model.userIds, model.itemIds, model.userFactors, model.itemFactors], maxChunk, false);
}

function serializeItemModel(model: ItemModel, maxChunk: number): SerializedModel {
  const n = model.itemIds.length;
  const nnz = model.indptr[n];
  if (model.indptr.length !== n + 1 || model.indices.length !== nnz || model.values.length !== nnz || model.popularity.length !== n)
    throw new ModelArtifactError('item model arrays do not match its item count');
  const header: ItemHeader = {
    format: ITEM_ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    family: model.family,
    items: n,
    nnz,
    settings: { ...model.settings },
    trainedThrough: model.trainedThrough,
  };
  return pack(header, [model.itemIds, model.popularity, model.indptr, model.indices, model.values], maxChunk, true);
}

/** Magic, header length, JSON header, then each array (from an 8-byte boundary when `aligned`; ALS artifacts keep their v1 layout). */
function pack(header: Header | ItemHeader, sections: ArrayBufferView[], maxChunk: number, aligned: boolean): SerializedModel {
  const pad = (n: number) => (aligned ? align8(n) : n);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = align8(MAGIC.length + 4 + json.length);
  const total = headerEnd + sections.reduce((n, a) => n + pad(a.byteLength), 0);
  const bytes = Buffer.alloc(total);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt32LE(json.length, MAGIC.length);
  json.copy(bytes, MAGIC.length + 4);
  let offset = headerEnd;
  for (const a of sections) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += pad(a.byteLength);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const chunks: Buffer[] = [];
  for (let start = 0; start < total; start += maxChunk) chunks.push(bytes.subarray(start, Math.min(total, start + maxChunk)));
  const meta: ArtifactMeta =
    'family' in header
      ? {
          format: header.format,
          family: header.family,
          users: 0,
          items: header.items,
          factors: 0,
          settings: header.settings,
          trainedThrough: header.trainedThrough,
          bytes: total,
          chunks: chunks.length,
        }
      : {
          format: header.format,
          family: 'als',
          users: header.users,
          items: header.items,
          factors: header.factors,
          settings: header.settings,
          trainedThrough: header.trainedThrough,
          bytes: total,
          chunks: chunks.length,
        };
  return { chunks, sha256, meta };
}

/** Rebuilds the model; throws ModelArtifactError when the checksum or the layout is wrong. */
export function deserializeModel(chunks: readonly Uint8Array[], sha256: string): TrainedModel {
  assertLittleEndian();
  const bytes = Buffer.concat(chunks);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256.toLowerCase()) {
    throw new ModelArtifactError(
      `model artifact checksum mismatch: expected sha256 ${sha256}, got ${actual} over ${bytes.length} bytes in ${chunks.length} chunks (a chunk is missing, out of order or corrupt)`,
    );
  }
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new ModelArtifactError('not a model artifact: bad magic bytes');
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + jsonLength > bytes.length) throw new ModelArtifactError('model artifact header is truncated');
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + jsonLength)) as Header;
  } catch (err) {
    throw new ModelArtifactError(`model artifact header is not valid JSON: ${(err as Error).message}`);
  }
  if (header.format === ITEM_ARTIFACT_FORMAT && header.version === ARTIFACT_VERSION)
    return readItemModel(bytes, header as unknown as ItemHeader, align8(MAGIC.length + 4 + jsonLength));
  if (header.format !== ARTIFACT_FORMAT || header.version !== ARTIFACT_VERSION) {
    throw new ModelArtifactError(
      `unsupported model artifact ${header.format} v${header.version} (this build reads ${ARTIFACT_FORMAT} v${ARTIFACT_VERSION})`,
    );
  }
  const settings = resolveSettings(header.settings);
  const { users, items, factors: k } = header;
  if (k !== settings.factors) throw new ModelArtifactError('model artifact header factors differ from its settings');
  let offset = align8(MAGIC.length + 4 + jsonLength);
  const expected = offset + users * 8 + items * 8 + users * k * 4 + items * k * 4;
  if (bytes.length !== expected) throw new ModelArtifactError(`model artifact has ${bytes.length} bytes, its header implies ${expected}`);
  const take = (n: number) => {
    // Copy into a fresh buffer: Buffer.concat may return memory at an unaligned offset.
    const out = new ArrayBuffer(n);
    new Uint8Array(out).set(bytes.subarray(offset, offset + n));
    offset += n;
    return out;
  };
  return {
    settings,
    userIds: new Float64Array(take(users * 8)),
    itemIds: new Float64Array(take(items * 8)),
    userFactors: new Float32Array(take(users * k * 4)),
    itemFactors: new Float32Array(take(items * k * 4)),
    trainedThrough: header.trainedThrough,
  };
}

function readItemModel(bytes: Buffer, header: ItemHeader, start: number): ItemModel {
  let settings: EaseSettings | Rp3betaSettings;
  try {
    if (header.family === 'ease') settings = resolveEaseSettings(header.settings as EaseSettings);
    else if (header.family === 'rp3beta') settings = resolveRp3betaSettings(header.settings as Rp3betaSettings);
    else throw new Error(`unknown model family ${String(header.family)}`);
  } catch (err) {
    throw new ModelArtifactError(`model artifact header: ${(err as Error).message}`);
  }
  const { items: n, nnz } = header;
  const sizes = [n * 8, n * 4, (n + 1) * 4, nnz * 4, nnz * 4];
  const expected = start + sizes.reduce((a, b) => a + align8(b), 0);
  if (bytes.length !== expected) throw new ModelArtifactError(`model artifact has ${bytes.length} bytes, its header implies ${expected}`);
  let offset = start;
  const take = (size: number) => {
    const out = new ArrayBuffer(size);
    new Uint8Array(out).set(bytes.subarray(offset, offset + size));
    offset += align8(size);
    return out;
  };
  const model: ItemModel = {
    family: header.family,
    settings,
    itemIds: new Float64Array(take(sizes[0])),
    popularity: new Int32Array(take(sizes[1])),
    indptr: new Int32Array(take(sizes[2])),
    indices: new Int32Array(take(sizes[3])),
    values: new Float32Array(take(sizes[4])),
    trainedThrough: header.trainedThrough,
  };
  if (model.indptr[n] !== nnz || model.indices.some((j) => j < 0 || j >= n) || model.popularity.some((j) => j < 0 || j >= n))
    throw new ModelArtifactError('model artifact similarity rows point outside the catalogue');
  return model;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new ModelArtifactError('model artifacts are little-endian; this host is big-endian');
}
