import test from 'ava';
import { createGrid, Painter } from '../../src/ui/cell-painter.js';
import { gridToText } from '../helpers/grid-text.js';
import { createPalette, DEFAULT_COLOR, packAttr } from '../../src/ui/palette.js';
import { alertLine, clockTime, paintAlerts } from '../../src/ui/panels/alert-log.js';
import { helpLines } from '../../src/ui/panels/help-overlay.js';
import { formatLoss, gaugeBar, legendEntries, metricLines, paintGauge, paintLegend, paintLoss, paintMetrics } from '../../src/ui/panels/side-panels.js';
import { bucketMeans, markColumns, sparkline, stretch } from '../../src/ui/panels/sparkline.js';
import { statusText } from '../../src/ui/panels/status-line.js';
import { createTheme } from '../../src/ui/panels/theme.js';

const th256 = createTheme(createPalette(256), false);
const thAscii = createTheme(createPalette(0), true);

test('sparkline: known levels, one and two rows, ASCII', (t) => {
  t.deepEqual(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, 1), ['▁▂▃▄▅▆▇█']);
  t.deepEqual(sparkline([0, 15], 2, 2), [' █', '▁█']);
  t.deepEqual(sparkline([3, 3, 3], 3, 1), ['▄▄▄'], 'flat series at half height');
  t.deepEqual(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, 1, true), ['_..--=+#']);
  t.deepEqual(sparkline([], 5, 2), ['', '']);
  t.deepEqual(sparkline([0, 7], 6, 1), ['▁▁▁███'], 'a short series is stretched over the width');
});

test('bucket means keep the whole history when it is longer than the width', (t) => {
  t.deepEqual(bucketMeans([1, 2, 3, 4, 5, 6], 3), [1.5, 3.5, 5.5]);
  t.deepEqual(bucketMeans([1, 2], 5), [1, 2]);
  t.deepEqual(bucketMeans([1, 2], 0), []);
  t.deepEqual(stretch([1, 2, 3], 7), [1, 1, 1, 2, 2, 3, 3]);
});

test('gauge bars and values', (t) => {
  t.is(gaugeBar(0.3, 10, false), '███░░░░░░░');
  t.is(gaugeBar(1.7, 4, true), '####');
  t.is(gaugeBar(Number.NaN, 3, true), '...');
  const g = createGrid(30, 2);
  paintGauge(new Painter(g), { left: 0, top: 0, width: 30, height: 2 }, th256, { sample_rate: 0.5, rel_density: 0.82 });
  t.deepEqual(gridToText(g), ['sample  ████████░░░░░░░░  0.50', 'density █████████████░░░  0.82']);
  // The gauge tells a found tipping point from the fallback rate.
  const f = createGrid(30, 2);
  paintGauge(new Painter(f), { left: 0, top: 0, width: 30, height: 2 }, th256, { sample_rate: 0.5, rel_density: 0.82, sample_fallback: true });
  t.is(gridToText(f)[0], 'fallbk  ████████░░░░░░░░  0.50');
});

test('metrics lines: formats and dashes for missing values', (t) => {
  t.deepEqual(metricLines({ nn15: 0.41234, update_ms: 812.4, D: 0.61 }, 16), [
    'nn15       0.412',
    'trust15        -',
    'ppr            -',
    'stability      -',
    'update_ms    812',
    'D          0.610',
    'V              -',
  ]);
  const g = createGrid(30, 4);
  paintMetrics(new Painter(g), { left: 0, top: 0, width: 30, height: 4 }, th256, { nn15: 0.5 });
  t.is(gridToText(g)[0], 'nn15     0.500 update_ms    - ', 'two columns when fewer than 7 rows');
});

test('legend: names, swatch colours, columns and overflow', (t) => {
  const names = ['cat', 'dog', 'emu'];
  const e = legendEntries(th256, 'label', names, 5);
  t.deepEqual(e.map((x) => x.name), ['0 cat', '1 dog', '2 emu', '3 class 3', '4 class 4']);
  const g = createGrid(20, 3);
  paintLegend(new Painter(g), { left: 0, top: 0, width: 20, height: 3 }, th256, e);
  t.deepEqual(gridToText(g), ['■ 0 cat   ■ 3 clas~ ', '■ 1 dog   ■ 4 clas~ ', '■ 2 emu             ']);
  t.is(g[1][0][0], packAttr(th256.palette.classColor(1)));
  const small = createGrid(12, 2);
  paintLegend(new Painter(small), { left: 0, top: 0, width: 12, height: 2 }, thAscii, e);
  t.deepEqual(gridToText(small), ['# 0 cat', '+4 more'].map((s) => s.padEnd(12)));
  t.deepEqual(
    legendEntries(th256, 'correctness', names, 3).map((x) => x.name),
    ['correct', 'misclassified'],
  );
});

