/**
 * Item-to-item recommenders: a user's score for track j is sum over the user's tracks i of
 * w(count_ui) * S[i, j]. Two families fill S:
 * - EASE (Steck 2019): S = the closed-form ridge regression of every item on the others,
 *   B = -P / diag(P) with P = (XᵀX + λI)⁻¹ and a zero diagonal; dense, so only for catalogues of at
 *   most EASE_MAX_ITEMS tracks (the inversion costs n³).
 * - RP3beta (Paudel et al. 2017): S = the three-step random-walk probability user -> item -> user
 *   -> item with transition probabilities raised to α, divided by the target's popularity^β, keeping
 *   each row's top `neighbours`; sparse, for any catalogue.
 * Both keep S as one sparse row per item, and both read counts relative to `countScale` (the
 * training data's median count), so multiplying every count by a constant changes nothing.
 */
import { allocFloat32, csrFromCoo, transposeCsr, type Csr } from './csr.js';
import type { InteractionMatrix } from './als.js';

export type ItemFamily = 'ease' | 'rp3beta';
/** How a count becomes a weight: 1, or log(1 + count / countScale). */
export type ItemWeighting = 'binary' | 'log';

export interface EaseSettings {
  /** λ relative to the mean of diag(XᵀX): the same setting means the same on any data size. */
  lambda: number;
  weighting: ItemWeighting;
  /** Counts are divided by this first (the median count of the training data). */
  countScale: number;
  /** Each row keeps its largest-|weight| neighbours (the whole row when >= items - 1). */
  neighbours: number;
}

export interface Rp3betaSettings {
  alpha: number;
  beta: number;
  neighbours: number;
  weighting: ItemWeighting;
  countScale: number;
}

export type ItemSettings = { family: 'ease'; settings: EaseSettings } | { family: 'rp3beta'; settings: Rp3betaSettings };

export interface ItemModel {
  family: ItemFamily;
  settings: EaseSettings | Rp3betaSettings;
  /** External track id of each row, ascending. */
  itemIds: Float64Array;
  /** S as CSR: row i's neighbours j (ascending) and weights. */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  /** Rows by decreasing training popularity (distinct users), ties by id: fills a short list and breaks score ties. */
  popularity: Int32Array;
  trainedThrough: number | null;
}

/** Above this many items the search does not try EASE (EASE_MAX_ITEMS): the inversion takes n³. */
export const EASE_MAX_ITEMS = 3000;
/** EASE refuses more items than this whatever the settings: 20,000² doubles are 3.2 GB. */
export const EASE_HARD_LIMIT = 20_000;

export function isItemModel(m: unknown): m is ItemModel {
  return typeof m === 'object' && m !== null && ((m as ItemModel).family === 'ease' || (m as ItemModel).family === 'rp3beta');
}

export function itemWeight(count: number, weighting: ItemWeighting, countScale: number): number {
  return weighting === 'binary' ? 1 : Math.log1p(count / countScale);
}

export function resolveEaseSettings(s: Partial<EaseSettings>): EaseSettings {
  const out: EaseSettings = {
    lambda: s.lambda ?? 10,
    weighting: s.weighting ?? 'binary',
    countScale: s.countScale ?? 1,
    neighbours: s.neighbours ?? EASE_MAX_ITEMS,
  };
  if (!(Number.isFinite(out.lambda) && out.lambda > 0)) throw new Error(`EASE setting lambda must be > 0, got ${out.lambda}`);
  checkCommon('EASE', out);
  return out;
}

export function resolveRp3betaSettings(s: Partial<Rp3betaSettings>): Rp3betaSettings {
  const out: Rp3betaSettings = {
    alpha: s.alpha ?? 1,
    beta: s.beta ?? 0.5,
    neighbours: s.neighbours ?? 200,
    weighting: s.weighting ?? 'binary',
    countScale: s.countScale ?? 1,
  };
  if (!(Number.isFinite(out.alpha) && out.alpha > 0 && out.alpha <= 4))
    throw new Error(`RP3beta setting alpha must be in (0, 4], got ${out.alpha}`);
  if (!(Number.isFinite(out.beta) && out.beta >= 0 && out.beta <= 2))
    throw new Error(`RP3beta setting beta must be in [0, 2], got ${out.beta}`);
  checkCommon('RP3beta', out);
  return out;
}

