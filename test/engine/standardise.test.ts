import test from 'ava';
import { applyStandardisation, standardise } from '../../src/engine/standardise.js';

test('mean, per-feature sd and one global scale, known answer', (t) => {
  // Two features: column 0 = [1, 3] (mean 2, sd 1), column 1 = [10, 10] (mean 10, sd 0).
  const s = standardise(Float32Array.from([1, 10, 3, 10]), 2, 2);
  t.deepEqual([...s.mean], [2, 10]);
  t.deepEqual([...s.sd], [1, 0]);
  // Global scale = sqrt(total variance / D) = sqrt((1 + 0) / 2).
  t.true(Math.abs(s.scale - Math.SQRT1_2) < 1e-6);
  t.false(s.degenerate);
  const z = applyStandardisation(s, Float32Array.from([1, 10, 3, 10]), 2, [1, 0]);
  t.true(Math.abs(z[0] - 1 / Math.SQRT1_2) < 1e-5);
  t.is(z[1], 0);
});

test('a dead network (all rows identical) is degenerate with scale 1', (t) => {
  const s = standardise(new Float32Array(40).fill(0.5), 10, 4);
  t.true(s.degenerate);
  t.is(s.scale, 1);
  const zeros = standardise(new Float32Array(40), 10, 4);
  t.true(zeros.degenerate);
});

test('bad sizes are refused', (t) => {
  t.throws(() => standardise(new Float32Array(5), 2, 3), { message: /needs 6 values/ });
});

test('the tensor version agrees with the JS loop, also for a tiny spread on a large offset', async (t) => {
  const { initTf } = await import('../../src/tf/backend.js');
  const { standardiseTensor } = await import('../../src/engine/standardise.js');
  const { createRng } = await import('../../src/util/random.js');
  const { tf } = await initTf();
  const r = createRng(1);
  const n = 500;
  const dim = 7;
  const x = Float32Array.from({ length: n * dim }, (_, i) => 100 + (i % dim) + 0.05 * r.normal());
  const a = standardise(x, n, dim);
  const xt = tf.tensor2d(x, [n, dim]);
  const b = standardiseTensor(tf, xt);
  xt.dispose();
  t.false(b.degenerate);
  t.true(Math.abs(a.scale - b.scale) / a.scale < 1e-3, `${a.scale} vs ${b.scale}`);
  for (let j = 0; j < dim; j++) t.true(Math.abs(a.mean[j] - b.mean[j]) < 1e-3);
  const dead = tf.zeros([10, 3]);
  t.true(standardiseTensor(tf, dead as never).degenerate);
  dead.dispose();
});
