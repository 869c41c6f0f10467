/**
 * A PCA basis tracked over epochs by subspace iteration: each epoch applies the (centred)
 * covariance to the previous basis once and re-orthonormalises. Warm-started this way the basis
 * changes smoothly from epoch to epoch (the encoder's input does not jump) and costs two matrix
 * products instead of an eigendecomposition.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** An orthonormal basis of m directions in D-space, stored as m rows of length D. */
export interface Basis {
  readonly m: number;
  readonly dim: number;
  /** m*dim, row r is direction r. */
  readonly rows: Float32Array;
}

/** A random orthonormal basis (the cold start). */
export function randomBasis(m: number, dim: number, rng: Rng): Basis {
  if (!(m >= 1 && m <= dim)) throw new Error(`randomBasis: need 1 <= m <= dim, got m=${m}, dim=${dim}`);
  const rows = new Float32Array(m * dim);
  for (let i = 0; i < rows.length; i++) rows[i] = rng.normal();
  orthonormaliseRows(rows, m, dim, rng);
  return { m, dim, rows };
}

/**
 * Modified Gram-Schmidt on the rows, in order (so a warm basis keeps its orientation). A row that
 * collapses (rank deficiency) is replaced by a random direction orthogonal to the others.
 */
export function orthonormaliseRows(rows: Float32Array, m: number, dim: number, rng: Rng): void {
  const v = new Float64Array(dim);
  for (let r = 0; r < m; r++) {
    for (let attempt = 0; ; attempt++) {
      for (let j = 0; j < dim; j++) v[j] = rows[r * dim + j];
      const before = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
      // Two passes of projection removal keep float32 inputs orthogonal to ~1e-7.
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < r; q++) {
          let dot = 0;
          for (let j = 0; j < dim; j++) dot += v[j] * rows[q * dim + j];
          for (let j = 0; j < dim; j++) v[j] -= dot * rows[q * dim + j];
        }
      }
      const norm = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
      if (norm > 1e-6 * Math.max(before, 1e-30) && norm > 0) {
        for (let j = 0; j < dim; j++) rows[r * dim + j] = v[j] / norm;
        break;
      }
      if (attempt > 20) throw new Error('orthonormaliseRows: could not complete the basis');
      for (let j = 0; j < dim; j++) rows[r * dim + j] = rng.normal();
    }
  }
}

/**
 * Subspace iteration steps: basis <- orth(Xc^T Xc basis), Xc = X - 1 mean^T.
 * @param tf tfjs
 * @param x the epoch's activations as an [n, dim] tensor (not centred)
 * @param mean per-feature mean
 * @param basis current basis (unchanged)
 * @param iters number of steps (1 per epoch when warm; several on a cold start)
 * @param rng replaces collapsed directions
 */
export function subspaceIterate(tf: Tf, x: Tensor2D, mean: Float32Array, basis: Basis, iters: number, rng: Rng): Basis {
  const { m, dim } = basis;
  if (x.shape[1] !== dim || mean.length !== dim) throw new Error(`subspaceIterate: dimension mismatch (${x.shape[1]}, ${mean.length}, ${dim})`);
  let rows: Float32Array = basis.rows.slice();
  const mu = tf.tensor2d(mean, [1, dim]);
  try {
    for (let it = 0; it < iters; it++) {
      const next = tf.tidy(() => {
        const vt = tf.transpose(tf.tensor2d(rows, [m, dim])) as Tensor2D; // dim x m
        // Y = Xc V = X V - 1 (mean V); its columns sum to ~0.
        const y = tf.sub(tf.matMul(x, vt), tf.matMul(mu, vt)) as Tensor2D; // n x m
        // W^T = Y^T Xc = Y^T X - colsum(Y)^T mean^T   (m x dim)
        const yt = tf.transpose(y) as Tensor2D;
        const colsum = tf.sum(yt, 1, true) as Tensor2D; // m x 1
        return tf.sub(tf.matMul(yt, x), tf.matMul(colsum, mu));
      });
      rows = next.dataSync() as Float32Array;
      next.dispose();
      // Rescale rows so Gram-Schmidt sees unit-ish vectors (eigenvalues may be huge or tiny).
      orthonormaliseRows(rows, m, dim, rng);
    }
  } finally {
    mu.dispose();
  }
  return { m, dim, rows };
}

/**
 * Coordinates of rows in the basis after standardising: Z = (X - mean) V / scale.
 * @returns n*m row-major
 */
export function projectRows(tf: Tf, x: Tensor2D, mean: Float32Array, scale: number, basis: Basis): Float32Array {
  const { m, dim } = basis;
  const z = tf.tidy(() => {
    const vt = tf.transpose(tf.tensor2d(basis.rows, [m, dim])) as Tensor2D;
    const off = tf.matMul(tf.tensor2d(mean, [1, dim]), vt);
    return tf.mul(tf.sub(tf.matMul(x, vt), off), 1 / scale);
  });
  const out = z.dataSync() as Float32Array;
  z.dispose();
  return out;
}
