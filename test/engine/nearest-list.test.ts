import test from 'ava';
import { insertNearest } from '../../src/engine/nearest-list.js';

/** Offer every candidate the way the searches do (skip those no nearer than a full list's last). */
function nearest(ds: readonly number[], k: number): { idx: number[]; dist: number[] } {
  const dist = new Float64Array(k);
  const idx = new Int32Array(k);
  let filled = 0;
  for (const [j, d] of ds.entries()) {
    if (filled === k && d >= dist[k - 1]) continue;
    filled = insertNearest(dist, idx, filled, k, d, j);
  }
  return { idx: Array.from(idx.subarray(0, filled)), dist: Array.from(dist.subarray(0, filled)) };
}

test('keeps the k nearest, nearest first', (t) => {
  t.deepEqual(nearest([5, 1, 4, 2, 3, 0.5], 3), { idx: [5, 1, 3], dist: [0.5, 1, 2] });
});

test('fewer candidates than k: the list holds them all, sorted', (t) => {
  t.deepEqual(nearest([3, 1, 2], 5), { idx: [1, 2, 0], dist: [1, 2, 3] });
});

test('ties keep the lower index first, whatever order the candidates come in', (t) => {
  const dist = new Float64Array(3);
  const idx = new Int32Array(3);
  let filled = 0;
  for (const j of [7, 2, 9, 4]) filled = insertNearest(dist, idx, filled, 3, 1, j);
  t.deepEqual(Array.from(idx), [2, 4, 7]);
  t.is(filled, 3);
});
