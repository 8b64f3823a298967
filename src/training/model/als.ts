/**
 * Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren and Volinsky 2008),
 * each row solved by a few conjugate-gradient steps warm-started from its previous value (Takács et
 * al. 2011), as in the `implicit` library: A = YtY + reg*I + sum_i (c_i - 1) y_i y_i^T is never
 * formed; YtY is computed once per half-sweep and each row adds its sparse correction.
 *
 * Determinism: every row's solve reads only the fixed side and YtY, which is summed from a fixed
 * number of row blocks in a fixed order, so the factors are bit-identical whatever the thread count.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { allocFloat32, allocFloat64, allocInt32, csrFromCoo, transposeCsr, type Csr } from './csr.js';
import { deriveSeed, Rng, splitmix32 } from '../../common/random.js';
import { compiledWorkerUrl } from '../worker-script.js';

export type ConfidenceForm = 'linear' | 'log';

/** Settings that define a model: the same settings and data give the same factors. */
export interface AlsSettings {
  factors: number;
  regularization: number;
  /** Confidence c = 1 + alpha * count ('linear') or 1 + alpha * log(1 + count) ('log'). */
  alpha: number;
  confidence: ConfidenceForm;
  iterations: number;
  cgSteps: number;
  seed: number;
  /**
   * Counts are divided by this before the confidence is taken (the training data's median count),
   * so that alpha means the same on play counts, ratings or single listens.
   */
  countScale: number;
}

export const DEFAULT_ALS_SETTINGS: Readonly<AlsSettings> = Object.freeze({
  factors: 64,
  regularization: 0.1,
  alpha: 10,
  confidence: 'linear',
  iterations: 15,
  cgSteps: 3,
  seed: 42,
  countScale: 1,
});

/** One listen record (or an aggregate of several); user ids and track ids are separate namespaces. */
export interface Listen {
  userId: number;
  trackId: number;
  count: number;
  listenedAt?: Date;
}

export interface AlsModel {
  settings: AlsSettings;
  /** External user id of each factor row, ascending. */
  userIds: Float64Array;
  /** External track id of each factor row, ascending. */
  itemIds: Float64Array;
  /** users x factors, row-major. */
  userFactors: Float32Array;
  /** items x factors, row-major. */
  itemFactors: Float32Array;
  /** Newest listenedAt of the training data (ms since epoch), or null when no listen had a time. */
  trainedThrough: number | null;
}

/** Listens aggregated into a users x items matrix of summed counts, ids sorted ascending. */
export interface InteractionMatrix {
  userIds: Float64Array;
  itemIds: Float64Array;
  counts: Csr;
  trainedThrough: number | null;
}

export interface TrainOptions {
  /** Worker threads; 1 computes in the calling thread. Does not change the result. */
  threads?: number;
  /** Called after each iteration with its index (0-based) and wall seconds. */
  onIteration?: (iteration: number, seconds: number) => void;
}

