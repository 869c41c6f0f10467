import test from 'ava';
import { computeLayout, type DashboardLayout, type Rect } from '../../src/ui/layout-math.js';

const PANELS = ['status', 'scatter', 'alerts', 'legend', 'metrics', 'gauge', 'loss'] as const;

function rects(L: DashboardLayout): [string, Rect][] {
  return PANELS.flatMap((k) => (L[k] ? [[k, L[k]!] as [string, Rect]] : []));
}

const area = (r: Rect): number => r.width * r.height;
const overlap = (a: Rect, b: Rect): boolean =>
  a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

test('full layout at 120x40: known rectangles', (t) => {
  const L = computeLayout(120, 40, 4);
  t.is(L.mode, 'full');
  t.deepEqual(L.status, { left: 0, top: 0, width: 120, height: 1 });
  // side = floor(120*0.3) = 36; alerts = floor(39*0.22) = 8
  t.deepEqual(L.scatter, { left: 0, top: 1, width: 84, height: 31 });
  t.deepEqual(L.alerts, { left: 0, top: 32, width: 84, height: 8 });
  t.deepEqual(L.legend, { left: 84, top: 1, width: 36, height: 6 });
  t.deepEqual(L.metrics, { left: 84, top: 7, width: 36, height: 9 });
  t.deepEqual(L.gauge, { left: 84, top: 16, width: 36, height: 4 });
  t.deepEqual(L.loss, { left: 84, top: 20, width: 36, height: 20 });
});

for (const [cols, rows] of [
  [200, 60],
  [160, 48],
  [120, 40],
  [100, 30],
  [80, 24],
  [72, 18],
  [71, 24],
  [60, 20],
  [40, 12],
  [30, 8],
] as const) {
  test(`${cols}x${rows}: panels inside the screen, disjoint, covering it, scatter largest`, (t) => {
    const L = computeLayout(cols, rows, 10);
    t.not(L.mode, 'tiny');
    const rs = rects(L);
    let covered = 0;
    for (const [name, r] of rs) {
      t.true(r.left >= 0 && r.top >= 0 && r.left + r.width <= cols && r.top + r.height <= rows, `${name} inside`);
      t.true(r.width > 0 && r.height > 0, `${name} not empty`);
      covered += area(r);
    }
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) t.false(overlap(rs[i][1], rs[j][1]), `${rs[i][0]} / ${rs[j][0]}`);
    }
    t.is(covered, cols * rows, 'no gaps');
    for (const [name, r] of rs) if (name !== 'scatter') t.true(area(L.scatter!) > area(r), `scatter larger than ${name}`);
    if (L.mode === 'full') {
      t.true(L.metrics!.height >= 6 && L.gauge!.height === 4 && L.loss!.height >= 4 && L.legend!.height >= 3);
    }
  });
}

test('modes by size', (t) => {
  t.is(computeLayout(72, 18).mode, 'full');
  t.is(computeLayout(71, 40).mode, 'compact');
  t.is(computeLayout(200, 17).mode, 'compact');
  t.is(computeLayout(29, 40).mode, 'tiny');
  t.is(computeLayout(80, 7).mode, 'tiny');
  t.is(computeLayout(40, 11).alerts, undefined, 'no alert log below 12 rows in compact mode');
  t.throws(() => computeLayout(Number.NaN, 10), { message: /finite/ });
});

test('many classes cap the legend at a third of the side column', (t) => {
  const L = computeLayout(160, 48, 100);
  t.is(L.legend!.height, Math.floor(47 / 3));
});
