/**
 * Issue 14, reviewing a run: the loss panel's log scale, task boundaries on its axis, the legend's
 * digit names, the alert selection and its details box, the status line for an epoch without a
 * layout. Exact output.
 */
import test from 'ava';
import { createGrid, Painter } from '../../src/ui/cell-painter.js';
import { gridToText } from '../helpers/grid-text.js';
import { createPalette } from '../../src/ui/palette.js';
import { legendEntries, lossTitle, paintLoss, taskLegendEntries } from '../../src/ui/panels/side-panels.js';
import { chooseScale, sparkline } from '../../src/ui/panels/sparkline.js';
import { statusText } from '../../src/ui/panels/status-line.js';
import { createTheme } from '../../src/ui/panels/theme.js';
import { alertDetailLines, wrapText } from '../../src/ui/panels/alert-details.js';
import { paintAlerts } from '../../src/ui/panels/alert-log.js';
import { DashboardState } from '../../src/ui/dashboard-state.js';
import { DIGIT_CLASSES } from '../../src/demo/mnist-data.js';
import { clusterLayout, RUN } from './fixtures/fixture-events.js';

const th = createTheme(createPalette(256), false);
const fixedNow = (): Date => new Date(2024, 0, 2, 3, 4, 5);

test('legend shows a digit class name once: "3", not "3 3" (issue 14)', (t) => {
  t.deepEqual(
    legendEntries(th, 'label', DIGIT_CLASSES, 10).map((e) => e.name),
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  );
  t.deepEqual(legendEntries(th, 'label', ['cat', '1', 'x'], 4).map((e) => e.name), ['0 cat', '1', '2 x', '3 class 3']);
  t.deepEqual(taskLegendEntries(th, 2).map((e) => e.name), ['task 0', 'task 1']);
});

test('sparkline: log scale past two decades, and the panel says so', (t) => {
  t.is(chooseScale([0.1, 0.5, 9]), 'linear', '90x: two decades not passed');
  t.is(chooseScale([0.1, 0.5, 215]), 'log');
  t.is(chooseScale([0, 0.05, 1]), 'linear', 'zero is left out: 0.05..1 is 20x');
  t.is(chooseScale([0, 0.001, 1]), 'log');
  // Linear: the blow-up flattens the rest to the bottom level.
  t.deepEqual(sparkline([0.1, 1, 10, 215], 4, 1), ['▁▁▁█']);
  // Log: each decade climbs.
  t.deepEqual(sparkline([0.1, 1, 10, 215], 4, 1, false, 'log'), ['▁▃▅█']);
  const train = [0.1, 1, 10, 215].map((value, epoch) => ({ epoch, value }));
  t.is(lossTitle(train, []), 'loss · log scale');
  t.is(lossTitle(train.slice(0, 2), []), 'loss');
  const g = createGrid(12, 4);
  paintLoss(new Painter(g), { left: 0, top: 0, width: 12, height: 4 }, th, train, []);
  t.deepEqual(gridToText(g), ['train 215.0 ', '▁▁▁▃▃▃▅▅▅███', 'val -       ', '            ']);
});

test('loss panel marks task boundaries (the new task number) on the epoch axis', (t) => {
  const val = [1, 0.5, 0.4, 2, 1].map((value, epoch) => ({ epoch, value }));
  const g = createGrid(10, 4);
  paintLoss(new Painter(g), { left: 0, top: 0, width: 10, height: 4 }, th, [], val, new Map(), new Map([[3, 1]]));
  // Five points over 10 columns: epoch 3 starts at column 6.
  t.is(gridToText(g)[3], '      1   ');
  const both = createGrid(10, 4);
  paintLoss(new Painter(both), { left: 0, top: 0, width: 10, height: 4 }, th, [], val, new Map([[3, 'warning' as const]]), new Map([[3, 1]]));
  t.is(gridToText(both)[3], '      ▲   ', 'an alert wins the shared column');
  // With rows to spare the boundary runs up through the curve's empty cells, so it shows under an alert too.
  const falling = [2, 1.5, 1.2, 0.5, 0.4].map((value, epoch) => ({ epoch, value }));
  const tall = createGrid(10, 8);
  paintLoss(new Painter(tall), { left: 0, top: 0, width: 10, height: 8 }, th, [], falling, new Map([[3, 'warning' as const]]), new Map([[3, 1]]));
  t.deepEqual(gridToText(tall), ['train -   ', '          ', '          ', 'val 0.4000', '██▃▃  ┊   ', '██████▂▂▁▁', '          ', '      ▲   ']);
});

