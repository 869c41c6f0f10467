import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { knnSearch, matrix } from '../../src/engine/knn.js';
import { jointKnn } from '../../src/engine/joint-knn.js';
import { sheets } from '../helpers/sheets.js';

test('joint lists of test rows among train + test rows: exact while small, >= 90% of the exact ones from the candidates', async (t) => {
  const { tf } = await initTf();
  const d = 16;
  const x = sheets(4800, d, 1, 8);
  const f = 4000;
  const q = 800;
  const train = matrix(x.slice(0, f * d), f, d);
  const test_ = matrix(x.slice(f * d), q, d);
  const trainNn = knnSearch(tf, test_, train, 15);
  // The truth: every test row's 15 nearest among all rows but itself.
  const exact = knnSearch(tf, test_, matrix(x, f + q, d), 15, { exclude: Int32Array.from({ length: q }, (_, i) => f + i) });
  const small = jointKnn(tf, test_, trainNn, f, 15);
  const large = jointKnn(tf, test_, trainNn, f, 15, 0);
  let same = 0;
  let hit = 0;
  let testNeighbours = 0;
  for (let i = 0; i < q; i++) {
    const want = new Set(exact.indices.subarray(i * 15, i * 15 + 15));
    for (let s = 0; s < 15; s++) {
      if (want.has(small.indices[i * 15 + s])) same++;
      if (want.has(large.indices[i * 15 + s])) hit++;
      if (exact.indices[i * 15 + s] >= f) testNeighbours++;
    }
  }
  // Some of the neighbours are test rows (about a sixth here), so the train lists alone would miss them.
  t.true(testNeighbours / (q * 15) > 0.1, `share of test neighbours ${testNeighbours / (q * 15)}`);
  t.true(same / (q * 15) > 0.999, `exact path ${same / (q * 15)}`);
  t.true(hit / (q * 15) >= 0.9, `candidates ${hit / (q * 15)}`);
  t.log(`recall of the candidates ${(hit / (q * 15)).toFixed(3)}; test neighbours ${(testNeighbours / (q * 15)).toFixed(3)}`);
  // Nearest first, distances exact.
  for (let i = 0; i < q; i++) for (let s = 1; s < 15; s++) t.true(large.distances[i * 15 + s] >= large.distances[i * 15 + s - 1] || large.indices[i * 15 + s] < 0);
  t.throws(() => jointKnn(tf, test_, { k: 15, indices: new Int32Array(15), distances: new Float32Array(15) }, f, 15), { message: /train lists for 1 rows, 800 test rows/ });
});
