import test from 'ava';
import { settlePoints } from '../../src/engine/transform.js';
import { fitAB } from '../../src/engine/refine.js';
import type { KnnResult } from '../../src/engine/knn.js';
import { createRng } from '../../src/util/random.js';

test('settling pulls a misplaced point to its neighbours, leaves the fixed layout alone and is seeded', (t) => {
  const ab = fitAB(0.1, 1);
  // Two clusters of fixed points, around (0, 0) and (10, 0).
  const r = createRng(1);
  const fixed = Float32Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? (i < 20 ? 0 : 10) + 0.3 * r.normal() : 0.3 * r.normal()));
  const before = fixed.slice();
  // The new point's input-space neighbours are the second cluster (points 10..19), but it starts at (0, 0).
  const nn: KnnResult = { k: 5, indices: Int32Array.from([10, 11, 12, 13, 14]), distances: Float32Array.from([1, 1.1, 1.2, 1.3, 1.4]) };
  const run = (seed: number) => {
    const pos = Float32Array.from([0, 0]);
    settlePoints(pos, nn, fixed, createRng(seed), { ...ab, epochs: 100, alpha: 0.25 });
    return pos;
  };
  const a = run(2);
  t.true(Math.hypot(a[0] - 10, a[1]) < 2, `settled at ${a[0]}, ${a[1]}`);
  t.deepEqual([...fixed], [...before]);
  t.deepEqual([...run(2)], [...a]);
  t.throws(() => settlePoints(new Float32Array(4), nn, fixed, createRng(1), { ...ab, epochs: 10, alpha: 0.25 }), { message: /neighbour lists for 1 points, 2 to settle/ });
});
