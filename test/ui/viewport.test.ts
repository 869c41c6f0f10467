import test from 'ava';
import fc from 'fast-check';
import {
  fitTransform,
  fromDot,
  HOME_VIEW,
  MAX_ZOOM,
  panView,
  robustBounds,
  toDot,
  zoomView,
} from '../../src/ui/viewport.js';

const close = (a: number, b: number, eps = 1e-9): boolean => Math.abs(a - b) <= eps;

test('robust bounds: quantiles plus margin, known answer', (t) => {
  // x = 0..100, y = 0..50: 1st/99th percentile = 1 and 99 (x), 0.5 and 49.5 (y).
  const pos: number[] = [];
  for (let i = 0; i <= 100; i++) pos.push(i, i / 2);
  const b = robustBounds(pos, 101, 0.01, 0.05);
  t.true(close(b.x0, 1 - 98 * 0.05));
  t.true(close(b.x1, 99 + 98 * 0.05));
  t.true(close(b.y0, 0.5 - 49 * 0.05));
  t.true(close(b.y1, 49.5 + 49 * 0.05));
});

test('robust bounds ignore a far outlier and non-finite positions', (t) => {
  const pos: number[] = [];
  for (let i = 0; i < 200; i++) pos.push(i % 10, Math.floor(i / 10) % 10);
  pos.push(1e6, -1e6, Number.NaN, 3);
  const b = robustBounds(pos, 202, 0.01, 0);
  t.true(b.x1 <= 9 && b.x0 >= 0, JSON.stringify(b));
  t.true(b.y0 >= 0 && b.y1 <= 9, JSON.stringify(b));
});

test('robust bounds of a collapsed layout are a unit box around it; bad input is named', (t) => {
  t.deepEqual(robustBounds([3, 4, 3, 4, 3, 4], 3), { x0: 2, y0: 3, x1: 4, y1: 5 });
  t.deepEqual(robustBounds([], 0), { x0: -1, y0: -1, x1: 1, y1: 1 });
  t.throws(() => robustBounds([1, 2], 2), { message: /need 2\*n = 4/ });
  t.throws(() => robustBounds([1, 2], 1, 0.5), { message: /q must be/ });
});

test('a flat axis borrows a sliver of the other span', (t) => {
  const b = robustBounds([0, 1, 10, 1], 2, 0, 0);
  t.is(b.x0, 0);
  t.is(b.x1, 10);
  t.true(b.y1 - b.y0 > 0);
  t.true(close((b.y0 + b.y1) / 2, 1));
});

test('fit transform centres the bounds with one scale for both axes', (t) => {
  const b = { x0: 0, y0: 0, x1: 10, y1: 20 };
  const tr = fitTransform(b, HOME_VIEW, 100, 100);
  t.is(tr.scale, 5, 'the taller axis limits the scale');
  const c = toDot(tr, 5, 10);
  t.deepEqual(c, { dx: 50, dy: 50 });
  t.deepEqual(toDot(tr, 5, 20), { dx: 50, dy: 0 }, 'top edge maps to dot row 0 (y up)');
  t.deepEqual(toDot(tr, 0, 10), { dx: 25, dy: 50 });
  t.throws(() => fitTransform({ x0: 0, y0: 0, x1: 0, y1: 1 }, HOME_VIEW, 10, 10), { message: /empty bounds/ });
});

test('zoom keeps the view centre fixed and scales distances', (t) => {
  const b = { x0: -1, y0: -1, x1: 1, y1: 1 };
  const v2 = zoomView(zoomView(HOME_VIEW, 2), 1.5);
  t.is(v2.zoom, 3);
  const t1 = fitTransform(b, HOME_VIEW, 40, 40);
  const t3 = fitTransform(b, v2, 40, 40);
  t.deepEqual(toDot(t3, 0, 0), toDot(t1, 0, 0));
  t.true(close(toDot(t3, 0.5, 0).dx - 20, 3 * (toDot(t1, 0.5, 0).dx - 20)));
  t.is(zoomView({ ...HOME_VIEW, zoom: MAX_ZOOM }, 2).zoom, MAX_ZOOM, 'clamped');
  t.throws(() => zoomView(HOME_VIEW, 0), { message: /factor must be > 0/ });
});

test('pan moves the view by a tenth of the visible span at any zoom', (t) => {
  const b = { x0: 0, y0: 0, x1: 10, y1: 10 };
  for (const zoom of [1, 4]) {
    const v = { ...HOME_VIEW, zoom };
    const tr = fitTransform(b, v, 100, 100);
    const moved = panView(v, 1, -1, tr, 100, 100);
    t.true(close(moved.panX, 1 / zoom), `zoom ${zoom}: visible width ${10 / zoom}`);
    t.true(close(moved.panY, -1 / zoom));
    // Looking right moves the picture left: the old centre is now a tenth of the width left of centre.
    const t2 = fitTransform(b, moved, 100, 100);
    t.true(close(toDot(t2, 5, 5).dx, 40));
    t.true(close(toDot(t2, 5, 5).dy, 40));
  }
});

test('property: fromDot inverts toDot', (t) => {
  fc.assert(
    fc.property(
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      fc.double({ min: 0.2, max: 50, noNaN: true }),
      (x, y, zoom) => {
        const tr = fitTransform({ x0: -3, y0: -2, x1: 7, y1: 5 }, { zoom, panX: 1, panY: -1 }, 160, 96);
        const d = toDot(tr, x, y);
        const p = fromDot(tr, d.dx, d.dy);
        return close(p.x, x, 1e-6) && close(p.y, y, 1e-6);
      },
    ),
    { seed: 1, numRuns: 500 },
  );
  t.pass();
});

test('fault: robust bounds sorted every point of a 50,000-point layout twice per frame; a strided 8,192 give the same box within 2%', (t) => {
  const n = 50_000;
  const pos = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    // A deterministic spread with a few far outliers.
    pos[2 * i] = Math.sin(i * 12.9898) * 10 + (i % 997 === 0 ? 500 : 0);
    pos[2 * i + 1] = Math.cos(i * 78.233) * 5;
  }
  const b = robustBounds(pos, n);
  // The 1st-99th percentile box of these points is [-10, 10] x [-5, 5] to 0.1%, widened by 5% of the span per side.
  t.true(Math.abs(b.x1 - b.x0 - 22) < 0.44 && Math.abs(b.y1 - b.y0 - 11) < 0.22, JSON.stringify(b));
  t.true(b.x1 < 12, 'the outliers at 500 are cut');
});
