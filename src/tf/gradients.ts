/**
 * Gradients of the kernels SentryCam differentiates through, for when tfjs-core is loaded on its
 * own. tfjs-core's Node build registers no gradients (the whole `@tensorflow/tfjs` package does, at
 * the price of layers, converter, data and webgl: ~220 MB installed), so the wasm path registers
 * these. Kernels that already have a gradient (tfjs or tfjs-node loaded in the same process) are
 * left alone. Each rule is checked against finite differences in test/tf/gradients.test.ts.
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from './backend.js';

/** Input name -> its gradient, computed on demand (tfjs' NamedGradientMap). */
type Gradients = Record<string, () => Tensor>;
type Grad = (tf: Tf, dy: Tensor, saved: Tensor[], attrs: NamedAttrMap) => Gradients;

/** Sums a broadcast gradient back down to the shape of the input it belongs to. */
function unbroadcast(tf: Tf, g: Tensor, shape: readonly number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape as number[], g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape as number[]);
}

/** Gradient of a reduction (sum or mean) spread back over the reduced axes of x. */
function spread(tf: Tf, dy: Tensor, x: Tensor, axis: unknown, scaleByCount: boolean): Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  // dy has the reduced shape with or without the kept 1s; reshape to the kept form, then broadcast.
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const g = tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
  if (!scaleByCount) return g;
  return tf.div(g, axes.reduce((n, a) => n * x.shape[a]!, 1));
}

/** a op b with broadcasting: da, db from elementwise partials. */
function binary(partials: (tf: Tf, dy: Tensor, a: Tensor, b: Tensor) => [Tensor, Tensor]): Grad {
  return (tf, dy, [a, b]) => ({
    a: () => unbroadcast(tf, partials(tf, dy, a!, b!)[0], a!.shape),
    b: () => unbroadcast(tf, partials(tf, dy, a!, b!)[1], b!.shape),
  });
}

const step = (tf: Tf, mask: Tensor): Tensor => tf.cast(mask, 'float32');

