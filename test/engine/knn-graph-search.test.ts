import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSearch, knnSelf, matrix } from '../../src/engine/knn.js';
import { knnGraphSearch } from '../../src/engine/knn-graph-search.js';
import { createRng } from '../../src/util/random.js';
import { sheets } from '../helpers/sheets.js';

test('graph search of new points among train rows finds >= 95% of the exact neighbours, exact distances', async (t) => {
  const { tf } = await initTf();
  const d = 16;
  // Train and test rows from the same sheets: one draw, split.
  const x = sheets(4500, d, 1, 8);
  const train = matrix(x.slice(0, 4000 * d), 4000, d);
  const test_ = matrix(x.slice(4000 * d), 500, d);
  const graph = knnSelf(tf, train, 15);
  const exact = knnSearch(tf, test_, train, 15);
  const found = knnGraphSearch(tf, test_, train, graph, 15, createRng(2));
  let hit = 0;
  for (let i = 0; i < 500; i++) {
    const want = new Set(exact.indices.subarray(i * 15, i * 15 + 15));
    for (let s = 0; s < 15; s++) if (want.has(found.indices[i * 15 + s])) hit++;
  }
  t.true(hit / (500 * 15) >= 0.95, `recall ${hit / (500 * 15)}`);
  for (let s = 0; s < 15; s++) {
    const j = found.indices[s];
    let e = 0;
    for (let c = 0; c < d; c++) e += (test_.data[c] - train.data[j * d + c]) ** 2;
    t.true(Math.abs(found.distances[s] - Math.sqrt(e)) < 1e-4);
  }
  // Seeded: the same pool, the same answer.
  t.deepEqual([...knnGraphSearch(tf, test_, train, graph, 15, createRng(2)).indices], [...found.indices]);
});

test('graph search refuses mismatched input with a message naming it', async (t) => {
  const { tf } = await initTf();
  const a = matrix(new Float32Array(40), 10, 4);
  const g = knnSelf(tf, a, 3);
  t.throws(() => knnGraphSearch(tf, matrix(new Float32Array(10), 2, 5), a, g, 3, createRng(1)), { message: /queries have 5 columns/ });
  t.throws(() => knnGraphSearch(tf, matrix(new Float32Array(8), 2, 4), matrix(new Float32Array(44), 11, 4), g, 3, createRng(1)), { message: /graph lists 10 rows/ });
  t.throws(() => knnGraphSearch(tf, matrix(new Float32Array(8), 2, 4), a, g, 11, createRng(1)), { message: /need 1 <= k/ });
});
