/**
 * The nn15 / trust15 scores of scoreLayouts (metrics.ts) for large epochs, with the same exact
 * raw-space ranks but without a full raw distance row per query. A row x splits into its part in
 * the PCA basis (z, m columns, after standardisation: centring and ONE global scale, so distance
 * ranks are those of the raw rows) and a residual of norm r. For two rows,
 *   |dz|^2 + (r_i - r_j)^2  <=  |x_i - x_j|^2 / scale^2  <=  |dz|^2 + (r_i + r_j)^2,
 * so the cheap m-column distances plus the residual norms bound every raw distance. The query's
 * k nearest rows are among those whose lower bound is within the k-th smallest upper bound; a rank
 * counts the rows whose upper bound is below the distance, and only rows whose bounds straddle it
 * get an exact raw distance. With 99% of the variance in the basis almost every row is decided by
 * its bounds: at 50,000 x 512 the full rows (two products of 200 x 512 x 50,000, train and test)
 * took ~2-4 s of CPU, most of a 3 s update (issue 12). Held against scoreLayouts by
 * test/engine/metrics-bounded.test.ts.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import { finishScores, lowNeighbours, scoreScratch, topK, type Faithfulness } from './metrics.js';

/** Rows split into basis coordinates and residual norms, plus the raw rows for exact distances. */
export interface SplitRows {
  /** Raw rows, row-major, possibly in two blocks (train, then another split) read as one. */
  readonly blocks: readonly { readonly x: Float32Array; readonly n: number }[];
  readonly dim: number;
  /** Basis coordinates of the standardised rows, n*m, blocks concatenated. */
  readonly z: Float32Array;
  readonly m: number;
  /** Residual norm of each standardised row outside the basis (from residualNorms). */
  readonly r: Float64Array;
  /** The standardisation's global scale: raw distance = scale * standardised distance. */
  readonly scale: number;
}

/**
 * Residual norms |x_std - z V| of rows, on tfjs (one product of n x m by m x D).
 * @param x raw rows n*dim
 * @param z their basis coordinates n*m
 * @param basisRows the basis, m*dim (orthonormal rows)
 */
export function residualNorms(tf: Tf, x: Float32Array, n: number, dim: number, mean: Float32Array, scale: number, z: Float32Array, m: number, basisRows: Float32Array): Float64Array {
  const out = new Float64Array(n);
  // Blocks of rows keep the temporaries near 16 MB.
  const block = Math.max(1, Math.floor(4_000_000 / dim));
  const v = tf.tensor2d(basisRows, [m, dim]);
  try {
    for (let r0 = 0; r0 < n; r0 += block) {
      const r1 = Math.min(n, r0 + block);
      const t = tf.tidy(() => {
        const xs = tf.div(tf.sub(tf.tensor2d(x.subarray(r0 * dim, r1 * dim), [r1 - r0, dim]), tf.tensor2d(mean, [1, dim])), scale);
        const rec = tf.matMul(tf.tensor2d(z.subarray(r0 * m, r1 * m), [r1 - r0, m]), v as Tensor2D);
        return tf.sum(tf.square(tf.sub(xs, rec)), 1);
      });
      const s = t.dataSync() as Float32Array;
      t.dispose();
      for (let i = r0; i < r1; i++) out[i] = Math.sqrt(Math.max(0, s[i - r0]));
    }
  } finally {
    v.dispose();
  }
  return out;
}

/**
 * Relative slack on every bound: z and r come from float32 products (relative error ~1e-6 of the
 * rows' norms), so a bound is widened by this share of the rows' squared norms. Too wide only
 * costs exact distances, never a wrong rank.
 */
const SLACK = 1e-4;

/**
 * Scores as scoreLayouts(tf, rows, lows, k, queries) does, candidates limited to the first
 * `candidates` rows (all by default).
 */
