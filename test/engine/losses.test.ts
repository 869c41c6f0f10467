import test from 'ava';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { initTf } from '../../src/tf/backend.js';
import { anchorLoss, classCrossEntropy, reconstructionLoss, roll, umapCrossEntropy } from '../../src/engine/losses.js';
import { classProbabilities } from '../../src/engine/head.js';

const a = 1.577;
const b = 0.895;

test('UMAP cross-entropy: hand-computed values for one positive and one negative pair', async (t) => {
  const { tf } = await initTf();
  // Pair 0: distance 1 -> q = 1/(1 + a). Pair 1: distance 2 -> q = 1/(1 + a 4^b).
  const from = tf.tensor2d([0, 0, 0, 0], [2, 2]) as Tensor2D;
  const to = tf.tensor2d([1, 0, 0, 2], [2, 2]) as Tensor2D;
  const q1 = 1 / (1 + a);
  const q2 = 1 / (1 + a * Math.pow(4, b));
  // No negatives: mean of -log q over the positives.
  const pos = umapCrossEntropy(tf, from, to, [], a, b).dataSync()[0];
  t.true(Math.abs(pos - (-Math.log(q1) - Math.log(q2)) / 2) < 1e-4);
  // One negative round with shift 1: negatives are (from[1], to[0]) and (from[0], to[1]):
  // distances 1 and 2 -> -log(1 - q1), -log(1 - q2).
  const both = umapCrossEntropy(tf, from, to, [1], a, b).dataSync()[0];
  const want = (-Math.log(q1) - Math.log(q2) - Math.log(1 - q1) - Math.log(1 - q2)) / 4;
  t.true(Math.abs(both - want) < 1e-4, `${both} vs ${want}`);
});

test('the loss of coincident negatives is capped at -log(1e-4) and stays finite', async (t) => {
  const { tf } = await initTf();
  const z = tf.zeros([3, 2]) as Tensor2D;
  const v = umapCrossEntropy(tf, z, z, [1], a, b).dataSync()[0];
  // Positives at distance 0 cost ~0; negatives at 0 cost the cap.
  t.true(Math.abs(v - -Math.log(1e-4) / 2) < 1e-3, `${v}`);
  const g = tf.grad((x) => umapCrossEntropy(tf, x as Tensor2D, z, [1], a, b))(z);
  t.true([...g.dataSync()].every(Number.isFinite));
});

test('roll, reconstruction and anchor losses', async (t) => {
  const { tf } = await initTf();
  const y = tf.tensor2d([1, 1, 2, 2, 3, 3], [3, 2]) as Tensor2D;
  t.deepEqual([...roll(tf, y, 1).dataSync()], [2, 2, 3, 3, 1, 1]);
  t.deepEqual([...roll(tf, y, -1).dataSync()], [3, 3, 1, 1, 2, 2]);
  const r = reconstructionLoss(tf, tf.tensor2d([0, 0], [1, 2]) as Tensor2D, tf.tensor2d([1, 3], [1, 2]) as Tensor2D).dataSync()[0];
  t.is(r, 5);
  // Distances 5 and 0.5 with margin 1: mean(max(0, 4), max(0, -0.5)) = 2.
  const an = anchorLoss(tf, tf.tensor2d([3, 4, 0.5, 0], [2, 2]) as Tensor2D, tf.zeros([2, 2]) as Tensor2D, tf.tensor1d([1, 1]) as Tensor1D).dataSync()[0];
  t.true(Math.abs(an - 2) < 1e-4);
});

test("class cross-entropy: the targets' entropy when z matches, and its gradient agrees with finite differences", async (t) => {
  const { tf } = await initTf();
  // A 3-class head on 2-D inputs, targets from the head's own softmax on x.
  const head = { classes: 3, m: 2, weight: Float32Array.from([1, -1, 0.5, 0.3, 2, -1]), bias: Float32Array.from([0.1, 0, -0.2]) };
  const x = Float32Array.from([0.5, -1, 2, 0.3, -0.7, 0.2]);
  const { p, entropy } = classProbabilities(head, x, 3);
  t.true(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
  const w = tf.tensor2d(head.weight, [2, 3]) as Tensor2D;
  const bias = tf.tensor1d(head.bias) as Tensor1D;
  const pt = tf.tensor2d(p, [3, 3]) as Tensor2D;
  const at = (z: Float32Array) => classCrossEntropy(tf, tf.tensor2d(z, [3, 2]) as Tensor2D, w, bias, pt).dataSync()[0];
  t.true(Math.abs(at(x) - entropy) < 1e-5, `${at(x)} vs entropy ${entropy}`);
  // Elsewhere it is larger (KL > 0), and the gradient matches central differences.
  const z = Float32Array.from([1, 0, 0, 0, 0, 1]);
  t.true(at(z) > entropy + 0.01);
  const g = tf.grad((v) => classCrossEntropy(tf, v as Tensor2D, w, bias, pt))(tf.tensor2d(z, [3, 2])).dataSync();
  const h = 1e-2;
  for (let i = 0; i < z.length; i++) {
    const up = z.slice();
    const down = z.slice();
    up[i] += h;
    down[i] -= h;
    const fd = (at(up) - at(down)) / (2 * h);
    t.true(Math.abs(fd - g[i]) < 1e-3, `entry ${i}: autodiff ${g[i]}, finite difference ${fd}`);
  }
});
