import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSelf, matrix } from '../../src/engine/knn.js';
import { knnWarm } from '../../src/engine/knn-warm.js';
import { createRng } from '../../src/util/random.js';

test('warm kNN from last epoch\'s graph recovers >= 95% of the exact neighbours after a drift, exact distances', async (t) => {
  const { tf } = await initTf();
  const r = createRng(1);
  const n = 1500;
  const d = 12;
  // Clustered data, then a small drift of every point.
  const x0 = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x0[i * d + j] = (i % 5) * 3 + r.normal();
  const x1 = x0.map((v) => v + 0.1 * r.normal());
  const prev = knnSelf(tf, matrix(x0, n, d), 15);
  const exact = knnSelf(tf, matrix(x1, n, d), 15);
  const warm = knnWarm(tf, matrix(x1, n, d), 15, prev.indices, 15, createRng(2));
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const want = new Set(exact.indices.subarray(i * 15, i * 15 + 15));
    for (let k = 0; k < 15; k++) if (want.has(warm.indices[i * 15 + k])) hit++;
  }
  t.true(hit / (n * 15) >= 0.95, `recall ${hit / (n * 15)}`);
  // Distances are exact for the neighbours found.
  for (let k = 0; k < 15; k++) {
    const j = warm.indices[k];
    let s = 0;
    for (let c = 0; c < d; c++) s += (x1[c] - x1[j * d + c]) ** 2;
    t.true(Math.abs(warm.distances[k] - Math.sqrt(s)) < 1e-4);
  }
});

test('rows without history get an exact search', async (t) => {
  const { tf } = await initTf();
  const r = createRng(3);
  const x = Float32Array.from({ length: 200 * 4 }, () => r.normal());
  const prev = new Int32Array(200 * 5).fill(-1);
  const warm = knnWarm(tf, matrix(x, 200, 4), 5, prev, 5, createRng(1));
  const exact = knnSelf(tf, matrix(x, 200, 4), 5);
  t.deepEqual([...warm.indices], [...exact.indices]);
  t.throws(() => knnWarm(tf, matrix(x, 200, 4), 5, new Int32Array(3), 5, createRng(1)), { message: /previous lists hold 3 entries/ });
});
