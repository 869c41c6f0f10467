/**
 * Our gradient rules (src/tf/gradients.ts) against central finite differences, on the backend
 * initTf chose. Every registered kernel has a case; inputs keep clear of kinks (relu, min, clip).
 */
import test from 'ava';
import type { Tensor } from '@tensorflow/tfjs-core';
import { initTf, type Tf } from '../../src/tf/backend.js';
import { GRADIENT_KERNELS } from '../../src/tf/gradients.js';
import { createRng } from '../../src/util/random.js';

type Spec = { readonly shape: number[]; readonly lo?: number; readonly hi?: number; readonly gap?: number };
interface Case {
  readonly inputs: Spec[];
  readonly f: (tf: Tf, xs: Tensor[]) => Tensor;
}

const M23: Spec = { shape: [2, 3] };
const POS23: Spec = { shape: [2, 3], lo: 0.5, hi: 2 };
/** Values with |x| >= 0.3: a finite difference of 1e-2 never crosses 0. */
const OFF0: Spec = { shape: [2, 3], gap: 0.3 };
const FAR: Spec = { shape: [2, 3], lo: -3, hi: 3, gap: 1.2 };

const cases: Record<string, Case[]> = {
  Add: [{ inputs: [M23, { shape: [3] }], f: (tf, [a, b]) => tf.add(a!, b!) }],
  Sub: [{ inputs: [{ shape: [2, 1] }, M23], f: (tf, [a, b]) => tf.sub(a!, b!) }],
  Multiply: [{ inputs: [M23, { shape: [1, 3] }], f: (tf, [a, b]) => tf.mul(a!, b!) }],
  RealDiv: [{ inputs: [M23, POS23], f: (tf, [a, b]) => tf.div(a!, b!) }],
  // a in [0.5, 1], |b| >= 1.2: a - b stays at least 0.2 from 0, on both sides.
  Minimum: [{ inputs: [{ shape: [2, 3], lo: 0.5, hi: 1 }, FAR], f: (tf, [a, b]) => tf.minimum(a!, b!) }],
  Maximum: [{ inputs: [{ shape: [2, 3], lo: 0.5, hi: 1 }, FAR], f: (tf, [a, b]) => tf.maximum(a!, b!) }],
  Neg: [{ inputs: [M23], f: (tf, [x]) => tf.neg(x!) }],
  Square: [{ inputs: [M23], f: (tf, [x]) => tf.square(x!) }],
  Sqrt: [{ inputs: [POS23], f: (tf, [x]) => tf.sqrt(x!) }],
  Rsqrt: [{ inputs: [POS23], f: (tf, [x]) => tf.rsqrt(x!) }],
  Log: [{ inputs: [POS23], f: (tf, [x]) => tf.log(x!) }],
  Exp: [{ inputs: [M23], f: (tf, [x]) => tf.exp(x!) }],
  Softplus: [{ inputs: [M23], f: (tf, [x]) => tf.softplus(x!) }],
  Sigmoid: [{ inputs: [M23], f: (tf, [x]) => tf.sigmoid(x!) }],
  Tanh: [{ inputs: [M23], f: (tf, [x]) => tf.tanh(x!) }],
  Relu: [{ inputs: [OFF0], f: (tf, [x]) => tf.relu(x!) }],
  ClipByValue: [{ inputs: [{ shape: [2, 3], lo: -2, hi: 2, gap: 0.3 }], f: (tf, [x]) => tf.clipByValue(x!, -1.05, 1.05) }],
  Identity: [{ inputs: [M23], f: (tf, [x]) => tf.clone(x!) }],
  Cast: [{ inputs: [M23], f: (tf, [x]) => tf.cast(x!, 'float32') }],
  Reshape: [{ inputs: [M23], f: (tf, [x]) => tf.reshape(x!, [3, 2]) }],
  Transpose: [
    { inputs: [M23], f: (tf, [x]) => tf.transpose(x!) },
    { inputs: [{ shape: [2, 3, 4] }], f: (tf, [x]) => tf.transpose(x!, [2, 0, 1]) },
  ],
  Sum: [
    { inputs: [M23], f: (tf, [x]) => tf.sum(x!, 1) },
    { inputs: [{ shape: [2, 3, 2] }], f: (tf, [x]) => tf.sum(x!, [0, 2], true) },
    { inputs: [M23], f: (tf, [x]) => tf.sum(x!) },
  ],
  Mean: [
    { inputs: [M23], f: (tf, [x]) => tf.mean(x!, 0) },
    { inputs: [{ shape: [2, 3, 2] }], f: (tf, [x]) => tf.mean(x!, -1, true) },
  ],
  Slice: [
    { inputs: [{ shape: [4, 3] }], f: (tf, [x]) => tf.slice(x!, [1, 0], [2, -1]) },
    { inputs: [{ shape: [4, 3] }], f: (tf, [x]) => tf.slice(x!, [0, 1], [-1, 1]) },
  ],
  Concat: [
    { inputs: [M23, { shape: [1, 3] }], f: (tf, [a, b]) => tf.concat([a!, b!], 0) },
    { inputs: [M23, { shape: [2, 2] }], f: (tf, [a, b]) => tf.concat([a!, b!], 1) },
  ],
  AddN: [{ inputs: [M23, M23, M23], f: (tf, xs) => tf.addN(xs) }],
  BatchMatMul: [false, true].flatMap((ta) =>
    [false, true].map((tb) => ({
      inputs: [{ shape: ta ? [3, 2] : [2, 3] }, { shape: tb ? [4, 3] : [3, 4] }],
      f: (tf: Tf, [a, b]: Tensor[]) => tf.matMul(a as never, b as never, ta, tb),
    })),
  ),
  Softmax: [{ inputs: [M23], f: (tf, [x]) => tf.softmax(x!) }],
};