function checkCommon(name: string, s: { weighting: string; countScale: number; neighbours: number }): void {
  if (s.weighting !== 'binary' && s.weighting !== 'log')
    throw new Error(`${name} setting weighting must be 'binary' or 'log', got ${String(s.weighting)}`);
  if (!(Number.isFinite(s.countScale) && s.countScale > 0)) throw new Error(`${name} setting countScale must be > 0, got ${s.countScale}`);
  if (!(Number.isInteger(s.neighbours) && s.neighbours >= 1 && s.neighbours <= 1_000_000))
    throw new Error(`${name} setting neighbours must be an integer in [1, 1000000], got ${s.neighbours}`);
}

/** The users x items weights of the training data. */
function weighted(m: InteractionMatrix, weighting: ItemWeighting, countScale: number): Csr {
  const c = m.counts;
  const data = allocFloat32(c.data.length, false);
  for (let j = 0; j < data.length; j++) data[j] = itemWeight(c.data[j], weighting, countScale);
  return { ...c, data };
}

/** Rows by decreasing number of distinct users, ties by ascending id. */
function popularityOrder(m: InteractionMatrix): Int32Array {
  const users = new Float64Array(m.itemIds.length);
  const c = m.counts;
  for (let j = 0; j < c.indptr[c.rows]; j++) users[c.indices[j]]++;
  return Int32Array.from(m.itemIds.keys()).sort((a, b) => users[b] - users[a] || m.itemIds[a] - m.itemIds[b]);
}

/** XᵀX of a weighted users x items matrix, dense n x n (row-major, both triangles). */
export function gramDense(x: Csr): Float64Array {
  const n = x.cols;
  const g = new Float64Array(n * n);
  for (let u = 0; u < x.rows; u++) {
    const s = x.indptr[u];
    const e = x.indptr[u + 1];
    for (let a = s; a < e; a++) {
      const i = x.indices[a];
      const wi = x.data[a];
      const row = i * n;
      for (let b = s; b < e; b++) g[row + x.indices[b]] += wi * x.data[b];
    }
  }
  return g;
}

