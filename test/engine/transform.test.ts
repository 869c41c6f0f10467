import test from 'ava';
import { settleGraph, settleJoint } from '../../src/engine/transform.js';
import { fitAB } from '../../src/engine/refine.js';
import { smoothKnn } from '../../src/engine/fuzzy-graph.js';
import type { KnnResult } from '../../src/engine/knn.js';
import { createRng } from '../../src/util/random.js';
import { ProjectionEngine } from '../../src/engine/engine.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';

const knn = (k: number, indices: number[], distances: number[]): KnnResult => ({ k, indices: Int32Array.from(indices), distances: Float32Array.from(distances) });

test('settling pulls a misplaced point to its neighbours, leaves the fixed layout alone and is seeded', (t) => {
  const ab = fitAB(0.1, 1);
  // Two clusters of fixed points, around (0, 0) and (10, 0).
  const r = createRng(1);
  const fixed = Float32Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? (i < 20 ? 0 : 10) + 0.3 * r.normal() : 0.3 * r.normal()));
  const before = fixed.slice();
  // The new point's input-space neighbours are the second cluster (points 10..19), but it starts at (0, 0).
  const nn = knn(5, [10, 11, 12, 13, 14], [1, 1.1, 1.2, 1.3, 1.4]);
  const graph = settleGraph(nn, nn, undefined, 20);
  const run = (seed: number) => {
    const pos = Float32Array.from([0, 0]);
    settleJoint(pos, fixed, graph, createRng(seed), { ...ab, epochs: 100, alpha: 0.25 });
    return pos;
  };
  const a = run(2);
  t.true(Math.hypot(a[0] - 10, a[1]) < 2, `settled at ${a[0]}, ${a[1]}`);
  t.deepEqual([...fixed], [...before]);
  t.deepEqual([...run(2)], [...a]);
  t.throws(() => settleJoint(new Float32Array(4), fixed, graph, createRng(1), { ...ab, epochs: 10, alpha: 0.25 }), { message: /graph has 21 vertices, 20 fixed \+ 2 to settle/ });
});

test('the settling graph: fuzzy-union weights, the train rows that would list a test row, each test pair once', (t) => {
  // 4 train rows (0..3), 2 test rows (vertices 4 and 5). Train rows' own lists (k = 2).
  const trainKnn = knn(2, [1, 2, 0, 2, 1, 3, 2, 1], [1, 2, 1, 1.5, 1.5, 1, 1, 1.5]);
  // Test row 0's train neighbours: 0 (0.5, nearer than row 0's 2nd neighbour at 2) and 3 (3, farther than row 3's 1.5).
  // Test row 1's: 1 (0.8) and 2 (0.9).
  const trainNn = knn(2, [0, 3, 1, 2], [0.5, 3, 0.8, 0.9]);
  // Joint lists: test 0 lists train 0 and test 1; test 1 lists test 0 and train 1.
  const joint = knn(2, [0, 5, 4, 1], [0.5, 0.7, 0.7, 0.8]);
  const g = settleGraph(joint, trainNn, { knn: trainKnn, smoothing: smoothKnn(trainKnn) }, 4);
  t.is(g.n, 6);
  const pairs = [...g.from].map((f, e) => `${f}-${g.to[e]}`);
  // Train 0 - test 0 (both ways), train 3 - test 0 (neither: not in the joint list, and test 0 lies beyond row 3's 2nd neighbour), train 1 - test 1, train 2 - test 1 (row 2 lists it: 0.9 < 1.5), test 0 - test 1 once.
  t.deepEqual(pairs.sort(), ['0-4', '1-5', '2-5', '4-5']);
  t.true(g.weight.every((w) => w > 0 && w <= 1));
  // The mutual test pair and the nearest train pair hold full weight (each row's nearest neighbour).
  t.is(g.weight[pairs.indexOf('0-4')], 1);
  t.is(g.weight[pairs.indexOf('4-5')], 1);
  // Without the train rows' lists, only the test rows' own memberships count: row 2 does not pull test 1.
  const own = settleGraph(joint, trainNn, undefined, 4);
  t.deepEqual([...own.from].map((f, e) => `${f}-${own.to[e]}`).sort(), ['0-4', '1-5', '4-5']);
});

test('settling the test split among train + test rows keeps more of its neighbours than among train rows alone', async (t) => {
  // A seeded 480 + 240 point epoch of clustered data: the same layout of the train split, the test split settled both ways.
  const fixedWork = { steps: 3, coldSteps: 5, refineEpochs: 30, coldRefineEpochs: 150, anchorSteps: 5, coldAnchorSteps: 10 };
  const scores: number[] = [];
  const train: number[] = [];
  for (const settleNeighbours of ['joint', 'train'] as const) {
    const stream = new SyntheticStream({ n: 720, dim: 32, clusters: 6, rank: 6, seed: 11, testShare: 1 / 3 });
    const e = new ProjectionEngine({ seed: 5, settleNeighbours, fixedWork });
    let joint = 0;
    let nn15 = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      const m = (await e.update({ run: 'r', epoch, splits: stream.next() })).metrics;
      joint += m.test_nn15!;
      nn15 += m.nn15;
    }
    scores.push(joint / 3);
    train.push(nn15 / 3);
  }
  // The train layout does not depend on how the test split is settled.
  t.is(train[0], train[1]);
  t.log(`test_nn15 ${scores[0].toFixed(3)} joint, ${scores[1].toFixed(3)} train rows only (train nn15 ${train[0].toFixed(3)})`);
  t.true(scores[0] > scores[1] + 0.01, `test_nn15 ${scores[0]} joint, ${scores[1]} train rows only`);
});