/** Kernel name -> which inputs the rule needs, and the rule. */
const RULES: Record<string, { readonly save: 'ab' | 'x' | 'all' | 'none'; readonly output?: boolean; readonly grad: Grad }> = {
  Add: { save: 'ab', grad: binary((_, dy) => [dy, dy]) },
  Sub: { save: 'ab', grad: binary((tf, dy) => [dy, tf.neg(dy)]) },
  Multiply: { save: 'ab', grad: binary((tf, dy, a, b) => [tf.mul(dy, tf.cast(b, 'float32')), tf.mul(dy, tf.cast(a, 'float32'))]) },
  RealDiv: { save: 'ab', grad: binary((tf, dy, a, b) => [tf.div(dy, b), tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))]) },
  Minimum: { save: 'ab', grad: binary((tf, dy, a, b) => [tf.mul(dy, step(tf, tf.lessEqual(a, b))), tf.mul(dy, step(tf, tf.greater(a, b)))]) },
  Maximum: { save: 'ab', grad: binary((tf, dy, a, b) => [tf.mul(dy, step(tf, tf.greaterEqual(a, b))), tf.mul(dy, step(tf, tf.less(a, b)))]) },
  Neg: { save: 'none', grad: (tf, dy) => ({ x: () => tf.neg(dy) }) },
  Square: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x!, 2)) }) },
  Sqrt: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.div(dy, tf.mul(tf.sqrt(x!), 2)) }) },
  Rsqrt: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.div(dy, tf.mul(tf.pow(x!, 1.5), -2)) }) },
  Log: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.div(dy, x!) }) },
  Exp: { save: 'none', output: true, grad: (tf, dy, [y]) => ({ x: () => tf.mul(dy, y!) }) },
  Softplus: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.mul(dy, tf.sigmoid(x!)) }) },
  Sigmoid: { save: 'none', output: true, grad: (tf, dy, [y]) => ({ x: () => tf.mul(dy, tf.mul(y!, tf.sub(1, y!))) }) },
  Tanh: { save: 'none', output: true, grad: (tf, dy, [y]) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(y!))) }) },
  Relu: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.mul(dy, step(tf, tf.greater(x!, 0))) }) },
  ClipByValue: {
    save: 'x',
    grad: (tf, dy, [x], attrs) => ({ x: () => tf.mul(dy, step(tf, tf.logicalAnd(tf.greaterEqual(x!, attrs.clipValueMin as number), tf.lessEqual(x!, attrs.clipValueMax as number)))) }),
  },
  Identity: { save: 'none', grad: (_, dy) => ({ x: () => dy }) },
  Cast: { save: 'none', grad: (tf, dy) => ({ x: () => tf.clone(dy) }) },
  Reshape: { save: 'x', grad: (tf, dy, [x]) => ({ x: () => tf.reshape(dy, x!.shape) }) },
  Transpose: {
    save: 'none',
    grad: (tf, dy, _, attrs) => {
      const perm = attrs.perm as number[];
      const inverse = perm.map((_p, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy, inverse) };
    },
  },
  Sum: { save: 'x', grad: (tf, dy, [x], attrs) => ({ x: () => spread(tf, dy, x!, attrs.axis, false) }) },
  Mean: { save: 'x', grad: (tf, dy, [x], attrs) => ({ x: () => spread(tf, dy, x!, attrs.axis, true) }) },
  Slice: {
    save: 'x',
    grad: (tf, dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs.begin as number[], attrs.size as number[]) as [number[], number[]];
      const pads = x!.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as [number, number]);
      return { x: () => tf.pad(dy, pads) };
    },
  },
  Concat: {
    save: 'all',
    grad: (tf, dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0]!.shape)[0]!;
      const parts = tf.split(dy, saved.map((t) => t.shape[axis]!), axis);
      return Object.fromEntries(parts.map((p, i) => [i, () => p]));
    },
  },
  AddN: { save: 'all', grad: (_, dy, saved) => Object.fromEntries(saved.map((_t, i) => [i, () => dy])) },
  BatchMatMul: {
    save: 'ab',
    grad: (tf, dy, [a, b], attrs) => {
      if (a!.rank !== 2 || b!.rank !== 2) throw new Error('tf-gradients: the BatchMatMul gradient is implemented for rank-2 inputs only');
      // Explicit transposes: a matMul with a transpose flag is 10-16x slower on wasm (see dense.ts).
      const t = (m: Tensor) => tf.transpose(m);
      const mm = (p: Tensor, q: Tensor) => tf.matMul(p as never, q as never) as Tensor;
      const ta = attrs.transposeA === true;
      const tb = attrs.transposeB === true;
      // C = op(A) op(B); the four cases of which operand enters transposed.
      if (!ta && !tb) return { a: () => mm(dy, t(b!)), b: () => mm(t(a!), dy) };
      if (!ta && tb) return { a: () => mm(dy, b!), b: () => mm(t(dy), a!) };
      if (ta && !tb) return { a: () => mm(b!, t(dy)), b: () => mm(a!, dy) };
      return { a: () => mm(t(b!), t(dy)), b: () => mm(t(dy), t(a!)) };
    },
  },
  Softmax: {
    save: 'none',
    output: true,
    grad: (tf, dy, [y], attrs) => {
      const dim = attrs.dim as number;
      const dyTimesY = tf.mul(dy, y!);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y!)) };
    },
  },
};

/** Names of the kernels this module can differentiate. */
export const GRADIENT_KERNELS: readonly string[] = Object.keys(RULES);

/**
 * Register the missing gradients; idempotent (a registered kernel is skipped, whoever registered it).
 * @returns the kernels registered by this call
 */
export function registerGradients(tf: Tf): string[] {
  const added: string[] = [];
  for (const [kernelName, rule] of Object.entries(RULES)) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    const config: GradConfig = {
      kernelName,
      ...(rule.save === 'ab' ? { inputsToSave: ['a', 'b'] } : rule.save === 'x' ? { inputsToSave: ['x'] } : rule.save === 'all' ? { saveAllInputs: true } : {}),
      ...(rule.output ? { outputsToSave: [true] } : {}),
      gradFunc: (dy, saved, attrs) => rule.grad(tf, dy as Tensor, saved, attrs),
    };
    tf.registerGradient(config);
    added.push(kernelName);
  }
  return added;
}
