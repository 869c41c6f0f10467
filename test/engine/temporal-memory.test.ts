import test from 'ava';
import { epochMargin, targetAges, TemporalMemory } from '../../src/engine/temporal-memory.js';
import { createRng } from '../../src/util/random.js';

function snapshot(index: number, n = 100, dim = 4) {
  return {
    index,
    epoch: 1000 + index,
    dim,
    mean: new Float32Array(dim),
    sd: new Float32Array(dim).fill(1),
    scale: 2,
    ids: Float64Array.from({ length: n }, (_, i) => i),
    raw: Float32Array.from({ length: n * dim }, (_, i) => i % 7),
    y: new Float32Array(n * 2),
  };
}

test('target ages are 1, 2, 3, 5, 9, 17 (R, R-1, R-2, R-4, R-8, ...)', (t) => {
  t.deepEqual(targetAges(6), [1, 2, 3, 5, 9, 17]);
});

test('the working set follows the doubling gaps while retention stays logarithmic', (t) => {
  const mem = new TemporalMemory({ keepShare: 0.1, minKeep: 5, maxEpochs: 5 });
  const rng = createRng(1);
  let maxRetained = 0;
  for (let i = 0; i < 200; i++) {
    mem.add(snapshot(i), rng);
    maxRetained = Math.max(maxRetained, mem.retained().length);
    if (i >= 20) {
      const ages = mem.workingSet(i + 1).map((r) => i + 1 - r.index);
      // Targets 1, 2, 3, 5, 9: the first three exact, the others within half their age.
      t.deepEqual(ages.slice(0, 3), [1, 2, 3]);
      t.is(ages.length, 5);
      t.true(Math.abs(ages[3] - 5) <= 2 && Math.abs(ages[4] - 9) <= 4, `ages ${ages}`);
    }
  }
  t.true(maxRetained <= 3 + 2 * 5, `retained ${maxRetained}`);
});

test('kept rows are standardised with their own epoch statistics; the previous epoch is kept whole', (t) => {
  const mem = new TemporalMemory({ keepShare: 0.05, minKeep: 10 });
  mem.add(snapshot(0, 100, 4), createRng(2));
  const rec = mem.workingSet(1)[0];
  t.is(rec.ids.length, 10);
  const row = rec.ids[0];
  // raw value (i % 7) / scale 2, mean 0.
  for (let j = 0; j < 4; j++) t.is(rec.x[j], ((row * 4 + j) % 7) / 2);
  t.is(mem.previous()!.ids.length, 100);
  t.is(mem.previous()!.rowOf.get(42), 42);
  t.throws(() => mem.add(snapshot(0), createRng(1)), { message: /not after the last one/ });
});

test('margin: no shift gives the floor 0.1, a large shift is capped at 1, known value in between', (t) => {
  const sd = Float32Array.from([1, 1]);
  t.is(epochMargin(Float32Array.from([0, 0]), sd, Float32Array.from([0, 0]), sd), 0.1);
  t.is(epochMargin(Float32Array.from([0, 0]), sd, Float32Array.from([10, 10]), sd), 1);
  // |0.5| / (sqrt(2) + 5e-4) per feature.
  const m = epochMargin(Float32Array.from([0, 0]), sd, Float32Array.from([0.5, 0.5]), sd);
  t.true(Math.abs(m - 0.5 / (Math.SQRT2 + 5e-4)) < 1e-6);
});

test('a large epoch keeps at most maxKeep rows; small epochs keep their share (or minKeep)', (t) => {
  const mem = new TemporalMemory({ keepShare: 0.1, minKeep: 10, maxKeep: 40 });
  mem.add(snapshot(0, 1000, 2), createRng(3));
  t.is(mem.workingSet(1)[0].ids.length, 40);
  mem.add(snapshot(1, 200, 2), createRng(3));
  t.is(mem.workingSet(2)[0].ids.length, 20);
  mem.add(snapshot(2, 50, 2), createRng(3));
  t.is(mem.workingSet(3)[0].ids.length, 10);
  // The default cap: 5% of 50,000 rows would be 2,500.
  const big = new TemporalMemory();
  big.add(snapshot(0, 50_000, 1), createRng(4));
  t.is(big.workingSet(1)[0].ids.length, 1000);
});
