import test from 'ava';
import { anchoredSet } from '../../src/engine/train-projector.js';
import type { TrainingSet } from '../../src/engine/trainer.js';

/** A 2-row sample of 4 train rows (m = 1), one spatial edge of weight 3 and one temporal edge of weight 1. */
function smallSet(): TrainingSet {
  return {
    x: Float32Array.of(10, 30),
    rows: 2,
    m: 1,
    edges: { n: 2, from: Int32Array.of(0), to: Int32Array.of(1), weight: Float32Array.of(3) },
    temporal: { x: Float32Array.of(7), rows: 1, target: Float32Array.of(5, 6), margin: Float32Array.of(0.5), from: Int32Array.of(1), to: Int32Array.of(0), weight: Float32Array.of(1) },
  };
}

test("anchoredSet: one anchor per train row to its shown position, with the given margin and the given share of the edge mass", (t) => {
  const z = Float32Array.of(0, 10, 20, 30);
  const pos = Float32Array.of(1, 1, 2, 2, 3, 3, 4, 4);
  const a = anchoredSet(smallSet(), Int32Array.of(1, 3), z, 4, pos, { margin: 0, drawShare: 0.9 });
  const tail = a.temporal!;
  // The sample's edges move to train rows (sample row 0 -> train row 1, 1 -> 3); the temporal edge keeps its history row.
  t.deepEqual([Array.from(a.edges.from), Array.from(a.edges.to)], [[1], [3]]);
  t.deepEqual([Array.from(tail.from), Array.from(tail.to)], [[3, 0, 1, 2, 3], [0, 1, 2, 3, 4]]);
  // Anchor targets are the shown positions; the history row keeps its own target and margin.
  t.deepEqual(Array.from(tail.target), [5, 6, 1, 1, 2, 2, 3, 3, 4, 4]);
  t.deepEqual(Array.from(tail.margin), [0.5, 0, 0, 0, 0]);
  t.is(tail.shownFrom, 1);
  // Anchors hold 90% of all edge mass: 4 anchors of weight w against 3 + 1 of the graphs.
  const anchorMass = tail.weight.slice(1).reduce((s, w) => s + w, 0);
  t.is(Math.round((anchorMass / (anchorMass + 4)) * 1e6) / 1e6, 0.9);
  const half = anchoredSet(smallSet(), Int32Array.of(1, 3), z, 4, pos, { margin: 0.1, drawShare: 0.5 });
  t.is(half.temporal!.weight.slice(1).reduce((s, w) => s + w, 0), 4);
  t.true(half.temporal!.margin.slice(1).every((m) => Math.abs(m - 0.1) < 1e-7));
});
