/**
 * Several runs and the point inspector end to end (issue 14): `sentrycam watch` draws its dashboard
 * in a real terminal (tmux) while two Node producers stream concurrent runs to it over a real
 * socket. Tab switches the run, a new run no longer takes over once one was picked, a run that
 * alerts off screen is flagged, the runs panel lists both, the split view shows both at the same
 * epoch (time travel moves both), select mode shows a point's id and draws its trajectory, `/`
 * finds a sample, mouse clicks (SGR reports typed into the pane) pick points, and digits and L pick
a run and its layer.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '../../src/producer/producer.js';
import { computeLayout, type Rect } from '../../src/ui/layout-math.js';
import { TmuxSession } from './fixtures/tmux.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['tmux']);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/sentrycam.js');
const ADDRESS = 'tcp://127.0.0.1:58210';
const N = 80;
const DIM = 8;
const EPOCHS = 3;
const BRAILLE = /[\u2801-\u28ff]/;

const region = (lines: string[], r: Rect): string[] =>
  lines.slice(r.top, r.top + r.height).map((l) => [...l.padEnd(r.left + r.width)].slice(r.left, r.left + r.width).join(''));

/** Four classes in four well-apart clusters of D=8; ids 0..N-1; points drift a little per epoch. */
function sendRun(p: Producer, epochs: number, from = 0): void {
  const ids = Array.from({ length: N }, (_, i) => i);
  const labels = ids.map((i) => i % 4);
  for (let epoch = from; epoch < from + epochs; epoch++) {
    const x = Float32Array.from({ length: N * DIM }, (_, k) => {
      const i = Math.floor(k / DIM);
      const j = k % DIM;
      return (j === labels[i] ? 6 : 0) + Math.sin(k * 12.9898 + epoch) * 0.5 + epoch * 0.05 * (i % 7);
    });
    p.batch({ epoch, x, n: N, dim: DIM, ids, labels, preds: labels.map((l, i) => (i % 10 === 0 ? (l + 1) % 4 : l)) });
    p.metrics({ epoch, values: { train_loss: 1 / (epoch + 1) } });
    p.epochEnd({ epoch });
  }
}

/** Type a mouse button press and release at a 0-based cell, as a terminal in SGR mouse mode reports it. */
function click(s: TmuxSession, col: number, row: number): void {
  s.tmux(['send-keys', '-t', 'main', '-l', `\x1b[<0;${col + 1};${row + 1}M\x1b[<0;${col + 1};${row + 1}m`]);
}

/** Cells of the scatter's inside holding braille dots, as [col, row] on the screen. */
function dotCells(lines: string[], inner: Rect): [number, number][] {
  const out: [number, number][] = [];
  region(lines, inner).forEach((l, r) => [...l].forEach((ch, c) => BRAILLE.test(ch) && out.push([inner.left + c, inner.top + r])));
  return out;
}

