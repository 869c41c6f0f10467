/**
 * A small multilayer perceptron trained with plain tfjs ops: ReLU hidden layers, softmax output,
 * SGD with momentum. The last hidden layer is the one SentryCam watches; the output layer is the
 * classifier head sent with each epoch.
 */
import type { Rng } from '../util/random.js';
import type { Tf } from '../tf/backend.js';
import { denseOp, type DenseOp } from '../tf/dense.js';
import type * as tfType from '@tensorflow/tfjs-core';

type Tensor = tfType.Tensor;
type Tensor1D = tfType.Tensor1D;
type Tensor2D = tfType.Tensor2D;
type Variable = tfType.Variable;

/** One dense layer's parameters: y = x W + b, W is [in, out] (tfjs' layout). */
interface Dense {
  readonly w: Variable;
  readonly b: Variable;
}

/** Outputs of a forward pass. */
export interface Forward {
  /** The last hidden layer's activations, [n, hidden[last]]. */
  readonly hidden: Float32Array;
  /** argmax of the logits. */
  readonly preds: Int32Array;
  /** Mean cross-entropy, when labels were given. */
  readonly loss?: number;
  /** Share of correct predictions, when labels were given. */
  readonly accuracy?: number;
}

/** The output layer as the protocol wants it: weight [C, D] row-major, bias [C]. */
export interface HeadWeights {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly classes: number;
  readonly dim: number;
}

/** Rows per forward pass in evaluation; bounds memory without many small ops. */
const EVAL_CHUNK = 1000;

export class Mlp {
  private readonly layers: Dense[];
  private readonly optimizer: tfType.MomentumOptimizer;
  /** The first layer skips dx (its input is the data); see tf/dense.ts. */
  private readonly inputDense: DenseOp;
  private readonly dense: DenseOp;

  /**
   * @param sizes layer widths, input first and classes last, e.g. [784, 128, 64, 10].
   * @param rng seeds the He-normal initial weights.
   * @param momentum SGD momentum.
   * @param weightDecay L2 penalty on the weight matrices (not biases), added to the loss as
   *   weightDecay/2 * sum of squares.
   */
  constructor(
    private readonly tf: Tf,
    readonly sizes: readonly number[],
    rng: Rng,
    momentum = 0.9,
    private readonly weightDecay = 0,
  ) {
    if (sizes.length < 3 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`Mlp: sizes must be >= 3 positive integers (input, hidden..., classes), got [${sizes.join(', ')}]`);
    this.layers = sizes.slice(1).map((out, i) => {
      const fanIn = sizes[i]!;
      // He initialisation keeps ReLU activations at a constant scale through the layers.
      const std = Math.sqrt(2 / fanIn);
      const w = Float32Array.from({ length: fanIn * out }, () => rng.normal() * std);
      return { w: tf.variable(tf.tensor2d(w, [fanIn, out])), b: tf.variable(tf.zeros([out])) };
    });
    this.optimizer = tf.train.momentum(0.01, momentum);
    this.inputDense = denseOp(tf, true);
    this.dense = denseOp(tf, false);
  }

