import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { temporalSet } from '../../src/engine/temporal-edges.js';
import { TemporalMemory } from '../../src/engine/temporal-memory.js';
import type { Basis } from '../../src/engine/pca.js';
import { createRng } from '../../src/util/random.js';

test('identity edges link each current row to the same id last epoch, with its position as target', async (t) => {
  const { tf } = await initTf();
  const dim = 3;
  const basis: Basis = { m: 3, dim: 3, rows: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
  const mem = new TemporalMemory({ keepShare: 0.5, minKeep: 1 });
  // Previous epoch: 4 points, ids 10..13, raw rows along the axes, positions (id, -id).
  const raw = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]);
  mem.add(
    {
      index: 0,
      epoch: 0,
      dim,
      mean: new Float32Array(3),
      sd: new Float32Array(3).fill(1),
      scale: 1,
      ids: Float64Array.from([10, 11, 12, 13]),
      raw,
      y: Float32Array.from([10, -10, 11, -11, 12, -12, 13, -13]),
    },
    createRng(1),
  );
  // Current sample: ids 12 and 99 (new).
  const ts = temporalSet(
    tf,
    mem,
    { index: 1, z: Float32Array.from([0, 0, 2, 5, 0, 0]), ids: Float64Array.from([12, 99]), mean: new Float32Array(3), sd: new Float32Array(3).fill(1) },
    basis,
    { identityWeight: 0.7 },
  )!;
  t.truthy(ts);
  // Identity edge: current row 0 (id 12) -> a historical row whose target is (12, -12) and x is (0, 0, 1).
  const idEdges = [...ts.weight.keys()].filter((e) => ts.weight[e] === Math.fround(0.7));
  t.is(idEdges.length, 1);
  const e = idEdges[0];
  t.is(ts.from[e], 0);
  const h = ts.to[e];
  t.deepEqual([ts.target[2 * h], ts.target[2 * h + 1]], [12, -12]);
  t.deepEqual([...ts.x.subarray(h * 3, h * 3 + 3)], [0, 0, 1]);
  // Cosine edges carry (1 - d)/2 <= 0.5 and are pruned below half the max.
  const cos = [...ts.weight].filter((w) => w !== Math.fround(0.7));
  t.true(cos.length > 0 && cos.every((w) => w > 0 && w <= 0.5));
  // Margins at the floor: the distribution did not move.
  t.true([...ts.margin].every((m) => Math.abs(m - 0.1) < 1e-6));
});

test('no history, no temporal set', async (t) => {
  const { tf } = await initTf();
  const basis: Basis = { m: 2, dim: 2, rows: Float32Array.from([1, 0, 0, 1]) };
  const res = temporalSet(tf, new TemporalMemory(), { index: 0, z: new Float32Array(4), ids: Float64Array.from([1, 2]), mean: new Float32Array(2), sd: new Float32Array(2) }, basis);
  t.is(res, undefined);
});
