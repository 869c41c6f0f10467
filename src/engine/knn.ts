/**
 * Exact k-nearest-neighbour search by blocked matrix products on tfjs: squared distances
 * |q|^2 + |r|^2 - 2 q.r for a block of queries against all reference rows, then a top-k
 * selection in JS. Exact, because the graph and the metrics must not depend on a heuristic.
 */
import type { Tf } from '../tf/backend.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { insertNearest } from './nearest-list.js';

/** Row-major matrix of float32 values. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** k neighbours per query, nearest first. */
export interface KnnResult {
  readonly k: number;
  /** queries*k reference row indices (-1 where fewer than k candidates exist). */
  readonly indices: Int32Array;
  /** queries*k Euclidean distances (or cosine distances for metric 'cosine'). */
  readonly distances: Float32Array;
}

/** Options of a search. */
export interface KnnOptions {
  /**
   * For each query, a reference row to leave out (-1 for none): pass the query's own row when
   * queries are reference rows, so a point is not its own neighbour.
   */
  readonly exclude?: Int32Array;
  /** 'euclidean' (default) or 'cosine' (1 - cos; a zero row sits at distance 0.5 from every unit row). */
  readonly metric?: 'euclidean' | 'cosine';
  /** Query rows per matrix product; bounds the temporary block (block x reference rows floats). */
  readonly block?: number;
}

/** Make a Matrix after checking its size. */
export function matrix(data: Float32Array, rows: number, cols: number): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
    throw new Error(`matrix: bad shape ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) throw new Error(`matrix: ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  return { data, rows, cols };
}

/** Pick rows of a matrix into a new one. */
export function takeRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = new Float32Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    out.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { data: out, rows: rows.length, cols: m.cols };
}

function rowNorms2(m: Matrix): Float32Array {
  const out = new Float32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) s += m.data[o + j] * m.data[o + j];
    out[i] = s;
  }
  return out;
}

function unitRows(m: Matrix): Matrix {
  const n2 = rowNorms2(m);
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const s = n2[i] > 0 ? 1 / Math.sqrt(n2[i]) : 0;
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[o + j] = m.data[o + j] * s;
  }
  return { data: out, rows: m.rows, cols: m.cols };
}

/**
 * The k nearest reference rows of every query row.
 * @param tf tfjs (its matMul does the heavy lifting)
 * @param queries query rows
 * @param reference reference rows (same number of columns)
 * @param k neighbours per query (>= 1)
 */
export function knnSearch(tf: Tf, queries: Matrix, reference: Matrix, k: number, opts: KnnOptions = {}): KnnResult {
  if (queries.cols !== reference.cols) {
    throw new Error(`knnSearch: queries have ${queries.cols} columns but reference has ${reference.cols}`);
  }
  if (!Number.isInteger(k) || k < 1) throw new Error(`knnSearch: k must be a positive integer, got ${k}`);
  if (opts.exclude && opts.exclude.length !== queries.rows) {
    throw new Error(`knnSearch: exclude has ${opts.exclude.length} entries for ${queries.rows} queries`);
  }
  const cosine = opts.metric === 'cosine';
  const q = cosine ? unitRows(queries) : queries;
  const r = cosine ? unitRows(reference) : reference;
  const nq = q.rows;
  const nr = r.rows;
  const indices = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(Infinity);
  if (nq === 0 || nr === 0) return { k, indices, distances };
  const qn = rowNorms2(q);
  const rn = rowNorms2(r);
  // Bound the block so that block*nr floats stay around 8 MB.
  const block = Math.max(1, Math.min(opts.block ?? 1024, Math.floor(2_000_000 / nr) || 1));
  const rt = tf.tidy(() => tf.transpose(tf.tensor2d(r.data, [nr, r.cols])) as Tensor2D);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  try {
    for (let q0 = 0; q0 < nq; q0 += block) {
      const q1 = Math.min(nq, q0 + block);
      const g = tf.tidy(() => tf.matMul(tf.tensor2d(q.data.subarray(q0 * q.cols, q1 * q.cols), [q1 - q0, q.cols]), rt));
      const dots = g.dataSync() as Float32Array;
      g.dispose();
      for (let i = q0; i < q1; i++) {
        const row = (i - q0) * nr;
        const skip = opts.exclude ? opts.exclude[i] : -1;
        let filled = 0;
        let worst = Infinity;
        const qi = qn[i];
        for (let j = 0; j < nr; j++) {
          if (j === skip) continue;
          // Squared Euclidean distance (for cosine: 2 - 2cos on unit rows, same order).
          let d = qi + rn[j] - 2 * dots[row + j];
          if (d < 0) d = 0;
          if (filled === k && d >= worst) continue;
          filled = insertNearest(bestD, bestI, filled, k, d, j);
          if (filled === k) worst = bestD[k - 1];
        }
        // The expanded form loses precision for close pairs: recompute the chosen distances exactly.
        const qo = i * q.cols;
        for (let t = 0; t < filled; t++) {
          const ro = bestI[t] * r.cols;
          let s = 0;
          for (let c = 0; c < q.cols; c++) {
            const u = q.data[qo + c] - r.data[ro + c];
            s += u * u;
          }
          bestD[t] = s;
        }
        sortPairs(bestD, bestI, filled);
        for (let t = 0; t < filled; t++) {
          indices[i * k + t] = bestI[t];
          // Cosine distance 1 - cos = d2/2 on unit vectors.
          distances[i * k + t] = cosine ? bestD[t] / 2 : Math.sqrt(bestD[t]);
        }
      }
    }
  } finally {
    rt.dispose();
  }
  return { k, indices, distances };
}

/** Insertion sort of the first n (distance, index) pairs, ties by index. */
function sortPairs(d: Float64Array, idx: Int32Array, n: number): void {
  for (let a = 1; a < n; a++) insertNearest(d, idx, a, n, d[a], idx[a]);
}

/** kNN of every row among the other rows of the same matrix. */
export function knnSelf(tf: Tf, m: Matrix, k: number, opts: Omit<KnnOptions, 'exclude'> = {}): KnnResult {
  const exclude = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) exclude[i] = i;
  return knnSearch(tf, m, m, k, { ...opts, exclude });
}
