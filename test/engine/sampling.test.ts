import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { densitySample } from '../../src/engine/sampling.js';
import { matrix } from '../../src/engine/knn.js';
import { createRng } from '../../src/util/random.js';

/** n points uniform in the unit cube of dimension d, embedded in `cols` columns. */
function cube(n: number, d: number, cols: number, seed: number) {
  const r = createRng(seed);
  const x = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * cols + j] = r.next();
  return matrix(x, n, cols);
}

test('1-D data: rho(r) ~ r, slope never reaches 0.25, so the sampler keeps 50%', async (t) => {
  const { tf } = await initTf();
  const c = densitySample(tf, cube(3000, 1, 8, 1), createRng(2));
  t.is(c.rate, 0.5);
  t.true(c.fallback, 'no candidate met the limit: the fallback rate is flagged');
  t.is(c.curve.length, 5);
  // rho(0.1) ~ 0.1 for intrinsic dimension 1 (within sampling noise).
  t.true(Math.abs(c.curve[0].rho - 0.1) < 0.05, `rho(0.1) = ${c.curve[0].rho}`);
  t.is(c.indices.length, 1500);
});

test('2-D data: rho(r) ~ sqrt(r)', async (t) => {
  const { tf } = await initTf();
  const c = densitySample(tf, cube(3000, 2, 8, 3), createRng(4));
  t.true(Math.abs(c.curve[0].rho - Math.sqrt(0.1)) < 0.08, `rho(0.1) = ${c.curve[0].rho}`);
  t.is(c.rate, 0.5); // slope at 0.5: (1 - 0.707) / 0.5 = 0.59 > 0.25
});

test('high intrinsic dimension: 10% suffices', async (t) => {
  const { tf } = await initTf();
  const c = densitySample(tf, cube(3000, 40, 40, 5), createRng(6));
  t.is(c.rate, 0.1);
  t.false(c.fallback);
  t.true(c.rho > 0.8, `rho(0.1) = ${c.rho}`);
  t.is(c.indices.length, 300);
  // Sorted and distinct.
  for (let i = 1; i < c.indices.length; i++) t.true(c.indices[i] > c.indices[i - 1]);
});

test('seeded: the same seed gives the same sample; small sets are taken whole; bad rates refused', async (t) => {
  const { tf } = await initTf();
  const m = cube(2000, 5, 5, 7);
  const a = densitySample(tf, m, createRng(8));
  const b = densitySample(tf, m, createRng(8));
  t.deepEqual([...a.indices], [...b.indices]);
  t.is(a.rho, b.rho);
  const small = densitySample(tf, cube(300, 3, 3, 9), createRng(1));
  t.is(small.rate, 1);
  t.is(small.indices.length, 300);
  const fixed = densitySample(tf, m, createRng(1), { fixedRate: 0.2 });
  t.is(fixed.indices.length, 400);
  t.throws(() => densitySample(tf, m, createRng(1), { rates: [0, 0.5] }), { message: /rates must lie/ });
});
