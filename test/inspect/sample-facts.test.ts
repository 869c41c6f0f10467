/** The inspector's facts on hand-made layouts and rows: exact answers, ties resolved reproducibly. */
import test from 'ava';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { movedMost, nearestRow, rawNeighbours, rowOf, trajectory } from '../../src/inspect/sample-facts.js';

function layout(epoch: number, ids: number[], xy: number[]): EpochLayout {
  return {
    run: 'r',
    epoch,
    n: ids.length,
    ids: Float64Array.from(ids),
    positions: Float32Array.from(xy),
    split: new Uint8Array(ids.length),
    metrics: { sample_rate: 1, rel_density: 1, update_ms: 0, train_steps: 0, loss: 0, nn15: 0, trust15: 0 },
  };
}

test('rowOf, nearestRow and trajectory', (t) => {
  const a = layout(0, [10, 20, 30], [0, 0, 1, 0, 0, 1]);
  const b = layout(1, [30, 10], [2, 2, 0.5, 0]);
  t.is(rowOf(a, 20), 1);
  t.is(rowOf(b, 20), -1);
  t.is(nearestRow(a, 0.9, 0.2), 1);
  t.is(nearestRow(layout(0, [], []), 0, 0), -1);
  t.deepEqual(trajectory([a, b], 10), [{ epoch: 0, x: 0, y: 0 }, { epoch: 1, x: 0.5, y: 0 }]);
  t.deepEqual(trajectory([a, b], 20), [{ epoch: 0, x: 1, y: 0 }]);
});

test('raw neighbours: exact distances, nearest first, equal distances by row', (t) => {
  // Rows at 0, 1, -1, 3 on one axis: from row 0, rows 1 and 2 tie at distance 1.
  const raw = { n: 4, dim: 2, x: Float32Array.from([0, 0, 1, 0, -1, 0, 3, 0]), ids: Float64Array.from([5, 6, 7, 8]), labels: Int32Array.from([0, 1, 2, 3]) };
  t.deepEqual(rawNeighbours(raw, 0, 2), [{ id: 6, label: 1, dist: 1 }, { id: 7, label: 2, dist: 1 }]);
  t.deepEqual(rawNeighbours(raw, 3, 1), [{ id: 6, label: 1, dist: 2 }]);
  t.deepEqual(rawNeighbours({ ...raw, labels: undefined }, 0, 1), [{ id: 6, label: null, dist: 1 }]);
});

test('moved most: largest moves first as a share of the layout diameter, only ids in both epochs', (t) => {
  const prev = layout(0, [1, 2, 3, 4], [0, 0, 0, 0, 0, 0, 9, 9]);
  const cur = layout(1, [1, 2, 3, 5], [3, 4, 0, 1, 0, 0, 0, 0]);
  // Diameter of cur's box: hypot(3, 4) = 5.
  t.deepEqual(movedMost(prev, cur, 2), [{ id: 1, moved: 1 }, { id: 2, moved: 0.2 }]);
  t.deepEqual(movedMost(prev, cur, 5).map((m) => m.id), [1, 2, 3]);
});
