/**
 * The GN-BN hybrid parametric projector (docs/method.md#projector): an encoder input -> 2-D and a
 * decoder 2-D -> input, built from dense layers, GroupNorm (no affine) + BatchNorm ("continual
 * normalisation") and ReLU.
 *
 * Parameters live in one flat Float32Array so that the optimiser runs in plain JS (cheaper than
 * ~40 tiny tensor ops per variable per step on wasm). Every layer's gradient is written by hand with
 * tf.customGrad and explicit transposes: on the wasm backend a matMul with a transpose flag (what
 * autodiff emits) is 10-16x slower than tf.transpose followed by a plain matMul
 * (docs/engine-choices.md#dense-gradient; the dense op itself is tf/dense.ts).
 */
import type { Tf } from '../tf/backend.js';
import { denseOp } from '../tf/dense.js';
import type { Rng } from '../util/random.js';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/** How a hidden layer normalises its pre-activations. */
export type NormKind = 'cn' | 'bn' | 'none';

/** Layer widths of the projector. */
export interface ProjectorShape {
  /** Input width (e.g. 64 PCA components). */
  readonly input: number;
  /** Encoder hidden widths; the reference uses [256, 128, 64, 32]. */
  readonly encoder: readonly number[];
  /** Decoder hidden widths; [] for no decoder. The reference mirrors the encoder: [32, 64, 128, 256]. */
  readonly decoder: readonly number[];
  /** GroupNorm groups in the 'cn' layers (reference: 8). */
  readonly groups: number;
}

/** The reference architecture for a given input width (the method's GN-BN projector). */
export function referenceShape(input: number): ProjectorShape {
  return { input, encoder: [256, 128, 64, 32], decoder: [32, 64, 128, 256], groups: 8 };
}

/**
 * The engine's default: the reference without its widest layer (128-64-32, mirrored). A step costs
 * about half as much, and within an update's time budget on two cores twice the steps trained a
 * better encoder than the reference's width did (docs/engine-choices.md#projector-size-and-decoder).
 */
export function compactShape(input: number): ProjectorShape {
  return { input, encoder: [128, 64, 32], decoder: [32, 64, 128], groups: 8 };
}

/** One dense (+ optional norm + ReLU) layer's place in the flat parameter vector. */
interface LayerSpec {
  readonly fanIn: number;
  readonly fanOut: number;
  readonly norm: NormKind;
  readonly relu: boolean;
  /** Offsets into params: W (fanIn*fanOut, row-major [in, out]), b, gamma, beta (BN only). */
  readonly w: number;
  readonly b: number;
  readonly gamma: number;
  readonly beta: number;
  /** Offset into the running-stats vector (BN only): mean then var, fanOut each. */
  readonly stats: number;
}

/** BatchNorm's variance epsilon and running-stats momentum (PyTorch defaults). */
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
const GN_EPS = 1e-5;

/** Parameter tensors of one forward pass, in layer order: W, b, [gamma, beta]. */
export type ParamTensors = readonly Tensor[];

/** Batch statistics that a training forward pass reports for the running averages. */
export interface BatchStats {
  /** Offset into runningStats, and the batch mean/var (fanOut each). */
  readonly at: number;
  readonly mean: Tensor;
  readonly variance: Tensor;
}

/** The network: layer specs, flat parameters and BatchNorm running statistics. */
export class Projector {
  readonly shape: ProjectorShape;
  readonly encLayers: readonly LayerSpec[];
  readonly decLayers: readonly LayerSpec[];
  /** All trainable parameters. */
  readonly params: Float32Array;
  /** BatchNorm running mean/var of every BN layer (eval mode). */
  readonly runningStats: Float32Array;
  /** False until the first training step has set the running stats. */
  statsReady = false;

