import test from 'ava';
import type { EpochData } from '../../src/model/epoch-data.js';
import { activationSignals, participationRatio } from '../../src/audit/activation-signals.js';

function data(rows: number[][], epoch = 0): EpochData {
  const n = rows.length;
  const dim = rows[0]?.length ?? 0;
  return { run: 'r', epoch, split: 'train', n, dim, x: Float32Array.from(rows.flat()), ids: Float64Array.from(rows, (_, i) => i) };
}

/** Deterministic pseudo-random numbers in [-1, 1) (no seed plumbing needed for a test fixture). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

test('dead units: columns zero in every row', (t) => {
  const a = activationSignals(data([
    [0, 1, 0, 2],
    [0, 0, 0, 3],
    [0, 4, 0, 0],
  ]));
  t.is(a.deadUnits, 2);
  t.is(a.deadShare, 0.5);
});

test('a column with NaN or Inf is not dead', (t) => {
  const a = activationSignals(data([
    [Number.NaN, 1, 0],
    [0, Number.POSITIVE_INFINITY, 0],
  ]));
  t.is(a.deadUnits, 1);
});

test('participation ratio: known answers', (t) => {
  // Variance along one axis only: rank 1.
  const line = data([[1, 0, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0]]);
  t.true(Math.abs(activationSignals(line).effectiveRank - 1) < 1e-9);
  // Four points +-e1, +-e2 (centred): covariance eigenvalues equal on two axes: rank 2.
  const cross = data([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]);
  t.true(Math.abs(activationSignals(cross).effectiveRank - 2) < 1e-9);
  // Eigenvalues 4 and 1 (stds 2 and 1): (4+1)^2 / (16+1) = 25/17.
  const ell = data([[2, 0], [-2, 0], [0, 1], [0, -1]]);
  t.true(Math.abs(activationSignals(ell).effectiveRank - 25 / 17) < 1e-9);
  // All rows equal: no variance.
  t.is(activationSignals(data([[1, 2], [1, 2], [1, 2]])).effectiveRank, 0);
});

test('Gram and covariance paths agree', (t) => {
  const next = lcg(7);
  const n = 40;
  const dim = 12;
  const x = Float32Array.from({ length: n * dim }, next);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const wide = participationRatio(x, dim, rows); // n > dim: covariance path
  const few = Int32Array.from({ length: 10 }, (_, i) => i * 4);
  const gram = participationRatio(x, dim, few); // m <= dim: Gram path
  // Compare each path with the other on the same rows by transposing the problem size.
  t.true(wide > 1 && wide <= dim);
  t.true(gram > 1 && gram <= 9);
  // Same rows through both paths: pad dim so that the Gram path is taken for the full set.
  const padded = new Float32Array(n * 64);
  for (let r = 0; r < n; r++) for (let d = 0; d < dim; d++) padded[r * 64 + d] = x[r * dim + d]!;
  t.true(Math.abs(participationRatio(padded, 64, rows) - wide) < 1e-6);
});

test('effective rank of isotropic noise is near its dimension; of a rank-3 signal near 3', (t) => {
  const next = lcg(1);
  const n = 600;
  const dim = 16;
  const iso = Array.from({ length: n }, () => Array.from({ length: dim }, next));
  const r = activationSignals(data(iso), { maxRankRows: 600 }).effectiveRank;
  t.true(r > 13 && r <= 16, `isotropic rank ${r}`);
  const basis = Array.from({ length: 3 }, () => Array.from({ length: dim }, next));
  const low = Array.from({ length: n }, () => {
    const c = [next(), next(), next()];
    return Array.from({ length: dim }, (_, d) => c[0]! * basis[0]![d]! + c[1]! * basis[1]![d]! + c[2]! * basis[2]![d]!);
  });
  const lr = activationSignals(data(low)).effectiveRank;
  t.true(lr > 1.5 && lr <= 3 + 1e-6, `rank-3 rank ${lr}`);
});

test('the rank estimate uses at most maxRankRows rows, evenly spread', (t) => {
  const next = lcg(3);
  const rows = Array.from({ length: 1000 }, () => Array.from({ length: 8 }, next));
  const a = activationSignals(data(rows), { maxRankRows: 100 });
  t.is(a.rankRows, 100);
  t.is(a.rows, 1000);
});

test('bad input is refused by name', (t) => {
  t.throws(() => activationSignals({ ...data([[1, 2]]), n: 5 }), { message: /expected n\*dim = 10/ });
  t.throws(() => activationSignals(data([[1, 2]]), { maxRankRows: 1 }), { message: /maxRankRows/ });
});
