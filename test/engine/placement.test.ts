import test from 'ava';
import { placeByDisplacement } from '../../src/engine/placement.js';

test('a point follows its neighbours\' displacement (fuzzy-weighted)', (t) => {
  // One point, two anchors: both moved by (+2, -1) from their encoder positions.
  const out = placeByDisplacement(
    Float32Array.from([5, 5]),
    { k: 2, indices: Int32Array.from([0, 1]), distances: Float32Array.from([1, 2]) },
    Float32Array.from([0, 0, 1, 1]),
    Float32Array.from([2, -1, 3, 0]),
  );
  t.deepEqual([...out], [7, 4]);
});

test('the nearest anchor dominates when the neighbours disagree', (t) => {
  const out = placeByDisplacement(
    Float32Array.from([0, 0]),
    { k: 2, indices: Int32Array.from([0, 1]), distances: Float32Array.from([1, 5]) },
    Float32Array.from([0, 0, 0, 0]),
    Float32Array.from([1, 0, -1, 0]),
  );
  // The nearer anchor has weight 1; the farther exp(-(5 - 1)/sigma) is much smaller.
  t.true(out[0] > 0.5, `${out[0]}`);
  t.throws(() => placeByDisplacement(new Float32Array(4), { k: 2, indices: new Int32Array(2), distances: new Float32Array(2) }, new Float32Array(2), new Float32Array(2)), { message: /neighbour lists/ });
});
