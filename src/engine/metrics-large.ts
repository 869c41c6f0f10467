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
import { finishScores, fusedScratch, scoreFused, type Faithfulness } from './metrics.js';

/** Raw rows in one or two blocks, read as one matrix (block 0's rows first). */
export interface RowBlocks {
  readonly blocks: readonly { readonly x: Float32Array; readonly n: number }[];
  readonly dim: number;
}

/** Rows per chunk: keeps a chunk's tensors near 16 MB at D = 512. */
const CHUNK_FLOATS = 4_000_000;
/** Rows per tile of the transposing copy: 256 rows x 128 queries of the product is 128 KB. */
const TILE_ROWS = 256;

/** One scoring job of a shared pass over the rows (see scoreJobsLarge). */
export interface ScoreJob {
  /** Layouts, each with at least `candidates` points. */
  readonly lows: readonly Float32Array[];
  /** Neighbourhood size. */
  readonly k: number;
  /** Rows to score (indices into the joined blocks, below `candidates`). */
  readonly queries: Int32Array;
  /** Candidate rows: the first this many of the joined blocks [all]. */
  readonly candidates?: number;
}

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
  return scoreJobsLarge(tf, rows, centre, [{ lows, k, queries, candidates }])[0];
}

/**
 * Several scoring jobs (the train split's queries among train rows, the test split's among train +
 * test rows) in one pass over the rows: uploading and centring 50,000 x 512 rows cost as much as
 * the product with 64 queries, so the live metrics stream them once, not once per split.
 * @returns per job, one score per layout
 */
export function scoreJobsLarge(tf: Tf, rows: RowBlocks, centre: Float32Array, jobs: readonly ScoreJob[]): Faithfulness[][] {
  const dim = rows.dim;
  const total = rows.blocks.reduce((a, b) => a + b.n, 0);
  const counts = jobs.map((j) => j.candidates ?? total);
  for (const [i, job] of jobs.entries()) {
    const n = counts[i];
    for (const low of job.lows) if (low.length < 2 * n) throw new Error(`faithfulness: layout has ${low.length / 2} points, data has ${n}`);
    if (!(job.k >= 1 && job.k < n - 1)) throw new Error(`faithfulness: need 1 <= k < n - 1, got k=${job.k}, n=${n}`);
  }
  // Every job's queries in one matrix; rows are streamed up to the largest candidate count.
  const n = Math.max(0, ...counts);
  const offsets = jobs.map((_, i) => jobs.slice(0, i).reduce((a, j) => a + j.queries.length, 0));
  const all = new Int32Array(jobs.reduce((a, j) => a + j.queries.length, 0));
  jobs.forEach((j, i) => all.set(j.queries, offsets[i]));
  const { dots, norms, qn } = queryDots(tf, rows, centre, all, n);
  return jobs.map((job, i) => {
    const nj = counts[i];
    const nq = job.queries.length;
    if (nq === 0) return job.lows.map(() => ({ nn: NaN, trust: NaN }));
    const scratch = fusedScratch(nj, job.k, job.lows.length);
    const cut = job.lows.map((low) => (low.length === 2 * nj ? low : low.subarray(0, 2 * nj)));
    for (let t = 0; t < nq; t++) {
      const g = offsets[i] + t;
      scoreFused(dots, g * n, norms, qn[g], job.queries[t], nj, cut, job.k, scratch);
    }
    return finishScores(scratch.nnSum, scratch.trustSum, nq, job.k, nj);
  });
}

/**
 * The query rows' dot products with the first n rows, all centred: dots[t * n + j] =
 * (x_j - centre) . (x_q(t) - centre), norms[j] = |x_j - centre|^2, qn[t] = |x_q(t) - centre|^2.
 */
function queryDots(tf: Tf, rows: RowBlocks, centre: Float32Array, queries: Int32Array, n: number): { dots: Float32Array; norms: Float32Array; qn: Float64Array } {
  const dim = rows.dim;
  const nq = queries.length;
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
  const dots = new Float32Array(nq * n);
  const norms = new Float32Array(n);
  if (nq === 0) return { dots, norms, qn };
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
        // Chunk-major [row][query] into query-major rows (tfjs-wasm's product with a transposed
        // right operand was 4x slower than this copy, measured at 50,000 x 512), in tiles of rows
        // whose block of the product stays in cache: row by row, each of the nq writes landed in a
        // different 240 KB-strided row (a third of the metrics' time at 60,000 rows).
        const len = r1 - r0;
        for (let a = 0; a < len; a += TILE_ROWS) {
          const b1 = Math.min(len, a + TILE_ROWS);
          for (let t = 0; t < nq; t++) {
            const base = t * n + j0 + r0;
            for (let r = a; r < b1; r++) dots[base + r] = dv[r * nq + t];
          }
        }
      }
      j0 += b.n;
    }
  } finally {
    qt.dispose();
    ct.dispose();
  }
  return { dots, norms, qn };
}
