import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSearch, knnSelf, matrix } from '../../src/engine/knn.js';
import { knnGraphSearch } from '../../src/engine/knn-graph-search.js';
import { createRng } from '../../src/util/random.js';
import { sheets } from '../helpers/sheets.js';
import { rememberNeighbours, startRows } from '../../src/engine/place-memory.js';
import { rowMap } from '../../src/engine/arrays.js';

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

test('graph search started from last epoch\'s neighbours (by id) finds >= 95% of this epoch\'s exact neighbours without the pool', async (t) => {
  const { tf } = await initTf();
  const d = 16;
  const x = sheets(4500, d, 1, 8);
  const r = createRng(5);
  // The next epoch: every row drifted a little.
  const y = x.map((v) => v + 0.05 * r.normal());
  const before = { train: matrix(x.slice(0, 4000 * d), 4000, d), test: matrix(x.slice(4000 * d), 500, d) };
  const train = matrix(y.slice(0, 4000 * d), 4000, d);
  const test_ = matrix(y.slice(4000 * d), 500, d);
  const trainIds = Float64Array.from({ length: 4000 }, (_, i) => 10_000 + i);
  const testIds = Float64Array.from({ length: 500 }, (_, i) => 90_000 + i);
  const last = rememberNeighbours(testIds, knnSearch(tf, before.test, before.train, 15), trainIds);
  // This epoch the train rows come in reverse order, and the test rows too: starts follow the ids.
  const rev = (m: typeof train) => matrix(Float32Array.from({ length: m.rows * d }, (_, e) => m.data[(m.rows - 1 - Math.floor(e / d)) * d + (e % d)]), m.rows, d);
  const trainR = rev(train);
  const testR = rev(test_);
  const trainRev = trainIds.slice().reverse();
  const starts = startRows(last, testIds.slice().reverse(), trainRev, () => rowMap(trainRev))!;
  t.is(starts.indices.filter((v) => v < 0).length, 0);
  const graph = knnSelf(tf, trainR, 15);
  const exact = knnSearch(tf, testR, trainR, 15);
  const found = knnGraphSearch(tf, testR, trainR, graph, 15, createRng(2), starts);
  let hit = 0;
  for (let i = 0; i < 500; i++) {
    const want = new Set(exact.indices.subarray(i * 15, i * 15 + 15));
    for (let s = 0; s < 15; s++) if (want.has(found.indices[i * 15 + s])) hit++;
  }
  t.true(hit / (500 * 15) >= 0.95, `recall ${hit / (500 * 15)}`);
  // Every query started from its rows: the pool (the generator's draw) played no part.
  t.deepEqual([...knnGraphSearch(tf, testR, trainR, graph, 15, createRng(3), starts).indices], [...found.indices]);
  // A new id has no start; ids gone from the train rows are dropped.
  const partial = startRows(last, Float64Array.of(90_000, 123), trainIds.subarray(0, 10), () => rowMap(trainIds.subarray(0, 10)));
  t.true(partial === undefined || partial.indices.subarray(15).every((v) => v === -1));
  t.is(startRows(undefined, testIds, trainIds, () => rowMap(trainIds)), undefined);
  // Same ids in the same order: last epoch's rows as they were, no id map built.
  const same = startRows(last, testIds, trainIds, () => {
    throw new Error('map built');
  })!;
  t.deepEqual([...same.indices], [...knnSearch(tf, before.test, before.train, 15).indices]);
  t.throws(() => knnGraphSearch(tf, testR, trainR, graph, 15, createRng(2), { k: 15, indices: new Int32Array(15), distances: new Float32Array(0) }), { message: /start rows for 1 queries, 500 given/ });
});
