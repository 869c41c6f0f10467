/**
 * Several runs and layers on the dashboard (issue 14), through the state alone: who is on display,
 * Tab and digits, the flag on a run that alerts off screen, the split view's partner, layers as
 * streams RUN/LAYER, the stream cap, and the raw rows kept for the inspector.
 */
import test from 'ava';
import { DashboardState } from '../../src/ui/dashboard-state.js';
import { runRows, runTable } from '../../src/ui/panels/runs-panel.js';
import { statusText, type StatusInfo } from '../../src/ui/panels/status-line.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import { clusterLayout } from './fixtures/fixture-events.js';

const hello = (run: string, layer = 'fc') => ({ event: 'hello', run, producer: '0', layer, dim: 4 }) as const;
const alert = (run: string, epoch: number) =>
  ({ event: 'alert', run, epoch, kind: 'loss', severity: 'warning', message: 'loss rose', evidence: {} }) as const;

test('a new run takes over the screen only until the user picks one; Tab, Shift-Tab and digits switch', (t) => {
  const s = new DashboardState();
  s.handle(hello('a'));
  s.handle(hello('b'));
  t.is(s.current, 'b', 'no choice yet: the newest hello is shown');
  s.pickRun(0);
  t.is(s.current, 'a');
  s.handle(hello('c'));
  t.is(s.current, 'a', 'the pick stays on screen');
  t.deepEqual(s.runList().map((r) => r.run), ['a', 'b', 'c']);
  s.cycleRun(1);
  t.is(s.current, 'b');
  s.cycleRun(1);
  s.cycleRun(1);
  t.is(s.current, 'a', 'Tab wraps around');
  s.cycleRun(-1);
  t.is(s.current, 'c', 'Shift-Tab goes back, wrapping');
  t.false(s.pickRun(5), 'no run 6');
  t.is(s.current, 'c');
});

test('a run that alerts off screen is flagged until shown; the status line says so and counts runs', (t) => {
  const s = new DashboardState();
  s.handle(hello('stable'));
  s.handle(hello('unstable'));
  s.pickRun(0);
  s.handle(alert('unstable', 3));
  s.handle(alert('stable', 3));
  t.deepEqual(s.flagged().map((r) => r.run), ['unstable'], 'the run on display is not flagged');
  const info: StatusInfo = { run: 'stable', shownEpoch: null, latestEpoch: null, fps: null, lost: 0, engine: null, mode: 'live', coloring: 'label', ended: false, runs: 2, flagged: ['unstable'] };
  const text = statusText(info, true);
  t.true(text.includes('! alert in unstable'), text);
  t.true(text.includes('2 runs'), text);
  s.cycleRun(1);
  t.deepEqual(s.flagged(), [], 'shown: the flag is cleared');
  t.deepEqual(s.runs.get('unstable')?.lastAlert, { kind: 'loss', severity: 'warning', epoch: 3 });
});

test('layers: a hello per layer makes a stream RUN/LAYER; L cycles them; loss comes from the run', (t) => {
  const s = new DashboardState();
  s.handle(hello('r', 'fc1'));
  s.handle(hello('r', 'fc2'));
  t.is(s.current, 'r', "a further layer's hello does not take over");
  t.deepEqual(s.runList().map((r) => r.run), ['r'], 'one run');
  t.deepEqual(s.layersOfCurrent().map((r) => [r.run, r.layer]), [['r', 'fc1'], ['r/fc2', 'fc2']]);
  s.handle({ event: 'metrics', run: 'r', epoch: 0, values: { train_loss: 0.5 } });
  s.cycleLayer();
  t.is(s.current, 'r/fc2');
  t.is(s.run?.layer, 'fc2');
  t.deepEqual(s.lossView()?.trainLoss.map((p) => p.value), [0.5]);
  s.cycleLayer();
  t.is(s.current, 'r');
});

test('the runs table: key, name, layer, epoch, engine, last alert, frames/s; shown and flagged marks', (t) => {
  const s = new DashboardState();
  s.handle(hello('a'));
  s.handle(hello('a', 'conv'));
  s.handle(hello('b'));
  s.pickRun(0);
  s.handle({ event: 'epoch', run: 'a', epoch: 4, split: 'train', n: 10, dim: 4, engine: 'projected' });
  s.handle(alert('b', 2));
  s.handle({ event: 'end', run: 'b' });
  const rows = runRows(s.streamList(), s.runList(), [s.current, s.partner], (r) => (r === 'a' ? 12.5 : null));
  t.deepEqual(runTable(rows), [
    '    run     layer  epoch  engine     last alert  fr/s',
    '>1  a       fc     4      projected  -           13',
    '    a/conv  conv   -      -          -           13',
    '!2  b       fc     -      ended      W loss e2   -',
  ]);
});

