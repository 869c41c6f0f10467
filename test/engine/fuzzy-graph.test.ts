import test from 'ava';
import { fuzzyGraph, smoothKnn } from '../../src/engine/fuzzy-graph.js';
import type { KnnResult } from '../../src/engine/knn.js';

// Three points on a line at 0, 1, 3 with k = 2 (neighbours exclude self).
const knn: KnnResult = {
  k: 2,
  indices: Int32Array.from([1, 2, 0, 2, 1, 0]),
  distances: Float32Array.from([1, 3, 1, 2, 2, 3]),
};

test('rho is the nearest distance and sigma solves sum exp(-(d - rho)/sigma) = log2(k)', (t) => {
  const s = smoothKnn(knn);
  t.deepEqual([...s.rho], [1, 1, 2]);
  // Point 0: 1 + exp(-2/sigma) = 1 -> sigma would be 0; log2(2) = 1 is hit only as sigma -> 0, so the floor applies.
  // Point 1: 1 + exp(-1/sigma) = 1 likewise. Use a target of 1.5 to get a finite, checkable sigma:
  const s2 = smoothKnn(knn, 1.5);
  // Point 0: exp(-2/sigma) = 0.5 -> sigma = 2 / ln 2.
  t.true(Math.abs(s2.sigma[0] - 2 / Math.LN2) < 1e-3);
  // Point 1: exp(-1/sigma) = 0.5 -> sigma = 1 / ln 2.
  t.true(Math.abs(s2.sigma[1] - 1 / Math.LN2) < 1e-3);
  // Point 2: exp(-1/sigma) = 0.5 -> sigma = 1 / ln 2.
  t.true(Math.abs(s2.sigma[2] - 1 / Math.LN2) < 1e-3);
  // With target log2(2) = 1 only sigma -> 0 solves it: the search stops within tolerance,
  // i.e. exp(-2/sigma) < 1e-5 -> sigma < 2/ln(1e5) = 0.174, and stays above the floor 1e-3 x mean distance.
  t.true(s.sigma[0] < 0.174 && s.sigma[0] >= 1e-3 * 2);
});

test('weights are symmetrised by fuzzy union and hand-computed', (t) => {
  const s = smoothKnn(knn, 1.5);
  const g = fuzzyGraph(knn, 1e9, s);
  // Directed: w(1|0) = 1, w(2|0) = 0.5, w(0|1) = 1, w(2|1) = 0.5, w(1|2) = 1, w(0|2) = 0.5.
  // Union: (0,1): 1; (0,2): 0.5 + 0.5 - 0.25 = 0.75; (1,2): 0.5 + 1 - 0.5 = 1.
  t.deepEqual([...g.from], [0, 0, 1]);
  t.deepEqual([...g.to], [1, 2, 2]);
  const w = [...g.weight];
  t.true(Math.abs(w[0] - 1) < 1e-5);
  t.true(Math.abs(w[1] - 0.75) < 1e-4);
  t.true(Math.abs(w[2] - 1) < 1e-5);
});

test('pruning drops edges below max / pruneEpochs', (t) => {
  const s = smoothKnn(knn, 1.5);
  const g = fuzzyGraph(knn, 1.2, s); // cut at 1/1.2 = 0.833: the 0.75 edge goes
  t.deepEqual([...g.from], [0, 1]);
  t.deepEqual([...g.to], [1, 2]);
  t.throws(() => fuzzyGraph(knn, 0), { message: /pruneEpochs/ });
});

test('with the real log2(k) target on a denser set, the sums match the target', (t) => {
  // 1-D points 0..9, k = 4 nearest (exact by hand).
  const n = 10;
  const k = 4;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => Math.abs(a - i) - Math.abs(b - i) || a - b).slice(0, k);
    c.forEach((j, tt) => {
      indices[i * k + tt] = j;
      distances[i * k + tt] = Math.abs(j - i);
    });
  }
  const s = smoothKnn({ k, indices, distances });
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let tt = 0; tt < k; tt++) sum += Math.exp(-Math.max(0, distances[i * k + tt] - s.rho[i]) / s.sigma[i]);
    t.true(Math.abs(sum - 2) < 1e-3, `point ${i}: ${sum}`);
  }
});