  get classes(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** Width of the watched (last hidden) layer. */
  get hiddenDim(): number {
    return this.sizes[this.sizes.length - 2]!;
  }

  /**
   * One pass over the given rows in minibatches.
   * @param x all inputs, n*sizes[0]; @param labels all labels
   * @param order the rows to visit, in this order (the caller shuffles)
   * @returns the mean training loss over the batches
   * Yields to the event loop after every step, so that queued frames are sent and signals handled
   * while the model trains.
   * @param shouldStop checked after every step: true ends the epoch early
   */
  async trainEpoch(x: Float32Array, labels: Int32Array, order: Int32Array, lr: number, batchSize: number, shouldStop: () => boolean = () => false): Promise<number> {
    const tf = this.tf;
    const inDim = this.sizes[0]!;
    this.optimizer.setLearningRate(lr);
    const vars = this.layers.flatMap((l) => [l.w, l.b]);
    let total = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = order.subarray(start, Math.min(order.length, start + batchSize));
      const xb = new Float32Array(rows.length * inDim);
      const yb = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        xb.set(x.subarray(rows[i]! * inDim, (rows[i]! + 1) * inDim), i * inDim);
        yb[i] = labels[rows[i]!]!;
      }
      const loss = tf.tidy(() => {
        const xt = tf.tensor2d(xb, [rows.length, inDim]);
        const onehot = tf.oneHot(tf.tensor1d(yb, 'int32'), this.classes);
        return this.optimizer.minimize(() => {
          const ce = crossEntropy(tf, this.logits(xt).logits, onehot);
          if (this.weightDecay === 0) return ce;
          const l2 = tf.addN(this.layers.map((l) => tf.sum(tf.square(l.w))));
          return tf.add(ce, tf.mul(l2, this.weightDecay / 2)) as tfType.Scalar;
        }, true, vars) as tfType.Scalar;
      });
      total += loss.dataSync()[0]!;
      loss.dispose();
      batches++;
      await new Promise((resolve) => setImmediate(resolve));
      if (shouldStop()) break;
    }
    return total / Math.max(1, batches);
  }

  /** Forward pass over rows of x (n*sizes[0]); loss/accuracy when labels are given. */
  evaluate(x: Float32Array, labels?: Int32Array): Forward {
    const tf = this.tf;
    const inDim = this.sizes[0]!;
    const n = x.length / inDim;
    const hidden = new Float32Array(n * this.hiddenDim);
    const preds = new Int32Array(n);
    let lossSum = 0;
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const m = Math.min(EVAL_CHUNK, n - start);
      const [h, p, l] = tf.tidy(() => {
        const out = this.logits(tf.tensor2d(x.subarray(start * inDim, (start + m) * inDim), [m, inDim]));
        const loss = labels ? crossEntropy(tf, out.logits, tf.oneHot(tf.tensor1d(labels.subarray(start, start + m), 'int32'), this.classes)) : tf.scalar(0);
        return [out.hidden, tf.argMax(out.logits, 1), loss];
      });
      hidden.set(h.dataSync() as Float32Array, start * this.hiddenDim);
      preds.set(p.dataSync() as Int32Array, start);
      lossSum += l.dataSync()[0]! * m;
      tf.dispose([h, p, l]);
    }
    if (!labels) return { hidden, preds };
    let correct = 0;
    for (let i = 0; i < n; i++) if (preds[i] === labels[i]) correct++;
    return { hidden, preds, loss: lossSum / n, accuracy: correct / n };
  }

  /** The output layer, transposed from tfjs' [D, C] kernel to the protocol's [C, D]. */
  head(): HeadWeights {
    const last = this.layers[this.layers.length - 1]!;
    const [dim, classes] = last.w.shape as [number, number];
    const kernel = last.w.dataSync() as Float32Array;
    const weight = new Float32Array(classes * dim);
    for (let d = 0; d < dim; d++) for (let c = 0; c < classes; c++) weight[c * dim + d] = kernel[d * classes + c]!;
    return { weight, bias: Float32Array.from(last.b.dataSync() as Float32Array), classes, dim };
  }

  dispose(): void {
    for (const l of this.layers) this.tf.dispose([l.w, l.b]);
    this.optimizer.dispose();
  }

  private logits(x: Tensor2D): { hidden: Tensor2D; logits: Tensor2D } {
    let h = x;
    let hidden = x;
    this.layers.forEach((l, i) => {
      const z = (i === 0 ? this.inputDense : this.dense)(h, l.w as Tensor2D, l.b as Tensor1D);
      if (i < this.layers.length - 1) {
        h = this.tf.relu(z);
        hidden = h;
      } else {
        h = z;
      }
    });
    return { hidden, logits: h };
  }
}

/** Mean softmax cross-entropy. */
function crossEntropy(tf: Tf, logits: Tensor2D, onehot: Tensor): tfType.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tfType.Scalar;
}