test('status line says when the epoch shown has no layout, and the task', (t) => {
  const s = statusText(
    { run: 'r', shownEpoch: 7, latestEpoch: 9, fps: null, lost: 0, engine: 'idle', mode: 'history', coloring: 'task', ended: false, noLayout: true, task: 1 },
    true,
  );
  t.is(s, ' HISTORY | run r | epoch 7/9 (no layout yet) task 1 | layer - | - fr/s | lost 0 | engine idle | colour task | ? help');
});

function stateWithAlerts(): DashboardState {
  const s = new DashboardState({ now: fixedNow });
  s.handle({ event: 'hello', run: RUN, producer: 'p', layer: 'fc', dim: 4 });
  for (const e of [1, 2, 3]) s.handle({ event: 'layout', layout: clusterLayout(e, 2) });
  s.handle({ event: 'epoch', run: RUN, epoch: 4, split: 'train', n: 8, dim: 4, engine: 'skipped' });
  s.handle({ event: 'layout', layout: clusterLayout(5, 2) });
  s.handle({
    event: 'alert',
    run: RUN,
    epoch: 2,
    kind: 'forgetting',
    severity: 'warning',
    message: 'task 0 is being forgotten: its samples moved 1.9 spreads since its task ended and 41% of their neighbours are now task 1 samples (6% when it ended)',
    evidence: { task: 0, ended_epoch: 1, drift: 1.8765, mix: 0.41, mix_before: 0.06 },
  });
  s.handle({ event: 'notice', level: 'info', topic: 'engine', message: 'a notice, not an alert' });
  s.handle({ event: 'alert', run: RUN, epoch: 4, kind: 'loss', severity: 'critical', message: 'val loss rose', evidence: {} });
  return s;
}

test('alerts: [ and ] select alerts (not notices), Enter opens the whole message and evidence, g goes to its epoch', (t) => {
  const s = stateWithAlerts();
  t.is(s.selectedIndex(), -1);
  s.selectAlert(1);
  t.is(s.selectedAlert?.alert?.kind, 'loss', 'the first [ picks the newest alert');
  s.selectAlert(1);
  t.is(s.selectedAlert?.alert?.kind, 'forgetting', 'the notice in between is passed over');
  t.is(s.selectedIndex(), 2);
  s.selectAlert(1);
  t.is(s.selectedIndex(), 2, 'stops at the oldest');
  s.toggleAlertDetails();
  t.true(s.alertOpen);
  t.deepEqual(alertDetailLines(s.selectedAlert!, 60), [
    '03:04:05 warning forgetting · run fixture-run · epoch 2',
    '',
    'task 0 is being forgotten: its samples moved 1.9 spreads',
    'since its task ended and 41% of their neighbours are now',
    'task 1 samples (6% when it ended)',
    '',
    'evidence:',
    '  task: 0',
    '  ended_epoch: 1',
    '  drift: 1.877',
    '  mix: 0.41',
    '  mix_before: 0.06',
    '',
    'g: go to epoch 2 · [ ]: other alerts · Esc/Enter: close',
  ].map((l) => l.replace('fixture-run', RUN)));
  s.jumpToAlert();
  t.is(s.displayedEpoch(), 2);
  t.false(s.displayedWithoutLayout());
  s.selectAlert(-1);
  s.jumpToAlert();
  t.is(s.displayedEpoch(), 4);
  t.true(s.displayedWithoutLayout(), 'epoch 4 was skipped by the engine');
  s.closeAlert();
  t.false(s.alertOpen);
  t.is(s.selectedAlert, null);
});

test('time travel visits epochs the engine skipped (no layout yet) between laid-out ones', (t) => {
  const s = stateWithAlerts();
  s.step(-1);
  t.is(s.displayedEpoch(), 4);
  t.true(s.displayedWithoutLayout());
  s.step(-1);
  t.is(s.displayedEpoch(), 3);
  t.false(s.displayedWithoutLayout());
  // A backfilled layout fills the gap.
  s.handle({ event: 'layout', layout: clusterLayout(4, 2) });
  s.step(1);
  t.is(s.displayedEpoch(), 4);
  t.false(s.displayedWithoutLayout());
});

test('the alert log highlights the selection and scrolls it into view', (t) => {
  const s = stateWithAlerts();
  s.selectAlert(1);
  s.selectAlert(1);
  const g = createGrid(30, 2);
  paintAlerts(new Painter(g), { left: 0, top: 0, width: 30, height: 2 }, th, s.alerts, s.selectedIndex());
  const text = gridToText(g);
  t.is(text[1], '>03:04:05 W forgetting e2: ta~');
  t.regex(text[0], /^03:04:05 i engine: a notice/);
  t.deepEqual(wrapText('abcdefghij kl', 4), ['abcd', 'efgh', 'ij', 'kl']);
});