function sample(spec: Spec, seed: number): Float32Array {
  const rng = createRng(seed);
  const n = spec.shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => {
    const lo = spec.lo ?? -1.5;
    const hi = spec.hi ?? 1.5;
    for (;;) {
      const v = lo + (hi - lo) * rng.next();
      if (spec.gap === undefined || Math.abs(v) >= spec.gap) return v;
    }
  });
}

test('every gradient rule has a finite-difference case, and no case is for a kernel without a rule', (t) => {
  t.deepEqual(Object.keys(cases).sort(), [...GRADIENT_KERNELS].sort());
});

for (const [kernel, list] of Object.entries(cases)) {
  test(`gradient of ${kernel} matches central finite differences`, async (t) => {
    const { tf } = await initTf();
    list.forEach((c, ci) => {
      const values = c.inputs.map((s, i) => sample(s, 100 * ci + i + 1));
      // A random upstream weighting, so dy is not all ones.
      const outShape = tf.tidy(() => c.f(tf, values.map((v, i) => tf.tensor(v, c.inputs[i]!.shape))).shape);
      const w = sample({ shape: outShape }, 999 + ci);
      const loss = (xs: Tensor[]) => tf.sum(tf.mul(c.f(tf, xs), tf.tensor(w, outShape)));
      const evalAt = (vs: Float32Array[]) => tf.tidy(() => loss(vs.map((v, i) => tf.tensor(v, c.inputs[i]!.shape))).dataSync()[0]!);
      const analytic = tf.tidy(() => tf.grads((...xs: Tensor[]) => loss(xs))(values.map((v, i) => tf.tensor(v, c.inputs[i]!.shape))).map((g) => g.dataSync().slice()));
      const eps = 1e-2;
      values.forEach((v, i) => {
        for (let j = 0; j < v.length; j++) {
          const up = values.map((u) => u.slice());
          const down = values.map((u) => u.slice());
          up[i]![j]! += eps;
          down[i]![j]! -= eps;
          const numeric = (evalAt(up) - evalAt(down)) / (2 * eps);
          const got = analytic[i]![j]!;
          if (Math.abs(got - numeric) > 2e-2 * Math.max(1, Math.abs(numeric))) t.fail(`${kernel} case ${ci}, input ${i}[${j}]: analytic ${got}, numeric ${numeric}`);
        }
      });
    });
    t.pass();
  });
}