  /**
   * @param shape layer widths
   * @param rng initialises the weights (PyTorch-style U(-1/sqrt(fanIn), 1/sqrt(fanIn)))
   */
  constructor(shape: ProjectorShape, rng: Rng) {
    if (!(shape.input >= 1) || shape.encoder.some((w) => !(w >= 1)) || shape.decoder.some((w) => !(w >= 1))) {
      throw new Error(`Projector: every width must be a positive integer, got ${JSON.stringify(shape)}`);
    }
    for (const w of [...shape.encoder.slice(0, 1), ...shape.decoder.slice(0, 1)]) {
      if (w % shape.groups !== 0) throw new Error(`Projector: width ${w} is not divisible by ${shape.groups} groups`);
    }
    this.shape = shape;
    let p = 0;
    let s = 0;
    const build = (widths: readonly number[], input: number, output: number): LayerSpec[] => {
      const out: LayerSpec[] = [];
      const dims = [input, ...widths, output];
      for (let i = 0; i + 1 < dims.length; i++) {
        const last = i + 2 === dims.length;
        // The first hidden layer gets GroupNorm+BatchNorm (the "CN" of the reference), the others BN.
        const norm: NormKind = last ? 'none' : i === 0 ? 'cn' : 'bn';
        const fanIn = dims[i];
        const fanOut = dims[i + 1];
        const w = p;
        p += fanIn * fanOut;
        const b = p;
        p += fanOut;
        let gamma = -1;
        let beta = -1;
        let stats = -1;
        if (norm !== 'none') {
          gamma = p;
          p += fanOut;
          beta = p;
          p += fanOut;
          stats = s;
          s += 2 * fanOut;
        }
        out.push({ fanIn, fanOut, norm, relu: !last, w, b, gamma, beta, stats });
      }
      return out;
    };
    this.encLayers = build(shape.encoder, shape.input, 2);
    this.decLayers = shape.decoder.length > 0 ? build(shape.decoder, 2, shape.input) : [];
    this.params = new Float32Array(p);
    this.runningStats = new Float32Array(s);
    for (const l of [...this.encLayers, ...this.decLayers]) {
      const bound = 1 / Math.sqrt(l.fanIn);
      for (let i = 0; i < l.fanIn * l.fanOut; i++) this.params[l.w + i] = (2 * rng.next() - 1) * bound;
      for (let i = 0; i < l.fanOut; i++) this.params[l.b + i] = (2 * rng.next() - 1) * bound;
      if (l.norm !== 'none') {
        this.params.fill(1, l.gamma, l.gamma + l.fanOut);
        this.runningStats.fill(1, l.stats + l.fanOut, l.stats + 2 * l.fanOut);
      }
    }
  }

  /** True when the projector has a decoder. */
  get hasDecoder(): boolean {
    return this.decLayers.length > 0;
  }

  /** Copy weights and running stats from another projector of the same shape (warm start). */
  copyFrom(other: Projector): void {
    if (other.params.length !== this.params.length) throw new Error('Projector.copyFrom: shapes differ');
    this.params.set(other.params);
    this.runningStats.set(other.runningStats);
    this.statsReady = other.statsReady;
  }

  /** Upload the parameters of the given layers as tensors (in layer order: W, b, [gamma, beta]). */
  paramTensors(tf: Tf, which: 'enc' | 'dec' | 'all'): Tensor[] {
    const layers = which === 'enc' ? this.encLayers : which === 'dec' ? this.decLayers : [...this.encLayers, ...this.decLayers];
    const out: Tensor[] = [];
    for (const l of layers) {
      out.push(tf.tensor2d(this.params.subarray(l.w, l.w + l.fanIn * l.fanOut), [l.fanIn, l.fanOut]));
      out.push(tf.tensor1d(this.params.subarray(l.b, l.b + l.fanOut)));
      if (l.norm !== 'none') {
        out.push(tf.tensor1d(this.params.subarray(l.gamma, l.gamma + l.fanOut)));
        out.push(tf.tensor1d(this.params.subarray(l.beta, l.beta + l.fanOut)));
      }
    }
    return out;
  }

  /** Flat-vector offsets of the tensors that paramTensors(which) returns, with their sizes. */
  paramSlots(which: 'enc' | 'dec' | 'all'): { offset: number; size: number }[] {
    const layers = which === 'enc' ? this.encLayers : which === 'dec' ? this.decLayers : [...this.encLayers, ...this.decLayers];
    const out: { offset: number; size: number }[] = [];
    for (const l of layers) {
      out.push({ offset: l.w, size: l.fanIn * l.fanOut }, { offset: l.b, size: l.fanOut });
      if (l.norm !== 'none') out.push({ offset: l.gamma, size: l.fanOut }, { offset: l.beta, size: l.fanOut });
    }
    return out;
  }

