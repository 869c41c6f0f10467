import test from 'ava';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { activationGeometry, geometrySignals } from '../../src/audit/geometry-signals.js';

/** A layout from points [x, y, label, split?]. */
function layout(points: Array<[number, number, number, number?]>, epoch = 0): EpochLayout {
  const n = points.length;
  return {
    run: 'r',
    epoch,
    n,
    ids: Float64Array.from(points, (_, i) => i),
    positions: Float32Array.from(points.flatMap(([x, y]) => [x, y])),
    split: Uint8Array.from(points, (p) => p[3] ?? 0),
    labels: Int32Array.from(points, (p) => p[2]),
    metrics: { sample_rate: 1, rel_density: 1, update_ms: 0, train_steps: 0, loss: 0, nn15: 0, trust15: 0 },
  };
}

/** Two classes of 4 points each: squares of half-side h centred at (+-c, 0). */
function twoSquares(c: number, h: number): Array<[number, number, number]> {
  const pts: Array<[number, number, number]> = [];
  for (const [cx, label] of [[-c, 0], [c, 1]] as const) {
    for (const [dx, dy] of [[-h, -h], [h, -h], [-h, h], [h, h]] as const) pts.push([cx + dx, dy, label]);
  }
  return pts;
}

test('known answer: two square clusters', (t) => {
  const c = 10;
  const h = 1;
  const g = geometrySignals(layout(twoSquares(c, h)), { percentile: 1 })!;
  // All 8 points sit at distance sqrt((c+-h)^2 + h^2) from the origin; the max is sqrt(121+1).
  const R = Math.sqrt((c + h) ** 2 + h * h);
  t.true(Math.abs(g.scale - R) < 1e-5);
  t.true(Math.abs(g.D - (2 * c) / R) < 1e-5);
  // Each point is sqrt(2)*h from its centre: mean squared distance 2h^2.
  t.true(Math.abs(g.V - (2 * h * h) / (R * R)) < 1e-6);
  t.true(Math.abs(g.sep - (2 * c) / Math.sqrt(2 * h * h)) < 1e-4);
  t.is(g.classes, 2);
  t.is(g.n, 8);
});

test('scale-free: scaling, shifting and rotating the layout changes nothing', (t) => {
  const base = twoSquares(7, 2).concat([[0, 5, 2], [1, 6, 2], [-1, 4, 2]]);
  const g0 = geometrySignals(layout(base))!;
  const a = 0.7;
  const moved = base.map(([x, y, l]) => [
    37 * (Math.cos(a) * x - Math.sin(a) * y) + 1000,
    37 * (Math.sin(a) * x + Math.cos(a) * y) - 500,
    l,
  ]) as Array<[number, number, number]>;
  const g1 = geometrySignals(layout(moved))!;
  for (const k of ['D', 'V', 'sep'] as const) t.true(Math.abs(g0[k] - g1[k]) / g0[k] < 1e-4, k);
  t.true(Math.abs(g1.scale / g0.scale - 37) < 1e-3);
});

test('merging classes lower D and the separation ratio', (t) => {
  const apart = geometrySignals(layout(twoSquares(10, 1).concat([[0, 20, 2], [0, 21, 2]])))!;
  const close = geometrySignals(layout(twoSquares(2, 1).concat([[0, 20, 2], [0, 21, 2]])))!;
  t.true(close.sep < apart.sep);
});

test('test-split points do not change the signal', (t) => {
  const train = twoSquares(5, 1);
  const withTest = [...train, [100, 100, 0, 1], [-50, 3, 1, 1], [0, 0, 1, 1]] as Array<[number, number, number, number]>;
  t.deepEqual(geometrySignals(layout(withTest)), geometrySignals(layout(train)));
});

test('the radius ignores a few far outliers (high percentile, not the max)', (t) => {
  const pts: Array<[number, number, number]> = [];
  for (let i = 0; i < 100; i++) pts.push([Math.cos(i) * 1, Math.sin(i) * 1, i % 2]);
  const g0 = geometrySignals(layout(pts))!;
  const withOutlier = [...pts, [1e4, 0, 0]] as Array<[number, number, number]>;
  const g1 = geometrySignals(layout(withOutlier))!;
  t.true(g0.scale > 0.95 && g0.scale < 1.05);
  t.true(g1.scale < 2, `radius ${g1.scale} should not follow the outlier`);
});

test('classes below the minimum size are skipped; too few classes gives null', (t) => {
  const pts = twoSquares(5, 1).concat([[100, 100, 7]]);
  const g = geometrySignals(layout(pts))!;
  t.is(g.classes, 2);
  t.is(g.n, 8);
  t.is(geometrySignals(layout([[0, 0, 0], [1, 1, 0], [5, 5, 1]])), null);
});

test('null without labels, and for a layout on one spot', (t) => {
  const { labels: _labels, ...noLabels } = layout(twoSquares(5, 1));
  t.is(geometrySignals(noLabels as EpochLayout), null);
  t.is(geometrySignals(layout([[3, 3, 0], [3, 3, 0], [3, 3, 1], [3, 3, 1]])), null);
});

test('non-finite positions are skipped', (t) => {
  const pts = [...twoSquares(5, 1), [Number.NaN, 0, 0], [0, Number.POSITIVE_INFINITY, 1]] as Array<[number, number, number]>;
  t.deepEqual(geometrySignals(layout(pts)), geometrySignals(layout(twoSquares(5, 1))));
});

test('bad options and short arrays are refused by name', (t) => {
  t.throws(() => geometrySignals(layout(twoSquares(5, 1)), { percentile: 0 }), { message: /percentile/ });
  const l = layout(twoSquares(5, 1));
  t.throws(() => geometrySignals({ ...l, n: 20 }), { message: /shorter than n=20/ });
});

test('activation geometry: known answer in 5-D, train split only', (t) => {
  // Class 0 at -c*e1, class 1 at +c*e1, each with points +-h*e2 and +-h*e3.
  const c = 4;
  const hh = 1;
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const [sign, label] of [[-1, 0], [1, 1]] as const) {
    for (const [d, s] of [[1, 1], [1, -1], [2, 1], [2, -1]] as const) {
      const r = [sign * c, 0, 0, 0, 0];
      r[d] = s * hh;
      rows.push(r);
      labels.push(label);
    }
  }
  const data = {
    run: 'r',
    epoch: 0,
    split: 'train' as const,
    n: rows.length,
    dim: 5,
    x: Float32Array.from(rows.flat()),
    ids: Float64Array.from(rows, (_, i) => i),
    labels: Int32Array.from(labels),
  };
  const g = activationGeometry(data, { percentile: 1 })!;
  const R = Math.sqrt(c * c + hh * hh); // every point's distance from the mean (the origin)
  t.true(Math.abs(g.scale - R) < 1e-6);
  t.true(Math.abs(g.D - (2 * c) / R) < 1e-6);
  t.true(Math.abs(g.V - (hh * hh) / (R * R)) < 1e-6);
  // Scaling the activations (as training does) changes nothing.
  const big = activationGeometry({ ...data, x: data.x.map((v) => v * 50) }, { percentile: 1 })!;
  t.true(Math.abs(big.sep - g.sep) / g.sep < 1e-6);
  t.is(activationGeometry({ ...data, split: 'test' }), null);
  const { labels: _l, ...unlabelled } = data;
  t.is(activationGeometry(unlabelled), null);
});
