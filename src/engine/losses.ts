/**
 * Training losses of the projector (docs/method.md#projector), as tfjs functions usable inside a
 * gradient. No tf.gather here: its gradient needs UnsortedSegmentSum, which the wasm backend lacks;
 * callers lay rows out so that slices and rolls suffice.
 */
import type { Tf } from '../tf/backend.js';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/** -log of UMAP's clamp at 1e-4: the largest per-pair loss. */
const CE_CAP = -Math.log(1e-4);
/** Keeps log(d^2) finite for coincident points. */
const D2_EPS = 1e-6;

/** z = log a + b log(d^2): -log q = softplus(z), -log(1 - q) = softplus(-z) for q = 1/(1 + a d^(2b)). */
function logit(tf: Tf, u: Tensor2D, v: Tensor2D, a: number, b: number): Tensor1D {
  const d2 = tf.sum(tf.square(tf.sub(u, v)), 1);
  return tf.add(tf.mul(tf.log(tf.add(d2, D2_EPS)), b), Math.log(a)) as Tensor1D;
}

/** Rows of y rolled up by `shift` (row i of the result is row (i + shift) mod n). */
export function roll(tf: Tf, y: Tensor2D, shift: number): Tensor2D {
  const n = y.shape[0];
  const s = ((shift % n) + n) % n;
  if (s === 0) return y;
  return tf.concat([tf.slice(y, [s, 0], [n - s, -1]), tf.slice(y, [0, 0], [s, -1])], 0) as Tensor2D;
}

/**
 * UMAP cross-entropy with negative sampling: positives (from[i], to[i]) with p = 1; for each shift,
 * negatives (rolled from, to) with p = 0. Mean over all pairs, each clamped as in the reference
 * (q and 1 - q at least 1e-4). Numerically stable through softplus.
 * @param from [B, 2] embeddings of the edges' first endpoints
 * @param to [B, 2] embeddings of the second endpoints
 * @param shifts one roll per negative round (5 in the reference); 0 < shift < B
 */
export function umapCrossEntropy(tf: Tf, from: Tensor2D, to: Tensor2D, shifts: readonly number[], a: number, b: number): Scalar {
  const pos = tf.minimum(tf.softplus(logit(tf, from, to, a, b)), CE_CAP);
  let total: Tensor = tf.sum(pos);
  for (const s of shifts) {
    const neg = tf.minimum(tf.softplus(tf.neg(logit(tf, roll(tf, from, s), to, a, b))), CE_CAP);
    total = tf.add(total, tf.sum(neg));
  }
  return tf.div(total, from.shape[0] * (1 + shifts.length)) as Scalar;
}

/** Mean squared reconstruction error over all entries. */
export function reconstructionLoss(tf: Tf, x: Tensor2D, xr: Tensor2D): Scalar {
  return tf.mean(tf.square(tf.sub(xr, x))) as Scalar;
}

/**
 * Temporal anchor: mean(max(0, |y - target| - margin)) — historical points may move within their
 * epoch's margin, no further.
 * @param y [H, 2] current embeddings of historical rows
 * @param target [H, 2] where that epoch's layout put them
 * @param margin [H] allowed slack
 */
export function anchorLoss(tf: Tf, y: Tensor2D, target: Tensor2D, margin: Tensor1D): Scalar {
  // The tiny epsilon keeps the gradient of the norm finite at 0.
  const dist = tf.sqrt(tf.add(tf.sum(tf.square(tf.sub(y, target)), 1), 1e-8));
  return tf.mean(tf.relu(tf.sub(dist, margin))) as Scalar;
}

/**
 * Cross-entropy of a linear classifier's softmax on z against target class probabilities p: mean
 * over rows of -sum_c p_c log softmax(z w + b)_c. Its floor is the targets' mean entropy.
 * @param z [R, m] rows in the classifier's input space (decoder outputs)
 * @param w [m, C] and b [C] the classifier (constants)
 * @param p [R, C] target probabilities per row
 */
export function classCrossEntropy(tf: Tf, z: Tensor2D, w: Tensor2D, b: Tensor1D, p: Tensor2D): Scalar {
  const logQ = tf.logSoftmax(tf.add(tf.matMul(z, w), b));
  return tf.div(tf.neg(tf.sum(tf.mul(p, logQ))), z.shape[0]) as Scalar;
}