  /**
   * Forward pass through encoder or decoder.
   * @param tf tfjs
   * @param part 'enc' or 'dec'
   * @param p the parameter tensors of that part, as paramTensors(part) returns them
   * @param x [B, in] input rows
   * @param stats when given, BatchNorm uses batch statistics (training) and reports them here;
   *   otherwise it uses the running statistics (inference)
   */
  forward(tf: Tf, part: 'enc' | 'dec', p: ParamTensors, x: Tensor2D, stats?: BatchStats[]): Tensor2D {
    const layers = part === 'enc' ? this.encLayers : this.decLayers;
    const ops = layerOps(tf);
    let h = x;
    let k = 0;
    for (const l of layers) {
      const w = p[k++] as Tensor2D;
      const b = p[k++] as Tensor1D;
      h = ops.dense(h, w, b) as Tensor2D;
      if (l.norm !== 'none') {
        const gamma = p[k++] as Tensor1D;
        const beta = p[k++] as Tensor1D;
        if (l.norm === 'cn') h = ops.groupNorm(h, this.shape.groups);
        if (stats) {
          const r = ops.batchNormTrain(h, gamma, beta);
          stats.push({ at: l.stats, mean: r.mean, variance: r.variance });
          h = r.y;
        } else {
          const mean = tf.tensor1d(this.runningStats.subarray(l.stats, l.stats + l.fanOut));
          const variance = tf.tensor1d(this.runningStats.subarray(l.stats + l.fanOut, l.stats + 2 * l.fanOut));
          const inv = tf.mul(tf.rsqrt(tf.add(variance, BN_EPS)), gamma);
          h = tf.add(tf.mul(tf.sub(h, mean), inv), beta);
        }
      }
      if (l.relu) h = tf.relu(h);
    }
    return h;
  }

  /**
   * Fold a training step's batch statistics into the running averages.
   * @param values for each BatchStats in order, its [mean, variance] values
   */
  updateRunningStats(entries: readonly { at: number; mean: Float32Array; variance: Float32Array }[]): void {
    const m = this.statsReady ? BN_MOMENTUM : 1;
    for (const e of entries) {
      const c = e.mean.length;
      for (let i = 0; i < c; i++) {
        const a = e.at + i;
        this.runningStats[a] += m * (e.mean[i] - this.runningStats[a]);
        this.runningStats[a + c] += m * (e.variance[i] - this.runningStats[a + c]);
      }
    }
    this.statsReady = true;
  }

  /**
   * Inference: map rows through one part, in chunks to bound tensor memory.
   * @param x rows*in (input width of the part), row-major
   * @returns rows*out
   */
  apply(tf: Tf, part: 'enc' | 'dec', x: Float32Array, rows: number): Float32Array {
    const layers = part === 'enc' ? this.encLayers : this.decLayers;
    if (layers.length === 0) throw new Error('Projector.apply: this projector has no decoder');
    const inW = layers[0].fanIn;
    const outW = layers[layers.length - 1].fanOut;
    if (x.length !== rows * inW) throw new Error(`Projector.apply: expected ${rows}x${inW} values, got ${x.length}`);
    const out = new Float32Array(rows * outW);
    const chunk = 4096;
    const p = this.paramTensors(tf, part);
    try {
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const r1 = Math.min(rows, r0 + chunk);
        const y = tf.tidy(() => this.forward(tf, part, p, tf.tensor2d(x.subarray(r0 * inW, r1 * inW), [r1 - r0, inW])));
        out.set(y.dataSync() as Float32Array, r0 * outW);
        y.dispose();
      }
    } finally {
      for (const t of p) t.dispose();
    }
    return out;
  }
}

