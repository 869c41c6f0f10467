/**
 * The first phase of an update: standardise the train split, track its PCA basis (one subspace
 * iteration per epoch, warm from the last basis) and pick the leading coordinates the graphs use
 * (docs/method.md#reduce).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import type { EpochData } from '../model/epoch-data.js';
import { sampleIndices, type Rng } from '../util/random.js';
import { standardise, type Standardisation } from './standardise.js';
import { projectRows, randomBasis, subspaceIterate, type Basis } from './pca.js';
import { matrix, takeRows, type Matrix } from './knn.js';
import type { EngineSettings } from './engine-options.js';
import type { PhaseClock } from './phase-clock.js';

/** The train split, reduced. */
export interface Reduced {
  readonly stats: Standardisation;
  /** The basis after this epoch's iteration (the run keeps it for the next epoch). */
  readonly basis: Basis;
  /** Basis coordinates of every row, n*m (the projector's input). */
  readonly z: Float32Array;
  /** The same as a matrix. */
  readonly zm: Matrix;
  /** The columns of z the graphs use (largest variance first). */
  readonly graphCols: Int32Array;
  /** z restricted to graphCols. */
  readonly zg: Matrix;
}

/** Rows used to update the PCA basis (a covariance estimate needs far fewer than n). */
const PCA_ROWS = 1000;
/** Subspace-iteration steps on a cold start (then one per epoch). */
const PCA_COLD_ITERS = 6;

/**
 * Laps 'standardise' and 'pca' on the clock.
 * @param tf tfjs
 * @param trainSplit the rows to reduce
 * @param prior the run's basis from the previous epoch (absent on a cold start)
 * @param o settings: pcaDims, graphVariance, k
 * @param rng the update's generator (draws the rows the basis is fitted on)
 * @param clock the update's phase clock
 * @returns undefined for a degenerate epoch (all rows alike, or too few rows for a k-graph)
 */
export function reduce(tf: Tf, trainSplit: EpochData, prior: Basis | undefined, o: EngineSettings, rng: Rng, clock: PhaseClock): Reduced | undefined {
  const { n, dim } = trainSplit;
  const m = Math.min(o.pcaDims, dim);
  const xt = tf.tensor2d(trainSplit.x, [n, dim]) as Tensor2D;
  let stats: Standardisation;
  let basis: Basis;
  let z: Float32Array;
  try {
    // The JS loop, not the tensor version: measured at 5,000 / 50,000 x 512 it took 16-38 / 80-115 ms
    // of CPU against 91-330 / 750-3,100 ms for standardiseTensor (scratch timing, issue 12).
    stats = standardise(trainSplit.x, n, dim);
    clock.lap('standardise');
    if (stats.degenerate || n < o.k + 2) return undefined;
    if (m === dim) {
      basis = identityBasis(dim);
    } else {
      const fitRows = sampleIndices(n, Math.min(n, PCA_ROWS), rng).sort();
      const fitX = tf.tensor2d(takeRows(matrix(trainSplit.x, n, dim), fitRows).data, [fitRows.length, dim]);
      try {
        basis = subspaceIterate(tf, fitX as Tensor2D, stats.mean, prior ?? randomBasis(m, dim, rng), prior ? 1 : PCA_COLD_ITERS, rng);
      } finally {
        fitX.dispose();
      }
    }
    z = projectRows(tf, xt, stats.mean, stats.scale, basis);
  } finally {
    xt.dispose();
  }
  const zm = matrix(z, n, m);
  // Graphs (not the projector) use the leading coordinates holding `graphVariance` of the
  // variance, at least graphMinColumns: distances barely change, and kNN cost is linear in the width.
  const graphCols = leadingColumns(zm, o.graphVariance, o.graphMinColumns);
  const zg = selectColumns(zm, graphCols);
  clock.lap('pca');
  return { stats, basis, z, zm, graphCols, zg };
}

/**
 * A matrix of the given columns (in that order); the matrix itself when they are all of its
 * columns in order.
 */
export function selectColumns(z: Matrix, cols: Int32Array): Matrix {
  if (cols.length === z.cols) {
    let same = true;
    for (let c = 0; c < cols.length; c++) if (cols[c] !== c) same = false;
    if (same) return z;
  }
  const out = new Float32Array(z.rows * cols.length);
  for (let i = 0; i < z.rows; i++) for (let c = 0; c < cols.length; c++) out[i * cols.length + c] = z.data[i * z.cols + cols[c]];
  return { data: out, rows: z.rows, cols: cols.length };
}

/** The columns (largest variance first) that together hold `share` of the total variance, at least `least` of them. */
export function leadingColumns(z: Matrix, share: number, least: number): Int32Array {
  const { rows, cols } = z;
  const v = new Float64Array(cols);
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += z.data[i * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const d = z.data[i * cols + c] - mean[c];
      v[c] += d * d;
    }
  }
  const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => v[b] - v[a] || a - b);
  const total = v.reduce((a, b) => a + b, 0);
  let acc = 0;
  let take = 0;
  while (take < cols && (take < Math.min(least, cols) || acc < share * total)) acc += v[order[take++]];
  return Int32Array.from(order.slice(0, take));
}

/** The basis of a split already narrower than pcaDims: its own coordinates. */
function identityBasis(dim: number): Basis {
  const rows = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i++) rows[i * dim + i] = 1;
  return { m: dim, dim, rows };
}
