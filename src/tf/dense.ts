/**
 * A dense layer y = x W + b whose gradient is written by hand, shared by the engine's projector and
 * the demo's MLP. On the wasm backend a matMul with a transpose flag (what autodiff of matMul emits)
 * is 10-16x slower than tf.transpose followed by a plain matMul (docs/engine-choices.md#dense-gradient),
 * so every transpose here is explicit, and the cheaper one is chosen.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.js';

/** x [B, in], W [in, out] (tfjs' layout), b [out] -> [B, out]. */
export type DenseOp = (x: Tensor2D, w: Tensor2D, b: Tensor1D) => Tensor2D;

/**
 * Build the op (it holds no state; build it once per tf instance and layer kind).
 * Gradients: dx = dy W^T; dW = x^T dy, taken as (dy^T x)^T when x is the wider of the two, since
 * transposing the narrower matrix is the cheaper (1.4-7x apart on the projector's layers at 1536
 * rows); db = colSum(dy) as a ones-row matMul, up to 70x faster on wasm than tf.sum over rows
 * (docs/engine-choices.md#dense-gradient). Both dW forms gave bit-identical layouts in our runs.
 * @param tf tfjs
 * @param inputLayer x is the data, not a function of the weights: dx is not needed and is
 *   returned as zeros (saves a [B, in] matMul)
 */
export function denseOp(tf: Tf, inputLayer = false): DenseOp {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, w, b, save] = args as [Tensor2D, Tensor2D, Tensor1D, (t: Tensor[]) => void];
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g = dy as Tensor2D;
        const [xs, ws] = saved as [Tensor2D, Tensor2D];
        const dx = inputLayer ? tf.zerosLike(xs) : tf.matMul(g, tf.transpose(ws));
        const dw = xs.shape[1] > g.shape[1] ? tf.transpose(tf.matMul(tf.transpose(g), xs)) : tf.matMul(tf.transpose(xs), g);
        const ones = tf.ones([1, g.shape[0]]) as Tensor2D;
        const db = tf.reshape(tf.matMul(ones, g), [g.shape[1]]);
        return [dx, dw, db];
      },
    };
  });
  return op as unknown as DenseOp;
}