export function scoreLayoutsBounded(tf: Tf, rows: SplitRows, lows: readonly Float32Array[], k: number, queries: Int32Array, candidates?: number): Faithfulness[] {
  const { z, m, r, dim, scale } = rows;
  const nAll = r.length;
  const n = candidates ?? nAll;
  for (const low of lows) if (low.length < 2 * n) throw new Error(`faithfulness: layout has ${low.length / 2} points, data has ${n}`);
  if (!(k >= 1 && k < n - 1)) throw new Error(`faithfulness: need 1 <= k < n - 1, got k=${k}, n=${n}`);
  const nq = queries.length;
  if (nq === 0) return lows.map(() => ({ nn: NaN, trust: NaN }));
  // Raw row j as (array, offset).
  const starts: number[] = [];
  let acc = 0;
  for (const b of rows.blocks) {
    starts.push(acc);
    acc += b.n;
  }
  const rawDist2 = (i: number, j: number): number => {
    const bi = blockOf(starts, i);
    const bj = blockOf(starts, j);
    const xi = rows.blocks[bi].x;
    const xj = rows.blocks[bj].x;
    const oi = (i - starts[bi]) * dim;
    const oj = (j - starts[bj]) * dim;
    let s = 0;
    for (let c = 0; c < dim; c++) {
      const u = xi[oi + c] - xj[oj + c];
      s += u * u;
    }
    return s / (scale * scale);
  };
  const zn = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < m; c++) s += z[j * m + c] * z[j * m + c];
    zn[j] = s;
  }
  const zt = tf.tidy(() => tf.transpose(tf.tensor2d(z.subarray(0, n * m), [n, m])) as Tensor2D);
  const lb = new Float64Array(n);
  const ub = new Float64Array(n);
  const exact = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const { lowIdx, lowD, highIdx, highD, inHigh, nnSum, trustSum } = scoreScratch(n, k, lows.length);
  const block = Math.max(1, Math.floor(2_000_000 / n));
  try {
    for (let q0 = 0; q0 < nq; q0 += block) {
      const q1 = Math.min(nq, q0 + block);
      const qz = new Float32Array((q1 - q0) * m);
      for (let t = q0; t < q1; t++) qz.set(z.subarray(queries[t] * m, queries[t] * m + m), (t - q0) * m);
      const g = tf.tidy(() => tf.matMul(tf.tensor2d(qz, [q1 - q0, m]), zt));
      const dots = g.dataSync() as Float32Array;
      g.dispose();
      for (let t = q0; t < q1; t++) {
        const i = queries[t];
        let zi = 0;
        for (let c = 0; c < m; c++) zi += z[i * m + c] * z[i * m + c];
        const ri = r[i];
        const off = (t - q0) * n;
        const dist = (j: number): number => {
          if (stamp[j] !== t) {
            stamp[j] = t;
            exact[j] = rawDist2(i, j);
          }
          return exact[j];
        };
        for (let j = 0; j < n; j++) {
          const dz = zi + zn[j] - 2 * dots[off + j];
          const slack = SLACK * (zi + zn[j] + ri * ri + r[j] * r[j]);
          const lo = dz + (ri - r[j]) * (ri - r[j]) - slack;
          lb[j] = lo > 0 ? lo : 0;
          ub[j] = dz + (ri + r[j]) * (ri + r[j]) + slack;
        }
        lb[i] = Infinity;
        ub[i] = Infinity;
        // The k-th smallest upper bound caps the k-th neighbour's distance: only rows under it can be neighbours.
        topK(ub, k, highIdx, highD);
        const cap = highD[k - 1];
        let filled = 0;
        for (let j = 0; j < n; j++) {
          if (lb[j] > cap) continue;
          const d = dist(j);
          if (filled === k && d >= highD[k - 1]) continue;
          let p = filled < k ? filled++ : k - 1;
          while (p > 0 && (highD[p - 1] > d || (highD[p - 1] === d && highIdx[p - 1] > j))) {
            highD[p] = highD[p - 1];
            highIdx[p] = highIdx[p - 1];
            p--;
          }
          highD[p] = d;
          highIdx[p] = j;
        }
        for (let a = 0; a < k; a++) inHigh[highIdx[a]] = 1;
        for (let l = 0; l < lows.length; l++) {
          lowNeighbours(lows[l].length === 2 * n ? lows[l] : lows[l].subarray(0, 2 * n), i, k, lowIdx, lowD);
          let shared = 0;
          for (let a = 0; a < k; a++) {
            const j = lowIdx[a];
            if (inHigh[j]) {
              shared++;
              continue;
            }
            // Rank of j among i's raw-space neighbours (1-based), penalised beyond k.
            const dj = dist(j);
            let rank = 1;
            for (let c = 0; c < n; c++) {
              // ub[i] is Infinity: the query never counts itself.
              if (ub[c] < dj) rank++;
              else if (lb[c] < dj && c !== i && dist(c) < dj) rank++;
            }
            trustSum[l] += Math.max(0, rank - k);
          }
          nnSum[l] += shared / k;
        }
        for (let a = 0; a < k; a++) inHigh[highIdx[a]] = 0;
      }
    }
  } finally {
    zt.dispose();
  }
  return finishScores(nnSum, trustSum, nq, k, n);
}


function blockOf(starts: readonly number[], i: number): number {
  let b = starts.length - 1;
  while (b > 0 && starts[b] > i) b--;
  return b;
}
