import test from 'ava';
import { classify, classifyRaw, reduceHead } from '../../src/engine/head.js';
import type { Basis } from '../../src/engine/pca.js';
import { createRng } from '../../src/util/random.js';

test('the reduced head classifies basis coordinates like the raw head classifies the rows', (t) => {
  const r = createRng(1);
  const dim = 6;
  const classes = 4;
  // Basis: the first 3 axes; rows live in their span (plus the mean).
  const basis: Basis = { m: 3, dim, rows: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]) };
  const mean = Float32Array.from([0.5, -1, 2, 3, 3, 3]);
  const scale = 2.5;
  const head = { classes, dim, weight: Float32Array.from({ length: classes * dim }, () => r.normal()), bias: Float32Array.from({ length: classes }, () => r.normal()) };
  const n = 50;
  const z = Float32Array.from({ length: n * 3 }, () => r.normal());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = mean[j] + scale * (j < 3 ? z[i * 3 + j] : 0);
  const reduced = reduceHead(head, basis, mean, scale);
  t.deepEqual([...classify(reduced, z, n)], [...classifyRaw(head, x, Int32Array.from({ length: n }, (_, i) => i))]);
  t.throws(() => reduceHead({ ...head, dim: 5 }, basis, mean, scale), { message: /head has 5 inputs/ });
});
