import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { classGeometry, faithfulness, layoutDiameter, metricQueryRows, scoreLayouts, stability } from '../../src/engine/metrics.js';
import { matrix } from '../../src/engine/knn.js';
import { createRng } from '../../src/util/random.js';

test('a layout identical to 2-D data preserves every neighbourhood (nn = trust = 1)', async (t) => {
  const { tf } = await initTf();
  const r = createRng(1);
  const pos = Float32Array.from({ length: 400 }, () => r.normal());
  const all = Int32Array.from({ length: 200 }, (_, i) => i);
  const f = faithfulness(tf, matrix(pos, 200, 2), pos, 15, all);
  t.true(f.nn > 0.999);
  t.true(f.trust > 0.999);
});

test('a random layout scores near chance (nn ~ k/n, trust ~ 0.5)', async (t) => {
  const { tf } = await initTf();
  const r = createRng(2);
  const high = Float32Array.from({ length: 500 * 10 }, () => r.normal());
  const low = Float32Array.from({ length: 1000 }, () => r.normal());
  const all = Int32Array.from({ length: 500 }, (_, i) => i);
  const f = faithfulness(tf, matrix(high, 500, 10), low, 15, all);
  t.true(f.nn < 0.08, `nn ${f.nn}`);
  t.true(Math.abs(f.trust - 0.5) < 0.06, `trust ${f.trust}`);
});

test('trustworthiness matches the sklearn definition on a hand-checked case', async (t) => {
  const { tf } = await initTf();
  // High-D: points on a line at 0, 1, 2.1, 3.3, 4.6, 6 (no distance ties). Low-D: the same with
  // points 0 and 5 swapped. k = 1, n = 6.
  const high = Float32Array.from([0, 1, 2.1, 3.3, 4.6, 6]);
  const low = Float32Array.from([6, 0, 1, 0, 2.1, 0, 3.3, 0, 4.6, 0, 0, 0]);
  const f = faithfulness(tf, matrix(high, 6, 1), low, 1, Int32Array.from([0, 1, 2, 3, 4, 5]));
  // 2-D nearest neighbours: 0 -> 4 (high rank 4), 1 -> 5 (rank 5), 2 -> 1, 3 -> 2, 4 -> 3 (all rank 1),
  // 5 -> 1 (rank 4). Penalties (rank - k): 3 + 4 + 3 = 10.
  // T = 1 - 2 / (n k (2n - 3k - 1)) * 10 = 1 - 2/48 * 10 = 0.58333.
  t.true(Math.abs(f.trust - (1 - 20 / 48)) < 1e-6, `trust ${f.trust}`);
  t.true(Math.abs(f.nn - 3 / 6) < 1e-9, `nn ${f.nn}`);
});

test('stability, diameter and class geometry: known answers', (t) => {
  // Square of side 3 and 4: the robust diameter is the diagonal, 5.
  const pos = Float32Array.from([0, 0, 3, 0, 0, 4, 3, 4]);
  t.true(Math.abs(layoutDiameter(pos) - 5) < 1e-6);
  const moved = Float32Array.from([1, 0, 3, 0, 0, 4, 3, 4]);
  // One of four points moved by 1: mean 0.25, over diameter 5.
  t.true(Math.abs(stability(Float64Array.from([1, 2, 3, 4]), pos, Float64Array.from([1, 2, 3, 4]), moved, 5) - 0.05) < 1e-9);
  // Ids matched by value, not order; unknown ids ignored.
  t.true(Math.abs(stability(Float64Array.from([4, 3, 2, 1]), Float32Array.from([3, 4, 0, 4, 3, 0, 0, 0]), Float64Array.from([1, 2, 3, 4, 9]), Float32Array.from([...pos, 7, 7]), 5)) < 1e-9);
  t.true(Number.isNaN(stability(Float64Array.from([1]), pos.slice(0, 2), Float64Array.from([2]), pos.slice(0, 2), 5)));
  // Classes: {0,0},{3,0} -> mean (1.5, 0), var 2.25; {0,4},{3,4} -> mean (1.5, 4), var 2.25. D = 4.
  const g = classGeometry(pos, Int32Array.from([0, 0, 1, 1]), 5);
  t.true(Math.abs(g.D - 4 / 5) < 1e-9);
  t.true(Math.abs(g.V - 2.25 / 25) < 1e-9);
});

test('scoreLayouts scores several layouts against one set of exact neighbours; the query rows are seeded', async (t) => {
  const { tf } = await initTf();
  const r = createRng(3);
  const n = 300;
  // High-D rows with a large common offset: centring keeps the expanded distances precise.
  const high = Float32Array.from({ length: n * 8 }, () => 1000 + r.normal());
  const a = Float32Array.from({ length: n * 2 }, (_, i) => high[Math.floor(i / 2) * 8 + (i % 2)]);
  const b = Float32Array.from({ length: n * 2 }, () => r.normal());
  const q = metricQueryRows(5, 'run', n, 100);
  t.deepEqual([...q], [...metricQueryRows(5, 'run', n, 100)]);
  t.notDeepEqual([...q], [...metricQueryRows(6, 'run', n, 100)]);
  t.is(q.length, 100);
  for (let i = 1; i < q.length; i++) t.true(q[i] > q[i - 1]);
  t.is(metricQueryRows(5, 'run', 50, 100).length, 50);
  const both = scoreLayouts(tf, matrix(high, n, 8), [a, b], 15, q);
  t.deepEqual(both[0], faithfulness(tf, matrix(high, n, 8), a, 15, q));
  t.deepEqual(both[1], faithfulness(tf, matrix(high, n, 8), b, 15, q));
  // The first two of eight dimensions keep more neighbours than a random layout does.
  t.true(both[0].nn > both[1].nn + 0.1, `${both[0].nn} vs ${both[1].nn}`);
});
