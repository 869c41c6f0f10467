import test from 'ava';
import { matrix } from '../../src/engine/knn.js';
import { leadingColumns, reduce } from '../../src/engine/reduce.js';
import { resolveOptions } from '../../src/engine/engine-options.js';
import { PhaseClock } from '../../src/engine/phase-clock.js';
import { initTf } from '../../src/tf/backend.js';
import { createRng } from '../../src/util/random.js';

/** Rows of independent normal columns with the given standard deviations, columns shuffled so order is not a hint. */
function columnsWithStd(std: readonly number[], rows: number, seed: number) {
  const r = createRng(seed);
  const data = new Float32Array(rows * std.length);
  for (let i = 0; i < rows; i++) for (let c = 0; c < std.length; c++) data[i * std.length + c] = std[c] * r.normal();
  return matrix(data, rows, std.length);
}

// Column c has std s[c]: 3 dominant columns (variance 100 each) hold 99.7% of the variance of 32.
const STD = Array.from({ length: 32 }, (_, c) => (c % 10 === 3 ? 10 : 0.1));
const DOMINANT = [3, 13, 23];

test('leadingColumns keeps the columns holding the variance share, largest first', (t) => {
  const z = columnsWithStd(STD, 4000, 1);
  const cols = [...leadingColumns(z, 0.99, 1)];
  t.deepEqual([...cols].sort((a, b) => a - b), DOMINANT);
});

test('leadingColumns: the floor widens a cut that a few dominant directions would shrink (graphMinColumns)', (t) => {
  const z = columnsWithStd(STD, 4000, 1);
  const cols = [...leadingColumns(z, 0.99, 24)];
  t.is(cols.length, 24);
  t.deepEqual(cols.slice(0, 3).sort((a, b) => a - b), DOMINANT);
  t.is(new Set(cols).size, 24);
  // A floor above the width keeps every column once.
  t.deepEqual([...leadingColumns(z, 0.99, 100)].sort((a, b) => a - b), Array.from({ length: 32 }, (_, c) => c));
  // Share 1 keeps them all whatever the floor.
  t.is(leadingColumns(z, 1, 1).length, 32);
});

test('reduce: the graphs get at least 24 columns at every size unless graphMinColumns says otherwise', async (t) => {
  const { tf } = await initTf();
  // D = 64 (no reduction): 4 directions hold 99.7% of the variance, as on a stream of well-separated clusters.
  const std = Array.from({ length: 64 }, (_, c) => (c % 20 === 3 ? 10 : 0.1));
  const columns = (n: number, graphMinColumns?: number) => {
    const z = columnsWithStd(std, n, 2);
    const split = { run: 'r', epoch: 0, split: 'train' as const, n, dim: 64, x: z.data, ids: Float64Array.from({ length: n }, (_, i) => i) };
    const r = reduce(tf, split, undefined, resolveOptions({ graphMinColumns }), createRng(3), new PhaseClock())!;
    t.is(r.zg.cols, r.graphCols.length);
    return r.graphCols.length;
  };
  t.is(columns(2_000), 24);
  t.is(columns(30_000), 24);
  t.is(columns(2_000, 8), 8);
  t.is(columns(2_000, 1), 4);
});