/** Validates and completes settings; throws naming the bad setting. */
export function resolveSettings(partial: Partial<AlsSettings> = {}): AlsSettings {
  const s: AlsSettings = { ...DEFAULT_ALS_SETTINGS, ...stripUndefined(partial) };
  const checkInt = (name: keyof AlsSettings, min: number, max: number) => {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`ALS setting ${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  checkInt('factors', 1, 1024);
  checkInt('iterations', 0, 10_000);
  checkInt('cgSteps', 1, 1024);
  checkInt('seed', 0, 0xffffffff);
  if (!(Number.isFinite(s.regularization) && s.regularization >= 0))
    throw new Error(`ALS setting regularization must be >= 0, got ${s.regularization}`);
  if (!(Number.isFinite(s.alpha) && s.alpha >= 0)) throw new Error(`ALS setting alpha must be >= 0, got ${s.alpha}`);
  if (s.confidence !== 'linear' && s.confidence !== 'log')
    throw new Error(`ALS setting confidence must be 'linear' or 'log', got ${String(s.confidence)}`);
  if (!(Number.isFinite(s.countScale) && s.countScale > 0)) throw new Error(`ALS setting countScale must be > 0, got ${s.countScale}`);
  return {
    factors: s.factors,
    regularization: s.regularization,
    alpha: s.alpha,
    confidence: s.confidence,
    iterations: s.iterations,
    cgSteps: s.cgSteps,
    seed: s.seed,
    countScale: s.countScale,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function confidence(count: number, settings: Pick<AlsSettings, 'alpha' | 'confidence'> & { countScale?: number }): number {
  const c = count / (settings.countScale ?? 1);
  return settings.confidence === 'log' ? 1 + settings.alpha * Math.log1p(c) : 1 + settings.alpha * c;
}

/** Aggregates listens per (user, track); ids are sorted so the input order does not matter. */
export function buildInteractions(listens: readonly Listen[]): InteractionMatrix {
  const userSet = new Set<number>();
  const itemSet = new Set<number>();
  let newest = -Infinity;
  for (let e = 0; e < listens.length; e++) {
    const l = listens[e];
    if (!Number.isSafeInteger(l.userId)) throw new Error(`listen ${e}: userId must be an integer, got ${l.userId}`);
    if (!Number.isSafeInteger(l.trackId)) throw new Error(`listen ${e}: trackId must be an integer, got ${l.trackId}`);
    if (!(Number.isFinite(l.count) && l.count > 0)) throw new Error(`listen ${e}: count must be > 0, got ${l.count}`);
    userSet.add(l.userId);
    itemSet.add(l.trackId);
    if (l.listenedAt) {
      const t = l.listenedAt.getTime();
      if (t > newest) newest = t;
    }
  }
  const userIds = Float64Array.from(userSet).sort();
  const itemIds = Float64Array.from(itemSet).sort();
  const userIndex = indexMap(userIds);
  const itemIndex = indexMap(itemIds);
  const rows = new Int32Array(listens.length);
  const cols = new Int32Array(listens.length);
  const values = new Float64Array(listens.length);
  for (let e = 0; e < listens.length; e++) {
    const l = listens[e];
    rows[e] = userIndex.get(l.userId)!;
    cols[e] = itemIndex.get(l.trackId)!;
    values[e] = l.count;
  }
  const counts = csrFromCoo(userIds.length, itemIds.length, rows, cols, values);
  return { userIds, itemIds, counts, trainedThrough: newest === -Infinity ? null : newest };
}

function indexMap(ids: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) m.set(ids[i], i);
  return m;
}

/** Trains on in-memory listens. */
export async function trainAls(
  listens: readonly Listen[],
  settings: Partial<AlsSettings> = {},
  options: TrainOptions = {},
): Promise<AlsModel> {
  return trainAlsMatrix(buildInteractions(listens), settings, options);
}

export async function trainAlsMatrix(
  m: InteractionMatrix,
  settings: Partial<AlsSettings> = {},
  options: TrainOptions = {},
): Promise<AlsModel> {
  const s = resolveSettings(settings);
  const trainer = await AlsTrainer.create(m.counts, s, { threads: options.threads, userIds: m.userIds, itemIds: m.itemIds });
  try {
    for (let it = 0; it < s.iterations; it++) {
      const seconds = await trainer.iterate();
      options.onIteration?.(it, seconds);
    }
    return {
      settings: s,
      userIds: m.userIds.slice(),
      itemIds: m.itemIds.slice(),
      userFactors: trainer.userFactors.slice(),
      itemFactors: trainer.itemFactors.slice(),
      trainedThrough: m.trainedThrough,
    };
  } finally {
    await trainer.close();
  }
}

/** Default thread count: all cores for large problems, the calling thread for small ones. */
export function defaultThreads(interactions: number): number {
  return interactions < 200_000 ? 1 : availableParallelism();
}

/** YtY is summed from this many fixed row blocks, whatever the thread count, for bit-identical results. */
export const GRAM_BLOCKS = 16;
/** Rows a thread claims at a time; small enough to balance rows of very different lengths. */
const SOLVE_CHUNK = 64;
const CONTROL_SOLVE = 0;
const CONTROL_GRAM = 1;

/** Buffers shared with the workers; the same layout serves the in-thread path. */
export interface AlsBuffers {
  factors: number;
  cgSteps: number;
  /** Users x items confidences and its transpose. */
  userItems: Csr;
  itemUsers: Csr;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** k x k, the fixed side's Gram matrix plus regularisation on the diagonal. */
  yty: Float64Array;
  /** GRAM_BLOCKS partial Gram matrices. */
  gramParts: Float64Array;
  /** Work counters claimed with Atomics.add. */
  control: Int32Array;
}

/** Runs ALS iterations on a counts matrix; owns the worker pool when threads > 1. */
export class AlsTrainer {
  private constructor(
    readonly settings: AlsSettings,
    readonly threads: number,
    private readonly buffers: AlsBuffers,
    private readonly pool: AlsWorkerPool | null,
  ) {}

  /**
   * `userIds`/`itemIds` seed each row's starting values by its id (the row index when absent), so
   * adding or removing one user does not change where every other row starts.
   */
  static async create(
    counts: Csr,
    settings: AlsSettings,
    options: {
      threads?: number;
      userIds?: ArrayLike<number>;
      itemIds?: ArrayLike<number>;
      initial?: { userFactors: Float32Array; itemFactors: Float32Array };
    } = {},
  ): Promise<AlsTrainer> {
    const s = resolveSettings(settings);
    const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads(counts.indptr[counts.rows])));
    const shared = threads > 1;
    const k = s.factors;
    const conf = allocFloat32(counts.data.length, shared);
    for (let j = 0; j < conf.length; j++) conf[j] = confidence(counts.data[j], s);
    const userItems: Csr = {
      rows: counts.rows,
      cols: counts.cols,
      indptr: copyInt32(counts.indptr, shared),
      indices: copyInt32(counts.indices, shared),
      data: conf,
    };
    const itemUsers = transposeCsr(userItems, shared);
    const buffers: AlsBuffers = {
      factors: k,
      cgSteps: s.cgSteps,
      userItems,
      itemUsers,
      userFactors: initFactors(counts.rows, k, deriveSeed(s.seed, 'users'), options.userIds, shared),
      itemFactors: initFactors(counts.cols, k, deriveSeed(s.seed, 'items'), options.itemIds, shared),
      yty: allocFloat64(k * k, shared),
      gramParts: allocFloat64(GRAM_BLOCKS * k * k, shared),
      control: allocInt32(2, shared),
    };
    if (options.initial) {
      // Resuming: a search continues a configuration's iterations where an earlier rung stopped.
      if (
        options.initial.userFactors.length !== buffers.userFactors.length ||
        options.initial.itemFactors.length !== buffers.itemFactors.length
      )
        throw new Error('AlsTrainer: initial factors do not match the matrix and factor count');
      buffers.userFactors.set(options.initial.userFactors);
      buffers.itemFactors.set(options.initial.itemFactors);
    }
    const pool = shared ? await AlsWorkerPool.start(threads, buffers) : null;
    return new AlsTrainer(s, threads, buffers, pool);
  }

  get userFactors(): Float32Array {
    return this.buffers.userFactors;
  }

  get itemFactors(): Float32Array {
    return this.buffers.itemFactors;
  }

  /** One full iteration (users then items); returns its wall seconds. */
  async iterate(): Promise<number> {
    const t0 = performance.now();
    await this.halfSweep(0);
    await this.halfSweep(1);
    return (performance.now() - t0) / 1000;
  }

  /** side 0 solves users against fixed items, side 1 items against fixed users. */
  private async halfSweep(side: 0 | 1): Promise<void> {
    const b = this.buffers;
    const fixed = side === 0 ? b.itemFactors : b.userFactors;
    const fixedRows = side === 0 ? b.userItems.cols : b.userItems.rows;
    if (this.pool) {
      Atomics.store(b.control, CONTROL_GRAM, 0);
      await this.pool.run('gram', side);
    } else {
      for (let blk = 0; blk < GRAM_BLOCKS; blk++) gramBlock(fixed, fixedRows, b.factors, blk, b.gramParts);
    }
    sumGram(b.gramParts, b.factors, this.settings.regularization, b.yty);
    if (this.pool) {
      Atomics.store(b.control, CONTROL_SOLVE, 0);
      await this.pool.run('solve', side);
    } else {
      const m = side === 0 ? b.userItems : b.itemUsers;
      const x = side === 0 ? b.userFactors : b.itemFactors;
      const scratch = new CgScratch(b.factors);
      solveRowsCg(
        m.indptr,
        m.indices,
        m.data,
        x,
        fixed,
        b.yty,
        b.factors,
        b.cgSteps,
        0,
        m.rows,
        scratch.x,
        scratch.r,
        scratch.p,
        scratch.ap,
      );
    }
  }

  /**
   * Weighted squared error plus regularisation, divided by the total confidence as in `implicit`,
   * computed without visiting the zero entries: sum over users of x^T (YtY) x plus each non-zero's correction.
   */
  loss(): number {
    const b = this.buffers;
    const k = b.factors;
    const X = b.userFactors;
    const Y = b.itemFactors;
    const g = new Float64Array(k * k);
    for (let blk = 0; blk < GRAM_BLOCKS; blk++) gramBlock(Y, b.userItems.cols, k, blk, b.gramParts);
    sumGram(b.gramParts, k, 0, g);
    let loss = 0;
    let totalConfidence = 0;
    const m = b.userItems;
    for (let u = 0; u < m.rows; u++) {
      const xo = u * k;
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += g[a * k + c] * X[xo + c];
        loss += X[xo + a] * s;
      }
      for (let j = m.indptr[u]; j < m.indptr[u + 1]; j++) {
        const c = m.data[j];
        const yo = m.indices[j] * k;
        let s = 0;
        for (let f = 0; f < k; f++) s += X[xo + f] * Y[yo + f];
        loss += c - 2 * c * s + (c - 1) * s * s;
        totalConfidence += c;
      }
    }
    let norms = 0;
    for (let i = 0; i < X.length; i++) norms += X[i] * X[i];
    for (let i = 0; i < Y.length; i++) norms += Y[i] * Y[i];
    loss += this.settings.regularization * norms;
    const zeros = m.rows * m.cols - m.indptr[m.rows];
    return loss / (totalConfidence + zeros);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

function copyInt32(a: Int32Array, shared: boolean): Int32Array {
  const out = allocInt32(a.length, shared);
  out.set(a);
  return out;
}

/** Small uniform values in [0, 0.01), as `implicit` starts; each row from its own id-derived stream. */
function initFactors(rows: number, k: number, seed: number, ids: ArrayLike<number> | undefined, shared: boolean): Float32Array {
  if (ids && ids.length !== rows) throw new Error(`AlsTrainer: ${ids.length} ids for ${rows} rows`);
  const out = allocFloat32(rows * k, shared);
  for (let i = 0; i < rows; i++) {
    const id = ids ? ids[i] : i;
    const rng = new Rng(splitmix32(splitmix32(seed ^ (id >>> 0)) ^ Math.floor(id / 0x100000000)));
    for (let f = 0; f < k; f++) out[i * k + f] = rng.next() * 0.01;
  }
  return out;
}

/** Partial Gram matrix (upper triangle) of the rows of block `blk`, written to its own slot. */
export function gramBlock(Y: Float32Array, rows: number, k: number, blk: number, parts: Float64Array): void {
  const start = Math.floor((blk * rows) / GRAM_BLOCKS);
  const end = Math.floor(((blk + 1) * rows) / GRAM_BLOCKS);
  const off = blk * k * k;
  parts.fill(0, off, off + k * k);
  for (let i = start; i < end; i++) {
    const yo = i * k;
    for (let a = 0; a < k; a++) {
      const ya = Y[yo + a];
      const go = off + a * k;
      for (let c = a; c < k; c++) parts[go + c] += ya * Y[yo + c];
    }
  }
}

/** Sums the block Gram matrices in block order, mirrors the upper triangle and adds reg * I. */
export function sumGram(parts: Float64Array, k: number, reg: number, out: Float64Array): void {
  out.fill(0);
  for (let blk = 0; blk < GRAM_BLOCKS; blk++) {
    const off = blk * k * k;
    for (let a = 0; a < k; a++) for (let c = a; c < k; c++) out[a * k + c] += parts[off + a * k + c];
  }
  for (let a = 0; a < k; a++) {
    out[a * k + a] += reg;
    for (let c = a + 1; c < k; c++) out[c * k + a] = out[a * k + c];
  }
}

/** Per-thread CG vectors, allocated once so the row loop allocates nothing. */
export class CgScratch {
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  constructor(k: number) {
    this.x = new Float64Array(k);
    this.r = new Float64Array(k);
    this.p = new Float64Array(k);
    this.ap = new Float64Array(k);
  }
}

/**
 * Conjugate-gradient solve of rows [start, end) of X against fixed Y: for row u,
 * (YtY + reg I + sum_i (c_ui - 1) y_i y_i^T) x_u = sum_i c_ui y_i, warm-started from the current x_u.
 * Dot products use four accumulators (unrolled by 4) to break the add latency chain: ~20% faster in V8.
 */
export function solveRowsCg(
  indptr: Int32Array,
  indices: Int32Array,
  conf: Float32Array,
  X: Float32Array,
  Y: Float32Array,
  yty: Float64Array,
  k: number,
  cgSteps: number,
  start: number,
  end: number,
  x: Float64Array,
  r: Float64Array,
  p: Float64Array,
  ap: Float64Array,
): void {
  const k4 = k & ~3;
  for (let u = start; u < end; u++) {
    const xo = u * k;
    const jStart = indptr[u];
    const jEnd = indptr[u + 1];
    for (let f = 0; f < k; f++) x[f] = X[xo + f];
    // r = b - A x = -YtY x + sum_i (c - (c - 1) y_i.x) y_i
    for (let a = 0; a < k; a++) {
      const ao = a * k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let f = 0;
      for (; f < k4; f += 4) {
        s0 += yty[ao + f] * x[f];
        s1 += yty[ao + f + 1] * x[f + 1];
        s2 += yty[ao + f + 2] * x[f + 2];
        s3 += yty[ao + f + 3] * x[f + 3];
      }
      for (; f < k; f++) s0 += yty[ao + f] * x[f];
      r[a] = -(s0 + s1 + (s2 + s3));
    }
    for (let j = jStart; j < jEnd; j++) {
      const c = conf[j];
      const yo = indices[j] * k;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let f = 0;
      for (; f < k4; f += 4) {
        s0 += Y[yo + f] * x[f];
        s1 += Y[yo + f + 1] * x[f + 1];
        s2 += Y[yo + f + 2] * x[f + 2];
        s3 += Y[yo + f + 3] * x[f + 3];
      }
      for (; f < k; f++) s0 += Y[yo + f] * x[f];
      const w = c - (c - 1) * (s0 + s1 + (s2 + s3));
      for (f = 0; f < k4; f += 4) {
        r[f] += w * Y[yo + f];
        r[f + 1] += w * Y[yo + f + 1];
        r[f + 2] += w * Y[yo + f + 2];
        r[f + 3] += w * Y[yo + f + 3];
      }
      for (; f < k; f++) r[f] += w * Y[yo + f];
    }
    let rsOld = 0;
    for (let f = 0; f < k; f++) {
      p[f] = r[f];
      rsOld += r[f] * r[f];
    }
    if (rsOld < 1e-20) continue;
    for (let step = 0; step < cgSteps; step++) {
      // ap = A p without forming A
      for (let a = 0; a < k; a++) {
        const ao = a * k;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let f = 0;
        for (; f < k4; f += 4) {
          s0 += yty[ao + f] * p[f];
          s1 += yty[ao + f + 1] * p[f + 1];
          s2 += yty[ao + f + 2] * p[f + 2];
          s3 += yty[ao + f + 3] * p[f + 3];
        }
        for (; f < k; f++) s0 += yty[ao + f] * p[f];
        ap[a] = s0 + s1 + (s2 + s3);
      }
      for (let j = jStart; j < jEnd; j++) {
        const yo = indices[j] * k;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let f = 0;
        for (; f < k4; f += 4) {
          s0 += Y[yo + f] * p[f];
          s1 += Y[yo + f + 1] * p[f + 1];
          s2 += Y[yo + f + 2] * p[f + 2];
          s3 += Y[yo + f + 3] * p[f + 3];
        }
        for (; f < k; f++) s0 += Y[yo + f] * p[f];
        const d = (s0 + s1 + (s2 + s3)) * (conf[j] - 1);
        for (f = 0; f < k4; f += 4) {
          ap[f] += d * Y[yo + f];
          ap[f + 1] += d * Y[yo + f + 1];
          ap[f + 2] += d * Y[yo + f + 2];
          ap[f + 3] += d * Y[yo + f + 3];
        }
        for (; f < k; f++) ap[f] += d * Y[yo + f];
      }
      let pAp = 0;
      for (let f = 0; f < k; f++) pAp += p[f] * ap[f];
      if (!(pAp > 0)) break;
      const alpha = rsOld / pAp;
      let rsNew = 0;
      for (let f = 0; f < k; f++) {
        x[f] += alpha * p[f];
        const rf = r[f] - alpha * ap[f];
        r[f] = rf;
        rsNew += rf * rf;
      }
      if (rsNew < 1e-20) break;
      const beta = rsNew / rsOld;
      for (let f = 0; f < k; f++) p[f] = r[f] + beta * p[f];
      rsOld = rsNew;
    }
    for (let f = 0; f < k; f++) X[xo + f] = x[f];
  }
}

/** A worker's share of one phase: claims gram blocks or row chunks until none are left. */
export function runPhase(b: AlsBuffers, op: 'gram' | 'solve', side: 0 | 1, scratch: CgScratch): void {
  const k = b.factors;
  if (op === 'gram') {
    const fixed = side === 0 ? b.itemFactors : b.userFactors;
    const rows = side === 0 ? b.userItems.cols : b.userItems.rows;
    for (let blk = Atomics.add(b.control, CONTROL_GRAM, 1); blk < GRAM_BLOCKS; blk = Atomics.add(b.control, CONTROL_GRAM, 1)) {
      gramBlock(fixed, rows, k, blk, b.gramParts);
    }
    return;
  }
  const m = side === 0 ? b.userItems : b.itemUsers;
  const X = side === 0 ? b.userFactors : b.itemFactors;
  const Y = side === 0 ? b.itemFactors : b.userFactors;
  for (
    let start = Atomics.add(b.control, CONTROL_SOLVE, SOLVE_CHUNK);
    start < m.rows;
    start = Atomics.add(b.control, CONTROL_SOLVE, SOLVE_CHUNK)
  ) {
    const end = Math.min(m.rows, start + SOLVE_CHUNK);
    solveRowsCg(m.indptr, m.indices, m.data, X, Y, b.yty, k, b.cgSteps, start, end, scratch.x, scratch.r, scratch.p, scratch.ap);
  }
}

export interface WorkerRequest {
  op: 'gram' | 'solve';
  side: 0 | 1;
}

export type WorkerReply = { ok: true } | { ok: false; error: string };

/** The compiled ALS worker script (see compiledWorkerUrl). */
export function resolveWorkerUrl(): URL {
  return compiledWorkerUrl(import.meta.url, 'als-worker.js', 'training/model', 'run `npm run build`, or train with threads: 1');
}

class AlsWorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(threads: number, buffers: AlsBuffers): Promise<AlsWorkerPool> {
    const url = resolveWorkerUrl();
    const workers: Worker[] = [];
    for (let t = 0; t < threads; t++) workers.push(new Worker(url, { workerData: buffers }));
    const pool = new AlsWorkerPool(workers);
    try {
      await Promise.all(workers.map((w) => once(w)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  async run(op: 'gram' | 'solve', side: 0 | 1): Promise<void> {
    const request: WorkerRequest = { op, side };
    await Promise.all(
      this.workers.map((w) => {
        const reply = once(w);
        w.postMessage(request);
        return reply;
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker's next reply, or its failure. */
function once(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (msg: WorkerReply) => {
      cleanup();
      if (msg.ok) resolve();
      else reject(new Error(`ALS worker failed: ${msg.error}`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`ALS worker exited with code ${code}`));
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}

/** Row of a user id in the model, or -1 (binary search: ids are sorted). */
export function userIndex(model: Pick<AlsModel, 'userIds'>, userId: number): number {
  return sortedIndex(model.userIds, userId);
}

/** Row of a track id in the model, or -1. */
export function itemIndex(model: Pick<AlsModel, 'itemIds'>, trackId: number): number {
  return sortedIndex(model.itemIds, trackId);
}

function sortedIndex(ids: Float64Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
