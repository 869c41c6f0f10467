import test from 'ava';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { initTf } from '../../src/tf/backend.js';
import { matrix } from '../../src/engine/knn.js';
import { scoreLayouts } from '../../src/engine/metrics.js';
import { residualNorms, scoreLayoutsBounded } from '../../src/engine/metrics-bounded.js';
import { projectRows, randomBasis, subspaceIterate } from '../../src/engine/pca.js';
import { standardiseTensor } from '../../src/engine/standardise.js';
import { createRng } from '../../src/util/random.js';

/** Clustered rows with an offset (so centring matters) and a spectrum the basis only partly holds. */
function data(n: number, dim: number, seed: number): Float32Array {
  const r = createRng(seed);
  const centres = Float32Array.from({ length: 8 * dim }, () => 3 * r.normal());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = 10 + centres[(i % 8) * dim + j] + (j < 12 ? 1 : 0.3) * r.normal();
  return x;
}

test('bounded scores equal the full raw-row scores (same exact neighbours; trust to rounding), train and a second block', async (t) => {
  const { tf } = await initTf();
  const dim = 96;
  const m = 16;
  const nt = 2500;
  const no = 500;
  const x = data(nt + no, dim, 1);
  const xt = x.subarray(0, nt * dim);
  const xo = x.subarray(nt * dim);
  const rng = createRng(2);
  const tt = tf.tensor2d(xt, [nt, dim]) as Tensor2D;
  const all = tf.tensor2d(x, [nt + no, dim]) as Tensor2D;
  const stats = standardiseTensor(tf, tt);
  const basis = subspaceIterate(tf, tt, stats.mean, randomBasis(m, dim, rng), 6, rng);
  const z = projectRows(tf, all, stats.mean, stats.scale, basis);
  tt.dispose();
  all.dispose();
  const r = residualNorms(tf, x, nt + no, dim, stats.mean, stats.scale, z, m, basis.rows);
  const rows = { blocks: [{ x: xt, n: nt }, { x: xo, n: no }], dim, z, m, r, scale: stats.scale };
  const lr = createRng(3);
  const low = Float32Array.from({ length: (nt + no) * 2 }, (_, i) => (i % 2 ? 0 : (Math.floor(i / 2) % 8) * 4) + lr.normal());
  const queries = Int32Array.from({ length: 150 }, (_, i) => i * 16);
  // Train rows only: candidates limited to the first block.
  const full = scoreLayouts(tf, matrix(xt, nt, dim), [low.subarray(0, nt * 2)], 15, queries)[0];
  const bounded = scoreLayoutsBounded(tf, rows, [low.subarray(0, nt * 2)], 15, queries, nt)[0];
  t.is(bounded.nn, full.nn);
  t.true(Math.abs(bounded.trust - full.trust) < 1e-6, `${bounded.trust} vs ${full.trust}`);
  // Queries of the second block among both blocks.
  const oq = Int32Array.from({ length: 100 }, (_, i) => nt + i * 5);
  const fullO = scoreLayouts(tf, matrix(x, nt + no, dim), [low], 15, oq)[0];
  const boundedO = scoreLayoutsBounded(tf, rows, [low], 15, oq)[0];
  t.is(boundedO.nn, fullO.nn);
  t.true(Math.abs(boundedO.trust - fullO.trust) < 1e-6, `${boundedO.trust} vs ${fullO.trust}`);
  t.throws(() => scoreLayoutsBounded(tf, rows, [low.subarray(0, 10)], 15, queries, nt), { message: /layout has 5 points/ });
});
