import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { sampleGraph, SAMPLE_POOL } from '../../src/engine/sample-graph.js';
import { matrix } from '../../src/engine/knn.js';
import { resolveOptions } from '../../src/engine/engine-options.js';
import { PhaseClock } from '../../src/engine/phase-clock.js';
import { createRng } from '../../src/util/random.js';
import type { Reduced } from '../../src/engine/reduce.js';

test('fault: at 50,000 rows the density search and the sample graph ran over the whole epoch; beyond the pool the sample comes from 5,000 rows', async (t) => {
  const { tf } = await initTf();
  const r = createRng(1);
  const n = SAMPLE_POOL + 3000;
  const m = 8;
  const z = Float32Array.from({ length: n * m }, () => r.normal());
  const zm = matrix(z, n, m);
  const reduced = { z, zm, zg: zm, graphCols: Int32Array.from({ length: m }, (_, c) => c) } as unknown as Reduced;
  const s = sampleGraph(tf, reduced, resolveOptions({ seed: 1 }), createRng(2), new PhaseClock());
  // At most half of the pool (the largest candidate rate), rows of the whole epoch, ascending and distinct.
  t.true(s.sample.indices.length <= SAMPLE_POOL / 2, `sample ${s.sample.indices.length}`);
  t.true(s.sample.indices.length >= SAMPLE_POOL / 10);
  for (let i = 1; i < s.sample.indices.length; i++) t.true(s.sample.indices[i] > s.sample.indices[i - 1]);
  t.true(s.sample.indices[s.sample.indices.length - 1] < n);
  t.true(Array.from(s.sample.indices).some((i) => i >= SAMPLE_POOL), 'the pool is drawn from every row, not the first 5,000');
  t.is(s.zs.rows, s.sample.indices.length);
});
