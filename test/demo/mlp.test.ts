import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { Mlp } from '../../src/demo/mlp.js';
import { denseOp } from '../../src/tf/dense.js';
import { createRng } from '../../src/util/random.js';

test('the hand-written dense gradient equals autodiff of x W + b', async (t) => {
  const { tf } = await initTf();
  const rng = createRng(5);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const x = tf.tensor2d(rand(6 * 5), [6, 5]);
  const w = tf.tensor2d(rand(5 * 3), [5, 3]);
  const b = tf.tensor1d(rand(3));
  const up = tf.tensor2d(rand(6 * 3), [6, 3]); // a fixed upstream gradient via a weighted sum
  const loss = (f: (x: any, w: any, b: any) => any) => (xx: any, ww: any, bb: any) => tf.sum(tf.mul(f(xx, ww, bb), up));
  const plain = tf.grads(loss((xx, ww, bb) => tf.add(tf.matMul(xx, ww), bb)))([x, w, b]);
  const custom = tf.grads(loss(denseOp(tf, false)))([x, w, b]);
  const input = tf.grads(loss(denseOp(tf, true)))([x, w, b]);
  for (let i = 0; i < 3; i++) {
    const want = plain[i]!.dataSync();
    const got = custom[i]!.dataSync();
    for (let j = 0; j < want.length; j++) t.true(Math.abs(want[j]! - got[j]!) < 1e-4, `grad ${i}[${j}]`);
  }
  // The input-layer variant skips dx (zeros) but keeps dW and db.
  t.true([...input[0]!.dataSync()].every((v) => v === 0));
  t.deepEqual([...input[1]!.dataSync()], [...custom[1]!.dataSync()]);
});

test('head() is the output kernel transposed to [C, D]; training lowers the loss', async (t) => {
  const { tf } = await initTf();
  const rng = createRng(7);
  // Two Gaussian blobs in 4-D, labels 0/1.
  const n = 200;
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let d = 0; d < 4; d++) x[i * 4 + d] = rng.normal() * 0.5 + (y[i] ? 1.5 : -1.5);
  }
  const m = new Mlp(tf, [4, 8, 3, 2], rng);
  const before = m.evaluate(x, y);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let e = 0; e < 5; e++) await m.trainEpoch(x, y, order, 0.05, 20);
  const after = m.evaluate(x, y);
  t.true(after.loss! < before.loss!, `loss ${before.loss} -> ${after.loss}`);
  t.true(after.accuracy! > 0.95);
  // Logits from the head and the streamed hidden layer reproduce the model's predictions.
  const head = m.head();
  t.like(head, { classes: 2, dim: 3 });
  for (let i = 0; i < n; i++) {
    const z = [0, 1].map((c) => head.bias[c]! + [0, 1, 2].reduce((s, d) => s + head.weight[c * 3 + d]! * after.hidden[i * 3 + d]!, 0));
    if (Math.abs(z[0]! - z[1]!) > 1e-4) t.is(z[1]! > z[0]! ? 1 : 0, after.preds[i]);
  }
  m.dispose();
});

test('bad layer sizes are refused', async (t) => {
  const { tf } = await initTf();
  t.throws(() => new Mlp(tf, [4, 2], createRng(1)), { message: /sizes must be >= 3 positive integers/ });
});
