import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSelf, matrix, type KnnResult } from '../../src/engine/knn.js';
import { knnDescent } from '../../src/engine/knn-descent.js';
import { createRng } from '../../src/util/random.js';
import { sheets } from '../helpers/sheets.js';

/** Share of the exact neighbours found. */
function recall(exact: KnnResult, approx: KnnResult): number {
  const k = exact.k;
  const n = exact.indices.length / k;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const want = new Set(exact.indices.subarray(i * k, i * k + k));
    for (let t = 0; t < k; t++) if (want.has(approx.indices[i * k + t])) hit++;
  }
  return hit / (n * k);
}

test('NN-descent from random-projection trees (cold) finds >= 95% of the exact neighbours, with exact distances', async (t) => {
  const { tf } = await initTf();
  const n = 3000;
  const d = 20;
  const x = sheets(n, d, 1);
  const exact = knnSelf(tf, matrix(x, n, d), 15);
  const approx = knnDescent(matrix(x, n, d), 15, createRng(2));
  const rec = recall(exact, approx);
  t.true(rec >= 0.95, `recall ${rec}`);
  // Far fewer distances than the n^2 / 2 of an exact search.
  t.true(approx.stats.evals < 0.25 * n * n, `evals ${approx.stats.evals}`);
  for (let i = 0; i < 50; i++) {
    for (let s = 0; s < 15; s++) {
      const j = approx.indices[i * 15 + s];
      t.not(j, i, 'a row is never its own neighbour');
      let e = 0;
      for (let c = 0; c < d; c++) e += (x[i * d + c] - x[j * d + c]) ** 2;
      t.true(Math.abs(approx.distances[i * 15 + s] - Math.sqrt(e)) < 1e-4);
      if (s > 0) t.true(approx.distances[i * 15 + s] >= approx.distances[i * 15 + s - 1], 'nearest first');
    }
  }
});

test('NN-descent warm from the previous epoch\'s graph recovers >= 97% after a drift, in a couple of rounds', async (t) => {
  const { tf } = await initTf();
  const n = 3000;
  const d = 20;
  const x0 = sheets(n, d, 3);
  const r = createRng(4);
  const x1 = x0.map((v) => v + 0.01 * r.normal());
  const prev = knnSelf(tf, matrix(x0, n, d), 15);
  const exact = knnSelf(tf, matrix(x1, n, d), 15);
  const warm = knnDescent(matrix(x1, n, d), 15, createRng(5), { init: prev.indices, kInit: 15 });
  t.true(recall(exact, warm) >= 0.97, `recall ${recall(exact, warm)}`);
  t.true(warm.stats.rounds <= 4, `rounds ${warm.stats.rounds}`);
  // Rows without a start list (new ids) are found too.
  const init = prev.indices.slice();
  for (let i = 0; i < 300; i++) init.fill(-1, i * 15, i * 15 + 15);
  const mixed = knnDescent(matrix(x1, n, d), 15, createRng(6), { init, kInit: 15 });
  const newRows = (res: KnnResult): KnnResult => ({ k: 15, indices: res.indices.subarray(0, 300 * 15), distances: res.distances.subarray(0, 300 * 15) });
  t.true(recall(newRows(exact), newRows(mixed)) >= 0.9, `new rows recall ${recall(newRows(exact), newRows(mixed))}`);
});

test('NN-descent is seeded (same seed, same lists) and refuses bad input', (t) => {
  const x = sheets(500, 8, 7);
  const a = knnDescent(matrix(x, 500, 8), 10, createRng(1));
  const b = knnDescent(matrix(x, 500, 8), 10, createRng(1));
  t.deepEqual([...a.indices], [...b.indices]);
  t.throws(() => knnDescent(matrix(x, 500, 8), 500, createRng(1)), { message: /need 1 <= k < n/ });
  t.throws(() => knnDescent(matrix(x, 500, 8), 10, createRng(1), { init: new Int32Array(7), kInit: 10 }), { message: /start lists hold 7 entries/ });
});

test('NN-descent copes with duplicate rows (a split that cannot separate them)', (t) => {
  const x = new Float32Array(400 * 4);
  for (let i = 200; i < 400; i++) x.fill(1, i * 4, i * 4 + 4);
  const res = knnDescent(matrix(x, 400, 4), 5, createRng(1));
  for (let i = 0; i < 400; i++) {
    for (let s = 0; s < 5; s++) {
      const j = res.indices[i * 5 + s];
      t.true(j >= 0 && j !== i);
      t.is(res.distances[i * 5 + s], 0, 'duplicates are at distance 0');
    }
  }
});
