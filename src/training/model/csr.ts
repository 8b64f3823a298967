/**
 * Compressed sparse row matrices on typed arrays. Column indices are sorted within each row, so
 * every traversal (and therefore every floating-point sum) happens in one fixed order.
 */
export interface Csr {
  rows: number;
  cols: number;
  /** rows + 1 offsets into indices/data. */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** Typed arrays on a SharedArrayBuffer when worker threads must see them, else on ordinary memory. */
export function allocFloat32(length: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
}

export function allocFloat64(length: number, shared: boolean): Float64Array {
  return shared ? new Float64Array(new SharedArrayBuffer(length * 8)) : new Float64Array(length);
}

export function allocInt32(length: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
}

/**
 * Builds a CSR matrix from coordinate triplets; duplicate (row, col) entries add up.
 * Two stable counting sorts (by column, then by row) leave each row's columns in ascending order.
 */
export function csrFromCoo(
  rows: number,
  cols: number,
  rowIdx: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  values: ArrayLike<number>,
  shared = false,
): Csr {
  const n = rowIdx.length;
  if (colIdx.length !== n || values.length !== n) throw new Error('csrFromCoo: rowIdx, colIdx and values differ in length');
  const colStart = new Int32Array(cols + 1);
  for (let e = 0; e < n; e++) {
    const c = colIdx[e];
    const r = rowIdx[e];
    if (!(c >= 0 && c < cols && Number.isInteger(c))) throw new Error(`csrFromCoo: column ${c} outside [0, ${cols})`);
    if (!(r >= 0 && r < rows && Number.isInteger(r))) throw new Error(`csrFromCoo: row ${r} outside [0, ${rows})`);
    colStart[c + 1]++;
  }
  for (let c = 0; c < cols; c++) colStart[c + 1] += colStart[c];
  const byCol = new Int32Array(n);
  const fill = colStart.slice(0, cols);
  for (let e = 0; e < n; e++) byCol[fill[colIdx[e]]++] = e;

  const rowStart = new Int32Array(rows + 1);
  for (let e = 0; e < n; e++) rowStart[rowIdx[e] + 1]++;
  for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
  const sorted = new Int32Array(n);
  const rowFill = rowStart.slice(0, rows);
  for (let j = 0; j < n; j++) {
    const e = byCol[j];
    sorted[rowFill[rowIdx[e]]++] = e;
  }

  // Merge duplicates: within a row, equal columns are now adjacent.
  const indptr = allocInt32(rows + 1, shared);
  const tmpIndices = new Int32Array(n);
  const tmpData = new Float64Array(n);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const end = rowStart[r + 1];
    let last = -1;
    for (let j = rowStart[r]; j < end; j++) {
      const e = sorted[j];
      const c = colIdx[e];
      if (c === last) {
        tmpData[nnz - 1] += values[e];
      } else {
        tmpIndices[nnz] = c;
        tmpData[nnz] = values[e];
        nnz++;
        last = c;
      }
    }
    indptr[r + 1] = nnz;
  }
  const indices = allocInt32(nnz, shared);
  const data = allocFloat32(nnz, shared);
  indices.set(tmpIndices.subarray(0, nnz));
  for (let j = 0; j < nnz; j++) data[j] = tmpData[j];
  return { rows, cols, indptr, indices, data };
}

/** The transpose; its rows come out with ascending column indices because rows are scanned in order. */
export function transposeCsr(m: Csr, shared = false): Csr {
  const nnz = m.indptr[m.rows];
  const indptr = allocInt32(m.cols + 1, shared);
  for (let j = 0; j < nnz; j++) indptr[m.indices[j] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, m.cols);
  const indices = allocInt32(nnz, shared);
  const data = allocFloat32(nnz, shared);
  for (let r = 0; r < m.rows; r++) {
    for (let j = m.indptr[r], end = m.indptr[r + 1]; j < end; j++) {
      const pos = fill[m.indices[j]]++;
      indices[pos] = r;
      data[pos] = m.data[j];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}
