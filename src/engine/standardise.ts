/**
 * Per-epoch standardisation: centre every feature and divide by one global scale (the RMS distance
 * to the mean). Activations grow several-fold during training; without this the layout would drift
 * with the scale. One global scale (not per feature) keeps the relative geometry.
 */

/** Statistics of one epoch's activations. */
export interface Standardisation {
  /** Per-feature mean, D. */
  readonly mean: Float32Array;
  /** Per-feature standard deviation, D (for temporal margins). */
  readonly sd: Float32Array;
  /** Global scale: sqrt(mean over rows of |x - mean|^2 / D); 1 when degenerate. */
  readonly scale: number;
  /** True when all rows are (numerically) identical, e.g. a dead network. */
  readonly degenerate: boolean;
}

import type { Tf } from '../tf/backend.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** Relative spread below which an epoch counts as degenerate (float32 noise level). */
const DEGENERATE_REL = 1e-6;

/**
 * Compute the statistics of rows x (n x dim, row-major).
 * @param x activations
 * @param n rows
 * @param dim columns
 */
export function standardise(x: Float32Array, n: number, dim: number): Standardisation {
  if (x.length !== n * dim) throw new Error(`standardise: ${n}x${dim} needs ${n * dim} values, got ${x.length}`);
  if (n < 1) throw new Error('standardise: need at least one row');
  const sum = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = x[o + j];
      sum[j] += v;
      sq[j] += v * v;
    }
  }
  const mean = new Float32Array(dim);
  const sd = new Float32Array(dim);
  let total = 0;
  let magnitude = 0;
  for (let j = 0; j < dim; j++) {
    const m = sum[j] / n;
    const v = Math.max(0, sq[j] / n - m * m);
    mean[j] = m;
    sd[j] = Math.sqrt(v);
    total += v;
    magnitude += sq[j] / n;
  }
  const scale = Math.sqrt(total / dim);
  // Spread tiny against the values' own magnitude (or exactly zero): all rows are one point.
  const degenerate = !(scale > DEGENERATE_REL * Math.sqrt(magnitude / dim)) || scale === 0;
  return { mean, sd, scale: degenerate ? 1 : scale, degenerate };
}

/**
 * The same statistics from an uploaded [n, dim] tensor: column means by a ones-row matrix product
 * (a flag-free matMul is the fastest reduction over rows on wasm), then the centred second moment
 * the same way (two passes: no float32 cancellation), several times quicker than the JS loop.
 */
export function standardiseTensor(tf: Tf, x: Tensor2D): Standardisation {
  const [n, dim] = x.shape;
  if (n < 1) throw new Error('standardiseTensor: need at least one row');
  const both = tf.tidy(() => {
    const ones = tf.fill([1, n], 1 / n) as Tensor2D;
    const mean = tf.matMul(ones, x);
    const centred = tf.sub(x, mean) as Tensor2D;
    return tf.concat([mean, tf.matMul(ones, tf.square(centred) as Tensor2D)], 0);
  });
  const v = both.dataSync() as Float32Array;
  both.dispose();
  const mean = new Float32Array(dim);
  const sd = new Float32Array(dim);
  let total = 0;
  let magnitude = 0;
  for (let j = 0; j < dim; j++) {
    mean[j] = v[j];
    const variance = Math.max(0, v[dim + j]);
    sd[j] = Math.sqrt(variance);
    total += variance;
    magnitude += variance + v[j] * v[j];
  }
  const scale = Math.sqrt(total / dim);
  const degenerate = !(scale > DEGENERATE_REL * Math.sqrt(magnitude / dim)) || scale === 0;
  return { mean, sd, scale: degenerate ? 1 : scale, degenerate };
}

/** (x - mean) / scale for a subset of rows, as a new n_rows x dim array. */
export function applyStandardisation(
  s: Standardisation,
  x: Float32Array,
  dim: number,
  rows: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(rows.length * dim);
  const inv = 1 / s.scale;
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i] * dim;
    const p = i * dim;
    for (let j = 0; j < dim; j++) out[p + j] = (x[o + j] - s.mean[j]) * inv;
  }
  return out;
}