/** The hand-differentiated building blocks, created once per tf instance. */
interface LayerOps {
  dense(x: Tensor2D, w: Tensor2D, b: Tensor1D): Tensor2D;
  groupNorm(x: Tensor2D, groups: number): Tensor2D;
  batchNormTrain(x: Tensor2D, gamma: Tensor1D, beta: Tensor1D): { y: Tensor2D; mean: Tensor; variance: Tensor };
}

const opsCache = new WeakMap<Tf, LayerOps>();

/** Column means via a ones-row matMul: a plain (flag-free) matMul is the fastest reduction over rows on wasm. */
function colMean(tf: Tf, x: Tensor2D): Tensor2D {
  const ones = tf.fill([1, x.shape[0]], 1 / x.shape[0]) as Tensor2D;
  return tf.matMul(ones, x);
}

/** The hand-differentiated building blocks of one tf instance (cached). */
export function layerOps(tf: Tf): LayerOps {
  const cached = opsCache.get(tf);
  if (cached) return cached;
  const dense = denseOp(tf);

  /** GroupNorm without affine over consecutive channel groups (PyTorch's grouping). */
  const gnCore = tf.customGrad((...args: unknown[]) => {
    // x: [B*G, C/G]; each row is one group of one sample.
    const [x, save] = args as [Tensor2D, (t: Tensor[]) => void];
    const { mean, variance } = tf.moments(x, 1, true);
    const inv = tf.rsqrt(tf.add(variance, GN_EPS));
    const xhat = tf.mul(tf.sub(x, mean), inv);
    save([xhat, inv]);
    return {
      value: xhat,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g = dy as Tensor2D;
        const [xh, iv] = saved;
        // dx = inv * (g - mean(g) - xhat * mean(g * xhat)), means over the group.
        const mg = tf.mean(g, 1, true);
        const mgx = tf.mean(tf.mul(g, xh), 1, true);
        return [tf.mul(iv, tf.sub(tf.sub(g, mg), tf.mul(xh, mgx)))];
      },
    };
  });
  const groupNorm = (x: Tensor2D, groups: number): Tensor2D => {
    const [b, c] = x.shape;
    const r = gnCore(tf.reshape(x, [b * groups, c / groups])) as Tensor2D;
    return tf.reshape(r, [b, c]);
  };

  let lastStats: { mean: Tensor; variance: Tensor } | undefined;
  const bnCore = tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [Tensor2D, Tensor1D, Tensor1D, (t: Tensor[]) => void];
    const mean = colMean(tf, x);
    const xc = tf.sub(x, mean);
    const variance = colMean(tf, tf.square(xc) as Tensor2D);
    const inv = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(xc, inv);
    save([xhat, inv, gamma]);
    lastStats = { mean: tf.keep(tf.reshape(mean, [-1])), variance: tf.keep(tf.reshape(variance, [-1])) };
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const g = dy as Tensor2D;
        const [xh, iv, gm] = saved as [Tensor2D, Tensor2D, Tensor1D];
        const n = g.shape[0];
        const ones = tf.ones([1, n]) as Tensor2D;
        const dbeta = tf.matMul(ones, g);
        const dgamma = tf.matMul(ones, tf.mul(g, xh));
        const dxh = tf.mul(g, gm);
        // dx = inv/n * (n*dxhat - colSum(dxhat) - xhat*colSum(dxhat*xhat)); colSum(dxhat) = gamma*dbeta.
        const s1 = tf.mul(dbeta, gm);
        const s2 = tf.mul(dgamma, gm);
        const dx = tf.mul(tf.mul(iv, 1 / n), tf.sub(tf.sub(tf.mul(dxh, n), s1), tf.mul(xh, s2)));
        return [dx, tf.reshape(dgamma, [-1]), tf.reshape(dbeta, [-1])];
      },
    };
  });
  const batchNormTrain = (x: Tensor2D, gamma: Tensor1D, beta: Tensor1D) => {
    const y = bnCore(x, gamma, beta) as Tensor2D;
    const s = lastStats!;
    lastStats = undefined;
    return { y, mean: s.mean, variance: s.variance };
  };
  const ops: LayerOps = { dense, groupNorm, batchNormTrain };
  opsCache.set(tf, ops);
  return ops;
}
