import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSearch, knnSelf, matrix } from '../../src/engine/knn.js';
import { knnBrute } from './helpers/knn-brute.js';
import { createRng } from '../../src/util/random.js';

function randomMatrix(rows: number, cols: number, seed: number) {
  const r = createRng(seed);
  return matrix(Float32Array.from({ length: rows * cols }, () => r.normal()), rows, cols);
}

test('knnSelf agrees with brute force (blocked, more rows than a block)', async (t) => {
  const { tf } = await initTf();
  const m = randomMatrix(700, 24, 1);
  const exclude = Int32Array.from({ length: 700 }, (_, i) => i);
  const got = knnSelf(tf, m, 15, { block: 128 });
  const want = knnBrute(m, m, 15, exclude);
  t.deepEqual([...got.indices], [...want.indices]);
  for (let i = 0; i < want.distances.length; i++) t.true(Math.abs(got.distances[i] - want.distances[i]) < 1e-4);
  // A point is never its own neighbour.
  for (let i = 0; i < 700; i++) for (let j = 0; j < 15; j++) t.not(got.indices[i * 15 + j], i);
});

test('queries against another set, and k larger than the reference', async (t) => {
  const { tf } = await initTf();
  const q = randomMatrix(50, 8, 2);
  const r = randomMatrix(6, 8, 3);
  const got = knnSearch(tf, q, r, 10);
  const want = knnBrute(q, r, 10);
  t.deepEqual([...got.indices], [...want.indices]);
  t.is(got.indices[9], -1);
  t.is(got.distances[9], Infinity);
});

test('known answer on a line: neighbours of 0 are 1, 2 and distances exact', async (t) => {
  const { tf } = await initTf();
  const m = matrix(Float32Array.from([0, 1, 3, 7, 20]), 5, 1);
  const got = knnSelf(tf, m, 2);
  t.deepEqual([...got.indices], [1, 2, 0, 2, 1, 0, 2, 1, 3, 2]);
  t.deepEqual([...got.distances], [1, 3, 1, 2, 2, 3, 4, 6, 13, 17]);
});

test('cosine metric ranks by angle, not length', async (t) => {
  const { tf } = await initTf();
  const q = matrix(Float32Array.from([1, 0]), 1, 2);
  const r = matrix(Float32Array.from([100, 1, 0.1, 0.1, 0, 5]), 3, 2);
  const got = knnSearch(tf, q, r, 3, { metric: 'cosine' });
  t.deepEqual([...got.indices], [0, 1, 2]);
  t.true(Math.abs(got.distances[2] - 1) < 1e-6);
  t.true(Math.abs(got.distances[1] - (1 - Math.SQRT1_2)) < 1e-5);
});

test('bad input is refused', async (t) => {
  const { tf } = await initTf();
  t.throws(() => matrix(new Float32Array(5), 2, 3), { message: /needs 6 values/ });
  t.throws(() => knnSearch(tf, randomMatrix(2, 3, 1), randomMatrix(2, 4, 1), 1), { message: /columns/ });
  t.throws(() => knnSelf(tf, randomMatrix(2, 3, 1), 0), { message: /positive integer/ });
});
