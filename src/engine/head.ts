/**
 * The classifier head (logits = W x + b) re-expressed in the engine's input space, so that a
 * decoder output z (PCA coordinates of a standardised row) can be classified without going back to
 * D dimensions: x = mean + scale * z V, hence logits = (b + W mean) + z (scale V W^T).
 */
import type { Head } from '../protocol/types.js';
import type { Basis } from './pca.js';

/** A head acting on m-dimensional inputs. */
export interface ReducedHead {
  readonly classes: number;
  readonly m: number;
  /** m*classes, row-major. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/**
 * @param head the classifier head sent with epoch_end
 * @param basis the epoch's PCA basis
 * @param mean the epoch's per-feature mean
 * @param scale the epoch's global scale
 */
export function reduceHead(head: Head, basis: Basis, mean: Float32Array, scale: number): ReducedHead {
  const { classes, dim } = head;
  if (dim !== basis.dim) throw new Error(`reduceHead: head has ${dim} inputs but activations have ${basis.dim}`);
  if (head.weight.length !== classes * dim || head.bias.length !== classes) {
    throw new Error(`reduceHead: head weight/bias sizes do not match ${classes} classes x ${dim}`);
  }
  const m = basis.m;
  const weight = new Float32Array(m * classes);
  const bias = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    let s = head.bias[c];
    for (let j = 0; j < dim; j++) s += head.weight[c * dim + j] * mean[j];
    bias[c] = s;
    for (let r = 0; r < m; r++) {
      let d = 0;
      for (let j = 0; j < dim; j++) d += basis.rows[r * dim + j] * head.weight[c * dim + j];
      weight[r * classes + c] = scale * d;
    }
  }
  return { classes, m, weight, bias };
}

/** Logits of row i of z (rows*m) under the reduced head, written into out (classes). */
function logitsOf(h: ReducedHead, z: Float32Array, i: number, out: Float64Array): void {
  out.set(h.bias);
  for (let r = 0; r < h.m; r++) {
    const v = z[i * h.m + r];
    if (v === 0) continue;
    const o = r * h.classes;
    for (let c = 0; c < h.classes; c++) out[c] += v * h.weight[o + c];
  }
}

/** Argmax class of each row of z (rows*m) under the reduced head. */
export function classify(h: ReducedHead, z: Float32Array, rows: number): Int32Array {
  const out = new Int32Array(rows);
  const logits = new Float64Array(h.classes);
  for (let i = 0; i < rows; i++) {
    logitsOf(h, z, i, logits);
    let best = 0;
    for (let c = 1; c < h.classes; c++) if (logits[c] > logits[best]) best = c;
    out[i] = best;
  }
  return out;
}

/**
 * The head's class probabilities (softmax of the logits) of each row of z (rows*m), rows*classes,
 * and their mean entropy (what a perfect match of them scores under cross-entropy).
 */
export function classProbabilities(h: ReducedHead, z: Float32Array, rows: number): { p: Float32Array; entropy: number } {
  const p = new Float32Array(rows * h.classes);
  const logits = new Float64Array(h.classes);
  let entropy = 0;
  for (let i = 0; i < rows; i++) {
    logitsOf(h, z, i, logits);
    let top = -Infinity;
    for (let c = 0; c < h.classes; c++) top = Math.max(top, logits[c]);
    let sum = 0;
    for (let c = 0; c < h.classes; c++) sum += Math.exp(logits[c] - top);
    const logSum = Math.log(sum);
    for (let c = 0; c < h.classes; c++) {
      const logP = logits[c] - top - logSum;
      const v = Math.exp(logP);
      p[i * h.classes + c] = v;
      if (v > 0) entropy -= v * logP;
    }
  }
  return { p, entropy: rows > 0 ? entropy / rows : 0 };
}

/** Argmax class of raw rows (rows*dim) under the original head. */
export function classifyRaw(head: Head, x: Float32Array, rows: ArrayLike<number>): Int32Array {
  const { classes, dim } = head;
  const out = new Int32Array(rows.length);
  for (let q = 0; q < rows.length; q++) {
    const o = rows[q] * dim;
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = head.bias[c];
      const w = c * dim;
      for (let j = 0; j < dim; j++) s += head.weight[w + j] * x[o + j];
      if (s > bestV) {
        bestV = s;
        best = c;
      }
    }
    out[q] = best;
  }
  return out;
}
