/**
 * Signals computed straight from an epoch's activations (no projection needed): dead units
 * (dimensions that are exactly zero for every sample) and the effective rank.
 */
import type { EpochData } from '../model/epoch-data.js';

/** What the activations of one epoch say. */
export interface ActivationSignals {
  readonly rows: number;
  readonly dim: number;
  /** Dimensions that are exactly 0 in every row. */
  readonly deadUnits: number;
  /** deadUnits / dim. */
  readonly deadShare: number;
  /**
   * Participation ratio of the covariance eigenvalues, (sum l)^2 / sum l^2: between 1 (all variance
   * along one direction) and min(rows used - 1, dim) (variance spread evenly). 0 when there is no
   * variance at all. Estimated on `rankRows` rows, so compare it with itself across epochs.
   */
  readonly effectiveRank: number;
  /** Rows the effective rank was estimated on. */
  readonly rankRows: number;
}

/** Options of `activationSignals`. */
export interface ActivationSignalOptions {
  /**
   * Most rows used for the effective rank. The estimate costs rows^2 * dim (Gram matrix) or
   * dim^2 * rows (covariance), whichever is smaller; 256 rows of a 512-D layer is ~34M multiply-adds,
   * tens of ms in plain JS.
   */
  readonly maxRankRows?: number;
}

/**
 * Evenly spaced row indices: deterministic (no seed needed) and it covers the whole epoch,
 * whatever order the producer sent the rows in.
 */
function strideRows(n: number, m: number): Int32Array {
  const out = new Int32Array(m);
  for (let j = 0; j < m; j++) out[j] = Math.floor((j * n) / m);
  return out;
}

/**
 * Participation ratio of the centred rows `rows` of x (n x dim). The nonzero eigenvalues of the
 * covariance X^T X equal those of the Gram matrix X X^T, and sum l = trace, sum l^2 = squared
 * Frobenius norm, so no eigen-decomposition is needed: work in whichever of the two is smaller.
 * Non-finite entries count as 0.
 */
export function participationRatio(x: Float32Array, dim: number, rows: Int32Array): number {
  const m = rows.length;
  if (m < 2 || dim < 1) return 0;
  // Centred copy of the chosen rows, float64.
  const c = new Float64Array(m * dim);
  const mean = new Float64Array(dim);
  for (let r = 0; r < m; r++) {
    const base = rows[r]! * dim;
    for (let d = 0; d < dim; d++) {
      const v = x[base + d]!;
      const f = Number.isFinite(v) ? v : 0;
      c[r * dim + d] = f;
      mean[d]! += f;
    }
  }
  for (let d = 0; d < dim; d++) mean[d]! /= m;
  for (let r = 0; r < m; r++) for (let d = 0; d < dim; d++) c[r * dim + d]! -= mean[d]!;

  let trace = 0;
  let frob = 0;
  if (m <= dim) {
    // Gram matrix G = C C^T (m x m), symmetric: off-diagonal entries count twice in the norm.
    for (let a = 0; a < m; a++) {
      for (let b = a; b < m; b++) {
        let g = 0;
        const oa = a * dim;
        const ob = b * dim;
        for (let d = 0; d < dim; d++) g += c[oa + d]! * c[ob + d]!;
        if (a === b) {
          trace += g;
          frob += g * g;
        } else frob += 2 * g * g;
      }
    }
  } else {
    // Covariance S = C^T C (dim x dim).
    for (let p = 0; p < dim; p++) {
      for (let q = p; q < dim; q++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += c[r * dim + p]! * c[r * dim + q]!;
        if (p === q) {
          trace += s;
          frob += s * s;
        } else frob += 2 * s * s;
      }
    }
  }
  if (!(frob > 0)) return 0;
  return (trace * trace) / frob;
}

/** Computes the activation signals of one epoch. */
export function activationSignals(data: EpochData, opts: ActivationSignalOptions = {}): ActivationSignals {
  const maxRankRows = opts.maxRankRows ?? 256;
  if (!Number.isInteger(maxRankRows) || maxRankRows < 2) {
    throw new Error(`activationSignals: maxRankRows must be an integer >= 2, got ${maxRankRows}`);
  }
  const { n, dim, x } = data;
  if (x.length < n * dim) {
    throw new Error(`activationSignals: run ${data.run} epoch ${data.epoch}: x has ${x.length} values, expected n*dim = ${n * dim}`);
  }
  const alive = new Uint8Array(dim);
  for (let r = 0; r < n; r++) {
    const base = r * dim;
    for (let d = 0; d < dim; d++) if (x[base + d] !== 0) alive[d] = 1;
  }
  let deadUnits = 0;
  // With no rows there is no evidence that a unit is dead.
  if (n > 0) for (let d = 0; d < dim; d++) if (alive[d] === 0) deadUnits++;
  const m = Math.min(n, maxRankRows);
  const effectiveRank = participationRatio(x, dim, strideRows(n, m));
  return {
    rows: n,
    dim,
    deadUnits,
    deadShare: dim > 0 ? deadUnits / dim : 0,
    effectiveRank,
    rankRows: m,
  };
}