test('loss panel: latest values and sparklines', (t) => {
  const tr = [3, 2, 1].map((v, i) => ({ epoch: i + 1, value: v }));
  const va = [4, 3.5].map((v, i) => ({ epoch: i + 1, value: v }));
  const g = createGrid(20, 4);
  paintLoss(new Painter(g), { left: 0, top: 0, width: 20, height: 4 }, th256, tr, va);
  t.deepEqual(gridToText(g), ['train 1.000         ', '███████▅▅▅▅▅▅▅▁▁▁▁▁▁', 'val 3.500           ', '██████████▁▁▁▁▁▁▁▁▁▁']);
  const one = createGrid(20, 2);
  paintLoss(new Painter(one), { left: 0, top: 0, width: 20, height: 2 }, thAscii, tr, []);
  t.deepEqual(gridToText(one), ['train 1.000 ###---__', 'val -               ']);
  t.is(formatLoss(0.00001234), '1.23e-5');
  t.is(formatLoss(2.5), '2.500');
});

test('markColumns puts each marked epoch on the column the sparkline draws it in', (t) => {
  const rank = (s: string) => (s === 'critical' ? 2 : 1);
  // Short series stretched over 6 columns: epoch 1 -> columns 0-1, 2 -> 2-3, 3 -> 4-5; a mark takes the first.
  t.deepEqual(markColumns([1, 2, 3], 6, new Map([[2, 'warning']]), rank), [undefined, undefined, 'warning', undefined, undefined, undefined]);
  // Long series bucketed into 3 columns of 2 points: epoch 4 is the 4th point, in column 1.
  t.deepEqual(markColumns([1, 2, 3, 4, 5, 6], 3, new Map([[4, 'warning']]), rank), [undefined, 'warning', undefined]);
  // An epoch without a loss point goes to the next point; past the end, to the last column; the more severe mark wins a shared column.
  t.deepEqual(markColumns([0, 2, 4], 3, new Map([[1, 'warning'], [2, 'critical'], [9, 'warning']]), rank), [undefined, 'critical', 'warning']);
  t.deepEqual(markColumns([], 4, new Map([[1, 'warning']]), rank), [undefined, undefined, undefined, undefined]);
});

test('loss panel marks alert epochs on the epoch axis under the curves', (t) => {
  const va = [4, 3.5, 3, 5].map((v, i) => ({ epoch: i, value: v }));
  const g = createGrid(8, 4);
  paintLoss(new Painter(g), { left: 0, top: 0, width: 8, height: 4 }, th256, [], va, new Map([[2, 'warning' as const]]));
  // val points 0..3 stretched over 8 columns: epoch 2 starts at column 4.
  t.is(gridToText(g)[3], '    ▲   ');
  const a = createGrid(8, 4);
  paintLoss(new Painter(a), { left: 0, top: 0, width: 8, height: 4 }, thAscii, [], va, new Map([[3, 'critical' as const]]));
  t.is(gridToText(a)[3], '      ^ ');
});

test('alert log: time, severity tag and colour, newest first as given', (t) => {
  const time = new Date(2024, 0, 1, 9, 5, 7);
  t.is(clockTime(time), '09:05:07');
  const alerts = [
    { time, severity: 'critical' as const, text: 'geometry e7: D fell' },
    { time, severity: 'info' as const, text: 'run ended' },
  ];
  t.is(alertLine(alerts[0]), '09:05:07 C geometry e7: D fell');
  const g = createGrid(30, 3);
  paintAlerts(new Painter(g), { left: 0, top: 0, width: 30, height: 3 }, th256, alerts);
  t.deepEqual(gridToText(g), ['09:05:07 C geometry e7: D fell', '09:05:07 i run ended          ', ' '.repeat(30)]);
  t.is(g[0][9][0] & ~(1 << 18), packAttr(th256.palette.severityColor('critical')));
  t.is(g[0][9][0] >> 18, 1, 'critical is bold');
  t.is(g[1][9][0], packAttr(th256.palette.severityColor('info'), DEFAULT_COLOR, 0));
});

test('status text: fields in priority order, ASCII separators', (t) => {
  const s = statusText(
    { run: 'r1', layer: 'fc', shownEpoch: 3, latestEpoch: 5, fps: 12.34, lost: 2, engine: 'training', mode: 'history', coloring: 'label', ended: false },
    true,
  );
  t.is(s, ' HISTORY | run r1 | epoch 3/5 | layer fc | 12 fr/s | lost 2 | engine training | colour label | ? help');
  const u = statusText({ run: null, shownEpoch: null, latestEpoch: null, fps: null, lost: 0, engine: null, mode: 'live', coloring: 'label', ended: true }, false);
  t.true(u.startsWith(' LIVE (ended) │ run - │ epoch -/- │'));
  // How many points the scatter draws (a 50,000-point epoch: every point), after the epoch.
  const p = statusText({ run: 'r', shownEpoch: 1, latestEpoch: 1, points: 50_000, fps: null, lost: 0, engine: null, mode: 'live', coloring: 'label', ended: false }, true);
  t.true(p.startsWith(' LIVE | run r | epoch 1/1 | 50,000 pts | layer -'), p);
});

test('help text comes from the keymap and lists every key', (t) => {
  const text = helpLines().join('\n');
  for (const k of ['?', 'q, Ctrl-C', 'p ', 'Left/Right', 'f, End', 'c ', 'b ', '+ / -', 'h j k l', 'r ']) t.true(text.includes(k), k);
});