test('split view: the partner is the next run; its layout at the epoch on display, else the newest before it', (t) => {
  const s = new DashboardState();
  s.handle(hello('a'));
  s.handle(hello('b'));
  s.pickRun(0);
  for (const e of [0, 1, 2]) s.handle({ event: 'layout', layout: clusterLayout(e, 2, 7, 'a') });
  for (const e of [0, 2]) s.handle({ event: 'layout', layout: clusterLayout(e, 2, 7, 'b') });
  s.toggleSplit();
  t.is(s.partner, 'b');
  s.step(-1);
  t.is(s.displayedEpoch(), 1);
  t.is(s.layoutAt('b', 1)?.epoch, 0, 'time travel moves both; b has no epoch 1, so its newest before');
  t.is(s.layoutAt('b', 2)?.epoch, 2);
  s.toggleSplit();
  t.is(s.partner, null);
});

test('the stream cap forgets an ended stream first, with a line in the log', (t) => {
  const s = new DashboardState({ runLimit: 2 });
  s.handle(hello('a'));
  s.handle(hello('b'));
  s.handle({ event: 'end', run: 'a' });
  s.pickRun(1);
  s.handle(hello('c'));
  t.deepEqual([...s.runs.keys()], ['b', 'c']);
  t.is(s.forgotten, 1);
  t.regex(s.alerts[0].text, /run a forgotten by the dashboard: it keeps 2 runs and layers/);
});

test('raw rows of the newest epochs are kept (copied, train first) within rawLimit', (t) => {
  const s = new DashboardState({ rawLimit: 2 });
  s.handle(hello('r'));
  const set = (epoch: number): EpochSet => ({
    run: 'r',
    epoch,
    splits: [
      { run: 'r', epoch, split: 'test', n: 1, dim: 2, x: new Float32Array([9, 9]), ids: new Float64Array([100]), labels: new Int32Array([1]) },
      { run: 'r', epoch, split: 'train', n: 2, dim: 2, x: new Float32Array([1, 2, 3, 4]), ids: new Float64Array([1, 2]), labels: new Int32Array([0, 1]) },
    ],
  });
  for (const e of [0, 1, 2]) s.noteEpochSet(set(e));
  const r = s.runs.get('r')!;
  t.deepEqual([...r.raw.keys()], [1, 2]);
  const raw = r.raw.get(2)!;
  t.deepEqual([...raw.ids], [1, 2, 100]);
  t.deepEqual([...raw.x], [1, 2, 3, 4, 9, 9]);
  t.deepEqual([...raw.labels!], [0, 1, 1]);
});

test('raw rows are capped in bytes over all runs: oldest dropped first, an epoch over the cap never copied', (t) => {
  // One epoch below is 3 rows of 2 columns: 3 * (2 * 4 + 12) = 60 bytes.
  const s = new DashboardState({ rawBytesLimit: 130 });
  s.handle(hello('a'));
  s.handle(hello('b'));
  const set = (run: string, epoch: number, n = 3): EpochSet => ({
    run,
    epoch,
    splits: [{ run, epoch, split: 'train', n, dim: 2, x: new Float32Array(2 * n), ids: Float64Array.from({ length: n }, (_, i) => i) }],
  });
  s.noteEpochSet(set('a', 0));
  s.noteEpochSet(set('b', 0));
  t.deepEqual([[...s.runs.get('a')!.raw.keys()], [...s.runs.get('b')!.raw.keys()]], [[0], [0]]);
  s.noteEpochSet(set('b', 1));
  t.deepEqual([[...s.runs.get('a')!.raw.keys()], [...s.runs.get('b')!.raw.keys()]], [[], [0, 1]], "a's epoch was the oldest");
  s.noteEpochSet(set('a', 1, 7)); // 140 bytes: over the cap on its own
  t.deepEqual([...s.runs.get('a')!.raw.keys()], []);
  t.deepEqual([...s.runs.get('b')!.raw.keys()], [0, 1], 'nothing else dropped for it');
});