test.serial('two concurrent runs: Tab, a kept pick, the off-screen alert flag, the runs panel, split view, select mode, find, mouse', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'scam-runs-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const s = new TmuxSession(['node', BIN, 'watch', '--listen', ADDRESS, '--no-record', '--budget-ms', '300'], { cols: 120, rows: 40, term: 'xterm-256color', cwd });
  t.teardown(() => s.kill());
  const producers: Producer[] = [];
  t.teardown(async () => {
    await Promise.all(producers.map((p) => p.close({ timeoutMs: 500, lingerMs: 0 })));
  });
  await s.waitFor('the empty dashboard', (l) => l.join('\n').includes('waiting for a producer'));
  const L = computeLayout(120, 40, 4);
  const inner: Rect = { left: L.scatter!.left + 1, top: L.scatter!.top + 1, width: L.scatter!.width - 2, height: L.scatter!.height - 2 };

  const stable = new Producer({ address: ADDRESS, run: 'stable' });
  const unstable = new Producer({ address: ADDRESS, run: 'unstable' });
  producers.push(stable, unstable);
  stable.hello({ layer: 'fc', dim: DIM, classes: ['a', 'b', 'c', 'd'] });
  await s.waitFor('run stable', (l) => l[0].includes('run stable'));
  unstable.hello({ layer: 'fc', dim: DIM, classes: ['a', 'b', 'c', 'd'] });
  await s.waitFor('the second run takes over while nothing was picked', (l) => l[0].includes('run unstable') && l[0].includes('2 runs'));
  // One epoch of each run at a time, each laid out before the next (a busy engine skips epochs).
  for (let e = 0; e < EPOCHS; e++) {
    sendRun(stable, 1, e);
    sendRun(unstable, 1, e);
    await s.waitFor(`epoch ${e} of both laid out`, (l) => (l[L.scatter!.top] ?? '').includes(`scatter e${e}`) && l[0].includes('engine idle'), 180_000);
  }

  // Tab: the other run, and the pick stays when a third run says hello.
  s.send('Tab');
  await s.waitFor('Tab shows run stable', (l) => l[0].includes('run stable'));
  const late = new Producer({ address: ADDRESS, run: 'late' });
  producers.push(late);
  late.hello({ layer: 'fc', dim: DIM });
  late.hello({ layer: 'conv', dim: 4 }); // a second layer of the same run (protocol 1.1)
  await s.waitFor('three runs, stable still shown', (l) => l[0].includes('3 runs') && l[0].includes('run stable'));
  await s.waitFor('stable laid out through its last epoch', (l) => (l[L.scatter!.top] ?? '').includes(`scatter e${EPOCHS - 1}`), 180_000);

  // A NaN loss in the run not shown: rejected, a critical nan alert, and the run flagged on the status line.
  unstable.metrics({ epoch: EPOCHS, values: { train_loss: Number.NaN } });
  await s.waitFor('the flag on unstable', (l) => l[0].includes('! alert in unstable') && l[0].includes('run stable'));

  // The runs panel: one row per run, the shown one marked >, the flagged one !, its last alert.
  s.send('R');
  const panel = await s.waitFor('the runs panel', (l) => l.join('\n').includes('last alert') && /!2\s+unstable/.test(l.join('\n')));
  const all = panel.join('\n');
  t.regex(all, />1\s+stable\s+fc\s+2\s+projected\s+-/);
  t.regex(all, /!2\s+unstable\s+fc\s+2\s+projected\s+C nan e\d/);
  t.regex(all, / 3\s+late\s+fc\s+-\s+-\s+-/);
  t.regex(all, /\s+late\/conv\s+conv\s+-\s+-\s+-/, "the further layer's row");
  s.send('R');
  await s.waitFor('the runs panel closed', (l) => !l.join('\n').includes('last alert'));

  // Split view: both runs side by side at the same epoch; time travel moves both.
  s.send('s');
  await s.waitFor('split view', (l) => (l[L.scatter!.top] ?? '').includes(`stable e${EPOCHS - 1}`) && (l[L.scatter!.top] ?? '').includes(`unstable e${EPOCHS - 1}`));
  s.send('Left');
  const back = await s.waitFor('both one epoch back', (l) => l[0].includes('HISTORY') && (l[L.scatter!.top] ?? '').includes(`stable e${EPOCHS - 2}`) && (l[L.scatter!.top] ?? '').includes(`unstable e${EPOCHS - 2}`));
  const half = Math.floor(L.scatter!.width / 2);
  t.true(dotCells(back, { ...inner, width: half - 2 }).length >= 10, 'left scatter drawn');
  t.true(dotCells(back, { ...inner, left: L.scatter!.left + half + 1, width: L.scatter!.width - half - 2 }).length >= 10, 'right scatter drawn');
  s.send('s');
  s.send('f');
  await s.waitFor('one scatter, live', (l) => l[0].includes('LIVE') && (l[L.scatter!.top] ?? '').includes(`scatter e${EPOCHS - 1}`));

  // Select mode with the keyboard: the inspector shows the point under the cursor and its trajectory.
  s.send('i');
  const sel = await s.waitFor('the inspector', (l) => /id \d+ · label/.test(l.join('\n')) && l.join('\n').includes(`trajectory: ${EPOCHS} epochs e0-e${EPOCHS - 1}`));
  const firstId = /id (\d+) · label/.exec(sel.join('\n'))![1];
  t.true(Number(firstId) >= 0 && Number(firstId) < N);
  t.regex(sel.join('\n'), /moved most e1-e2/);
  // The trajectory's cells: bold braille in the accent colour (75 of 256) over the scatter.
  t.regex(s.captureEscapes(), /\x1b\[[0-9;]*38;5;75[0-9;]*m(?:\x1b\[[0-9;]*m)*[\u2801-\u28ff]/);
  s.send('Right', 'Right', 'Down');
  await s.waitFor('arrows move the cursor, still selecting', (l) => /id \d+ · label/.test(l.join('\n')));

  // `/` finds a sample by id.
  s.send('/');
  await s.waitFor('the id prompt', (l) => l[0].includes('find id:'));
  s.send('4', '2', 'Enter');
  await s.waitFor('sample 42 selected', (l) => /id 42 · label 2 c/.test(l.join('\n')));

  // The mouse: Esc leaves select mode; a click on a dot enters it and selects the point nearest the click.
  s.send('Escape');
  const plain = await s.waitFor('select mode left', (l) => !/id \d+ · label/.test(l.join('\n')) && l.join('\n').includes('alerts'));
  const dots = dotCells(plain, inner);
  t.true(dots.length >= 10);
  const [c1, r1] = dots[0]!;
  click(s, c1, r1);
  const one = await s.waitFor('a click selects a point', (l) => /id \d+ · label/.test(l.join('\n')));
  const idOne = /id (\d+) · label/.exec(one.join('\n'))![1];
  // A click on the dot farthest from the first picks another point.
  const [c2, r2] = dots.reduce((best, d) => (Math.hypot(d[0] - c1, 2 * (d[1] - r1)) > Math.hypot(best[0] - c1, 2 * (best[1] - r1)) ? d : best));
  click(s, c2, r2);
  const two = await s.waitFor('a second click selects another point', (l) => {
    const m = /id (\d+) · label/.exec(l.join('\n'));
    return m !== null && m[1] !== idOne;
  });
  t.regex(two.join('\n'), /trajectory: \d+ epochs? /);

  // Digits pick a run by its place in the runs panel; L switches its layer.
  s.send('3');
  await s.waitFor('run 3 shown', (l) => l[0].includes('run late') && l[0].includes('layer fc '));
  s.send('L');
  await s.waitFor('its second layer', (l) => l[0].includes('run late') && l[0].includes('layer conv'));

  s.send('q');
  await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='));
  t.true(s.capture().join('\n').includes('EXIT=0'));
  t.is(s.format('#{alternate_on}'), '0');
});
