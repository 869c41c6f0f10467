import test from 'ava';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { initTf } from '../../src/tf/backend.js';
import { layerOps, Projector, referenceShape } from '../../src/engine/projector.js';
import { createRng } from '../../src/util/random.js';

function rand(tf: Awaited<ReturnType<typeof initTf>>['tf'], shape: number[], seed: number): Tensor {
  const r = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => r.normal()), shape);
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

test('dense: hand-written gradient equals autodiff of x W + b', async (t) => {
  const { tf } = await initTf();
  const ops = layerOps(tf);
  // Narrowing (7 -> 5) and widening (5 -> 12) layers: dW is taken a different way in each.
  for (const [inW, outW] of [[7, 5], [5, 12]]) {
    const x = rand(tf, [33, inW], 1) as Tensor2D;
    const w = rand(tf, [inW, outW], 2) as Tensor2D;
    const b = rand(tf, [outW], 3) as Tensor1D;
    const up = rand(tf, [33, outW], 4); // random upstream gradient via a weighted sum
    const custom = tf.grads((a: Tensor, c: Tensor, d: Tensor) => tf.sum(tf.mul(ops.dense(a as Tensor2D, c as Tensor2D, d as Tensor1D), up)));
    const plain = tf.grads((a: Tensor, c: Tensor, d: Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(a as Tensor2D, c as Tensor2D), d), up)));
    const g1 = custom([x, w, b]);
    const g2 = plain([x, w, b]);
    for (let i = 0; i < 3; i++) t.true(maxAbsDiff(g1[i], g2[i]) < 1e-4, `${inW}->${outW} input ${i}`);
    t.true(maxAbsDiff(ops.dense(x, w, b), tf.add(tf.matMul(x, w), b)) < 1e-5);
  }
});

test('group norm (no affine): value and gradient equal autodiff of the textbook formula', async (t) => {
  const { tf } = await initTf();
  const ops = layerOps(tf);
  const x = rand(tf, [12, 16], 5) as Tensor2D;
  const up = rand(tf, [12, 16], 6);
  const ref = (a: Tensor) => {
    const r = tf.reshape(a, [12 * 4, 4]);
    const { mean, variance } = tf.moments(r, 1, true);
    return tf.reshape(tf.div(tf.sub(r, mean), tf.sqrt(tf.add(variance, 1e-5))), [12, 16]);
  };
  t.true(maxAbsDiff(ops.groupNorm(x, 4), ref(x)) < 1e-5);
  const g1 = tf.grad((a: Tensor) => tf.sum(tf.mul(ops.groupNorm(a as Tensor2D, 4), up)))(x);
  const g2 = tf.grad((a: Tensor) => tf.sum(tf.mul(ref(a), up)))(x);
  t.true(maxAbsDiff(g1, g2) < 1e-4, `diff ${maxAbsDiff(g1, g2)}`);
});

test('batch norm (training): value, gradients and batch statistics equal autodiff', async (t) => {
  const { tf } = await initTf();
  const ops = layerOps(tf);
  const x = tf.add(tf.mul(rand(tf, [40, 6], 7), 3), 2) as Tensor2D;
  const gamma = rand(tf, [6], 8) as Tensor1D;
  const beta = rand(tf, [6], 9) as Tensor1D;
  const up = rand(tf, [40, 6], 10);
  const ref = (a: Tensor, g: Tensor, b: Tensor) => {
    const { mean, variance } = tf.moments(a, 0);
    return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const r = ops.batchNormTrain(x, gamma, beta);
  t.true(maxAbsDiff(r.y, ref(x, gamma, beta)) < 1e-4);
  const { mean, variance } = tf.moments(x, 0);
  t.true(maxAbsDiff(r.mean, mean) < 1e-4);
  t.true(maxAbsDiff(r.variance, variance) < 1e-3);
  const stats: Tensor[] = [];
  const g1 = tf.grads((a: Tensor, g: Tensor, b: Tensor) => {
    const o = ops.batchNormTrain(a as Tensor2D, g as Tensor1D, b as Tensor1D);
    stats.push(o.mean, o.variance);
    return tf.sum(tf.mul(o.y, up));
  })([x, gamma, beta]);
  const g2 = tf.grads((a: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(ref(a, g, b), up)))([x, gamma, beta]);
  for (let i = 0; i < 3; i++) t.true(maxAbsDiff(g1[i], g2[i]) < 2e-4, `input ${i}: ${maxAbsDiff(g1[i], g2[i])}`);
  tf.dispose(stats);
});

test('the reference architecture: widths, parameter count, encode and decode shapes, seeded init', async (t) => {
  const { tf } = await initTf();
  const p = new Projector(referenceShape(64), createRng(1));
  t.deepEqual(p.encLayers.map((l) => [l.fanIn, l.fanOut, l.norm]), [
    [64, 256, 'cn'], [256, 128, 'bn'], [128, 64, 'bn'], [64, 32, 'bn'], [32, 2, 'none'],
  ]);
  t.deepEqual(p.decLayers.map((l) => [l.fanIn, l.fanOut, l.norm]), [
    [2, 32, 'cn'], [32, 64, 'bn'], [64, 128, 'bn'], [128, 256, 'bn'], [256, 64, 'none'],
  ]);
  const dense = (a: number, b: number) => a * b + b;
  const expected =
    dense(64, 256) + dense(256, 128) + dense(128, 64) + dense(64, 32) + dense(32, 2) +
    dense(2, 32) + dense(32, 64) + dense(64, 128) + dense(128, 256) + dense(256, 64) +
    2 * (256 + 128 + 64 + 32 + 32 + 64 + 128 + 256);
  t.is(p.params.length, expected);
  const x = Float32Array.from({ length: 10 * 64 }, (_, i) => Math.sin(i));
  const y = p.apply(tf, 'enc', x, 10);
  t.is(y.length, 20);
  t.is(p.apply(tf, 'dec', y, 10).length, 640);
  t.deepEqual([...new Projector(referenceShape(64), createRng(1)).params], [...p.params]);
  t.throws(() => new Projector({ ...referenceShape(64), encoder: [250, 10] }, createRng(1)), { message: /divisible/ });
  t.throws(() => p.apply(tf, 'enc', x, 11), { message: /expected 11x64/ });
});
