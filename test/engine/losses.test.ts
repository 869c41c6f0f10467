import test from 'ava';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { initTf } from '../../src/tf/backend.js';
import { anchorLoss, reconstructionLoss, roll, umapCrossEntropy } from '../../src/engine/losses.js';

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
