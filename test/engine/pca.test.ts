import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { projectRows, randomBasis, subspaceIterate } from '../../src/engine/pca.js';
import { standardise } from '../../src/engine/standardise.js';
import { createRng } from '../../src/util/random.js';

/** n points with variance 9, 4, 1 along three known orthonormal directions in 10-D, plus an offset. */
function lowRank(n: number, seed: number) {
  const r = createRng(seed);
  const dim = 10;
  const dirs = [
    [1, 1, 0, 0, 0, 0, 0, 0, 0, 0].map((v) => v / Math.SQRT2),
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [1, -1, 0, 0, 0, 0, 0, 0, 0, 0].map((v) => v / Math.SQRT2),
  ];
  const sds = [3, 2, 1];
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const a = sds[c] * r.normal();
      for (let j = 0; j < dim; j++) x[i * dim + j] += a * dirs[c][j];
    }
    for (let j = 0; j < dim; j++) x[i * dim + j] += 5; // offset: centring must remove it
  }
  return { x, dim, dirs };
}

test('subspace iteration finds the top-2 subspace of known low-rank data', async (t) => {
  const { tf } = await initTf();
  const rng = createRng(1);
  const { x, dim, dirs } = lowRank(2000, 2);
  const s = standardise(x, 2000, dim);
  const xt = tf.tensor2d(x, [2000, dim]);
  const b = subspaceIterate(tf, xt, s.mean, randomBasis(2, dim, rng), 30, rng);
  // Each true top direction lies in the span of the basis: its projection has norm ~1.
  for (const d of dirs.slice(0, 2)) {
    let norm2 = 0;
    for (let r = 0; r < 2; r++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += d[j] * b.rows[r * dim + j];
      norm2 += dot * dot;
    }
    t.true(norm2 > 0.99, `captured ${norm2}`);
  }
  // Orthonormal rows.
  let dot01 = 0;
  for (let j = 0; j < dim; j++) dot01 += b.rows[j] * b.rows[dim + j];
  t.true(Math.abs(dot01) < 1e-5);
  // Projected coordinates are centred and scaled by the global scale.
  const z = projectRows(tf, xt, s.mean, s.scale, b);
  let mean0 = 0;
  for (let i = 0; i < 2000; i++) mean0 += z[i * 2];
  t.true(Math.abs(mean0 / 2000) < 1e-3);
  xt.dispose();
});

test('a warm basis stays put when the data does not change (no sign flips)', async (t) => {
  const { tf } = await initTf();
  const rng = createRng(3);
  const { x, dim } = lowRank(1000, 4);
  const s = standardise(x, 1000, dim);
  const xt = tf.tensor2d(x, [1000, dim]);
  const b1 = subspaceIterate(tf, xt, s.mean, randomBasis(3, dim, rng), 40, rng);
  const b2 = subspaceIterate(tf, xt, s.mean, b1, 1, rng);
  for (let i = 0; i < b1.rows.length; i++) t.true(Math.abs(b1.rows[i] - b2.rows[i]) < 1e-3);
  xt.dispose();
});

test('refuses a basis of the wrong size', (t) => {
  t.throws(() => randomBasis(5, 3, createRng(1)), { message: /1 <= m <= dim/ });
});
