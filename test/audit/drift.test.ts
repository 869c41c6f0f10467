import test from 'ava';
import { DriftTracker } from '../../src/audit/drift.js';

const ids = (n: number, from = 0): Float64Array => Float64Array.from({ length: n }, (_, i) => from + i);

/** Four points on the axes at distance 1 from the origin (radius 1 at any percentile). */
const square = [1, 0, 0, 1, -1, 0, 0, -1];

test('first epoch has no drift; a rigid shift or a rescale of everything is no drift', (t) => {
  const d = new DriftTracker();
  t.is(d.push(square, 2, 4, ids(4)), null);
  t.is(d.push(square.map((v, i) => (i % 2 === 0 ? v + 100 : v - 7)), 2, 4, ids(4)), 0);
  t.true(Math.abs(d.push(square.map((v) => v * 30), 2, 4, ids(4))!) < 1e-6);
});

test('known answer: swapping two points moves each by the distance between them', (t) => {
  const d = new DriftTracker({ percentile: 1 });
  d.push(square, 2, 4, ids(4));
  // Ids 0 and 2 trade places: each moves 2 radii; ids 1 and 3 stay. Mean = (2 + 0 + 2 + 0) / 4.
  const swapped = [-1, 0, 0, 1, 1, 0, 0, -1];
  t.true(Math.abs(d.push(swapped, 2, 4, ids(4))! - 1) < 1e-6);
});

test('only ids present in both epochs count, matched by id not by row', (t) => {
  const d = new DriftTracker({ percentile: 1 });
  d.push(square, 2, 4, ids(4));
  // Same points, rows reversed, ids reversed with them: nothing moved.
  const rev = [0, -1, -1, 0, 0, 1, 1, 0];
  t.true(Math.abs(d.push(rev, 2, 4, Float64Array.from([3, 2, 1, 0]))!) < 1e-6);
  // No shared id: null.
  t.is(d.push(square, 2, 4, ids(4, 100)), null);
});

test('excluded rows, non-finite rows and a collapsed epoch are skipped', (t) => {
  const d = new DriftTracker({ percentile: 1 });
  d.push(square, 2, 4, ids(4));
  t.is(d.push([0, 0, 0, 0, 0, 0, 0, 0], 2, 4, ids(4)), null);
  // The collapsed epoch was not remembered: the next one compares with the square.
  const withNaN = [...square, Number.NaN, 5];
  t.true(Math.abs(d.push(withNaN, 2, 5, ids(5))!) < 1e-6);
  t.is(d.push(square, 2, 4, ids(4), () => false), null);
  t.throws(() => new DriftTracker({ percentile: 2 }), { message: /percentile/ });
});

test('works in many dimensions', (t) => {
  const d = new DriftTracker({ percentile: 1 });
  const dim = 10;
  const a = new Float32Array(2 * dim);
  a[0] = 1;
  a[dim] = -1;
  d.push(a, dim, 2, ids(2));
  const b = new Float32Array(2 * dim);
  b[1] = 1;
  b[dim + 1] = -1;
  // Each point turned 90 degrees at radius 1: moved sqrt(2).
  t.true(Math.abs(d.push(b, dim, 2, ids(2))! - Math.SQRT2) < 1e-6);
});

test('rescale: |ln| of the radius ratio between consecutive epochs, the part drift divides out', (t) => {
  const d = new DriftTracker({ percentile: 1 });
  d.push(square, 2, 4, ids(4));
  t.is(d.rescale, null, 'no previous epoch');
  // Everything 30 times larger: no drift, rescale ln 30.
  t.true(Math.abs(d.push(square.map((v) => v * 30), 2, 4, ids(4))!) < 1e-6);
  t.true(Math.abs(d.rescale! - Math.log(30)) < 1e-6);
  // Back down by half: the same size of move either way.
  d.push(square.map((v) => v * 15), 2, 4, ids(4));
  t.true(Math.abs(d.rescale! - Math.log(2)) < 1e-6);
  // A shift, or points trading places, keeps the radius: rescale 0 while drift is not.
  t.true(d.push(square.map((v, i) => 15 * [-1, 0, 0, 1, 1, 0, 0, -1][i]! + 4), 2, 4, ids(4))! > 0.5);
  t.true(Math.abs(d.rescale!) < 1e-9);
  // A collapsed epoch has no radius: null, and the next epoch is compared with the last one remembered.
  d.push([0, 0, 0, 0, 0, 0, 0, 0], 2, 4, ids(4));
  t.is(d.rescale, null);
  d.push(square.map((v) => v * 45), 2, 4, ids(4));
  t.true(Math.abs(d.rescale! - Math.log(3)) < 1e-6);
});