/**
 * In-place inverse of a symmetric positive definite matrix by Cholesky (A = L Lᵀ, then
 * A⁻¹ = L⁻ᵀ L⁻¹). Throws when A is not positive definite.
 */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  // Cholesky, lower triangle in place (row-major).
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let p = 0; p < j; p++) d -= a[rj + p] * a[rj + p];
    if (!(d > 0)) throw new Error(`matrix is not positive definite (pivot ${j} = ${d})`);
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let p = 0; p < j; p++) s -= a[ri + p] * a[rj + p];
      a[ri + j] = s / ljj;
    }
  }
  // L⁻¹ (lower) into m, row by row: m[i][j] = -(sum_{p=j..i-1} L[i][p] m[p][j]) / L[i][i].
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    m[ri + i] = 1 / a[ri + i];
    for (let p = 0; p < i; p++) {
      const lip = a[ri + p];
      if (lip === 0) continue;
      const rp = p * n;
      for (let j = 0; j <= p; j++) m[ri + j] -= lip * m[rp + j];
    }
    const inv = 1 / a[ri + i];
    for (let j = 0; j < i; j++) m[ri + j] *= inv;
  }
  // A⁻¹ = Mᵀ M: out[i][j] = sum_{p >= max(i,j)} m[p][i] m[p][j]; accumulated row by row of M.
  a.fill(0);
  for (let p = 0; p < n; p++) {
    const rp = p * n;
    for (let i = 0; i <= p; i++) {
      const mpi = m[rp + i];
      if (mpi === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) a[ri + j] += mpi * m[rp + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

/** EASE on an interaction matrix (the dense Gram matrix can be handed in to try several λ). */
export function trainEase(m: InteractionMatrix, partial: Partial<EaseSettings>, gram?: Float64Array): ItemModel {
  const s = resolveEaseSettings(partial);
  const n = m.itemIds.length;
  if (n > EASE_HARD_LIMIT) throw new Error(`EASE is limited to ${EASE_HARD_LIMIT} items, this catalogue has ${n}`);
  const p = (gram ?? gramDense(weighted(m, s.weighting, s.countScale))).slice();
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += p[i * n + i];
  meanDiag = n > 0 ? meanDiag / n : 0;
  const add = s.lambda * (meanDiag > 0 ? meanDiag : 1);
  for (let i = 0; i < n; i++) p[i * n + i] += add;
  invertSpd(p, n);
  // B[i][j] = -P[i][j] / P[j][j], zero diagonal; each row keeps its largest-|B| entries.
  const keep = Math.min(s.neighbours, Math.max(0, n - 1));
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const row = new Float64Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) row[j] = j === i ? 0 : -p[i * n + j] / p[j * n + j];
    let chosen: ArrayLike<number>;
    if (keep >= n - 1) {
      chosen = Int32Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    } else {
      for (let j = 0; j < n; j++) order[j] = j;
      chosen = order
        .slice()
        .sort((a, b) => Math.abs(row[b]) - Math.abs(row[a]) || a - b)
        .filter((j) => j !== i)
        .subarray(0, keep);
    }
    for (let t = 0; t < chosen.length; t++) {
      const j = chosen[t];
      if (row[j] === 0) continue;
      rows.push(i);
      cols.push(j);
      vals.push(row[j]);
    }
  }
  return finish(m, 'ease', s, csrFromCoo(n, n, rows, cols, vals));
}

/** The dense Gram matrix EASE starts from, to share between several λ. */
export function easeGram(m: InteractionMatrix, weighting: ItemWeighting, countScale: number): Float64Array {
  return gramDense(weighted(m, weighting, countScale));
}

/** RP3beta on an interaction matrix. */
export function trainRp3beta(m: InteractionMatrix, partial: Partial<Rp3betaSettings>): ItemModel {
  const s = resolveRp3betaSettings(partial);
  const x = weighted(m, s.weighting, s.countScale);
  const n = x.cols;
  // P(u -> i) and P(i -> u), each row normalised to 1, then raised to α.
  const pui = rowNormalisedPower(x, s.alpha);
  const piu = rowNormalisedPower(transposeCsr(x), s.alpha);
  const degree = new Float64Array(n);
  for (let j = 0; j < x.indptr[x.rows]; j++) degree[x.indices[j]]++;
  const penalty = Float64Array.from(degree, (d) => (d > 0 ? Math.pow(d, -s.beta) : 0));
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const mark = new Uint8Array(n);
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let a = piu.indptr[i]; a < piu.indptr[i + 1]; a++) {
      const u = piu.indices[a];
      const w = piu.data[a];
      for (let b = pui.indptr[u]; b < pui.indptr[u + 1]; b++) {
        const j = pui.indices[b];
        if (j === i) continue;
        if (!mark[j]) {
          mark[j] = 1;
          touched[count++] = j;
        }
        acc[j] += w * pui.data[b];
      }
    }
    for (let t = 0; t < count; t++) acc[touched[t]] *= penalty[touched[t]];
    const chosen =
      count <= s.neighbours
        ? touched.subarray(0, count)
        : touched
            .subarray(0, count)
            .slice()
            .sort((a, b) => acc[b] - acc[a] || a - b)
            .subarray(0, s.neighbours);
    // Rows normalised to sum 1, as in the paper's reference implementation.
    let sum = 0;
    for (let t = 0; t < chosen.length; t++) sum += acc[chosen[t]];
    for (let t = 0; t < chosen.length; t++) {
      const j = chosen[t];
      if (acc[j] > 0 && sum > 0) {
        rows.push(i);
        cols.push(j);
        vals.push(acc[j] / sum);
      }
    }
    for (let t = 0; t < count; t++) {
      acc[touched[t]] = 0;
      mark[touched[t]] = 0;
    }
  }
  return finish(m, 'rp3beta', s, csrFromCoo(n, n, rows, cols, vals));
}

function rowNormalisedPower(x: Csr, power: number): Csr {
  const data = new Float32Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    let sum = 0;
    for (let j = x.indptr[r]; j < x.indptr[r + 1]; j++) sum += x.data[j];
    for (let j = x.indptr[r]; j < x.indptr[r + 1]; j++) data[j] = sum > 0 ? Math.pow(x.data[j] / sum, power) : 0;
  }
  return { ...x, data };
}

function finish(m: InteractionMatrix, family: ItemFamily, settings: EaseSettings | Rp3betaSettings, s: Csr): ItemModel {
  return {
    family,
    settings: { ...settings },
    itemIds: m.itemIds.slice(),
    indptr: s.indptr,
    indices: s.indices,
    values: s.data,
    popularity: popularityOrder(m),
    trainedThrough: m.trainedThrough,
  };
}
