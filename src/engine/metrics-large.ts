/**
 * The nn15 / trust15 scores of scoreLayouts (metrics.ts) for large epochs: the same exact raw-space
 * distances (centred rows, the expanded form in float32), computed so that the big matrix is never
 * transposed, gathered or copied whole. The rows stream through tfjs in chunks (upload, centre,
 * norms, one product with the few query rows), so the cost is that product plus one pass over the
 * rows; scoreLayouts transposed, centred and gathered the whole n x D matrix, and the test score
 * first copied train and test rows into one array. Rows may come in two blocks (train, then
 * another split) read as one, so the test split is scored without that copy.
 * Measured at 50,000 x 512 (scratch timing, issue 12): see docs/engine-choices.md#metrics-at-scale.
 * Held equal to scoreLayouts by test/engine/metrics-large.test.ts.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import { finishScores, scoreRow, scoreScratch, type Faithfulness } from './metrics.js';

/** Raw rows in one or two blocks, read as one matrix (block 0's rows first). */
export interface RowBlocks {
  readonly blocks: readonly { readonly x: Float32Array; readonly n: number }[];
  readonly dim: number;
}

/** Rows per chunk: keeps a chunk's tensors near 16 MB at D = 512. */
const CHUNK_FLOATS = 4_000_000;

/**
 * Score layouts as scoreLayouts does, against the first `candidates` rows (all by default).
 * @param tf tfjs
 * @param rows the raw rows
 * @param centre subtracted from every row first (the train mean): keeps the expanded form precise
 * @param lows layouts, each with at least `candidates` points
 * @param k neighbourhood size
 * @param queries rows to score (indices into the joined blocks, below `candidates`)
 */
export function scoreLayoutsLarge(tf: Tf, rows: RowBlocks, centre: Float32Array, lows: readonly Float32Array[], k: number, queries: Int32Array, candidates?: number): Faithfulness[] {
  const dim = rows.dim;
  const total = rows.blocks.reduce((a, b) => a + b.n, 0);
  const n = candidates ?? total;
  for (const low of lows) if (low.length < 2 * n) throw new Error(`faithfulness: layout has ${low.length / 2} points, data has ${n}`);
  if (!(k >= 1 && k < n - 1)) throw new Error(`faithfulness: need 1 <= k < n - 1, got k=${k}, n=${n}`);
  const nq = queries.length;
  if (nq === 0) return lows.map(() => ({ nn: NaN, trust: NaN }));
  const rowAt = (j: number): Float32Array => {
    let b = 0;
    let at = j;
    while (at >= rows.blocks[b].n) at -= rows.blocks[b++].n;
    return rows.blocks[b].x.subarray(at * dim, (at + 1) * dim);
  };
  // The query rows, centred, and their norms in float64.
  const q = new Float32Array(nq * dim);
  const qn = new Float64Array(nq);
  for (let t = 0; t < nq; t++) {
    const r = rowAt(queries[t]);
    let s = 0;
    for (let c = 0; c < dim; c++) {
      const v = r[c] - centre[c];
      q[t * dim + c] = v;
      s += v * v;
    }
    qn[t] = s;
  }
  // dots[t * n + j] = (x_j - centre) . q_t, norms[j] = |x_j - centre|^2.
  const dots = new Float32Array(nq * n);
  const norms = new Float32Array(n);
  const qt = tf.tidy(() => tf.transpose(tf.tensor2d(q, [nq, dim])) as Tensor2D);
  const ct = tf.tensor2d(centre, [1, dim]);
  const chunk = Math.max(1, Math.floor(CHUNK_FLOATS / dim));
  try {
    let j0 = 0;
    for (const b of rows.blocks) {
      for (let r0 = 0; r0 < b.n && j0 + r0 < n; r0 += chunk) {
        const r1 = Math.min(b.n, r0 + chunk, n - j0);
        const [d, nr] = tf.tidy(() => {
          const xc = tf.sub(tf.tensor2d(b.x.subarray(r0 * dim, r1 * dim), [r1 - r0, dim]), ct) as Tensor2D;
          return [tf.matMul(xc, qt), tf.sum(tf.square(xc), 1)];
        });
        const dv = d.dataSync() as Float32Array;
        norms.set(nr.dataSync() as Float32Array, j0 + r0);
        d.dispose();
        nr.dispose();
        // Chunk-major [row][query] into query-major rows.
        for (let r = 0; r < r1 - r0; r++) for (let t = 0; t < nq; t++) dots[t * n + j0 + r0 + r] = dv[r * nq + t];
      }
      j0 += b.n;
    }
  } finally {
    qt.dispose();
    ct.dispose();
  }
  const scratch = scoreScratch(n, k, lows.length);
  const cut = lows.map((low) => (low.length === 2 * n ? low : low.subarray(0, 2 * n)));
  const row = new Float64Array(n);
  for (let t = 0; t < nq; t++) {
    const i = queries[t];
    const off = t * n;
    for (let j = 0; j < n; j++) row[j] = Math.max(0, qn[t] + norms[j] - 2 * dots[off + j]);
    row[i] = Infinity;
    scoreRow(row, i, cut, k, scratch);
  }
  return finishScores(scratch.nnSum, scratch.trustSum, nq, k, n);
}
