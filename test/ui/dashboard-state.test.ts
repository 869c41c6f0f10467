import test from 'ava';
import { DashboardState } from '../../src/ui/dashboard-state.js';
import { clusterLayout, fixtureEvents, RUN, SAFE_CLASS_3, trainLoss, valLoss } from './fixtures/fixture-events.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { encodeFrame } from '../../src/protocol/encode.js';

const fixedNow = (): Date => new Date(2024, 0, 2, 3, 4, 5);

function stateWithEpochs(epochs: number[]): DashboardState {
  const s = new DashboardState({ now: fixedNow });
  s.handle({ event: 'hello', run: RUN, producer: 'p', layer: 'fc', dim: 4 });
  for (const e of epochs) s.handle({ event: 'layout', layout: clusterLayout(e, 2) });
  return s;
}

test('the fixture stream: run info sanitised, losses, latest layout, log newest first', (t) => {
  const s = new DashboardState({ now: fixedNow });
  for (const ev of fixtureEvents(3)) s.handle(ev);
  const run = s.run!;
  t.is(run.run, RUN);
  t.is(run.layer, 'fc2');
  t.is(run.classes![3], SAFE_CLASS_3);
  t.deepEqual(run.trainLoss.map((p) => p.value), [1, 2, 3].map(trainLoss));
  t.deepEqual(run.valLoss.map((p) => p.value), [1, 2, 3].map(valLoss));
  t.is(s.displayedEpoch(), 3);
  t.is(s.displayedLayout()?.epoch, 3);
  t.is(s.displayedMetrics()?.update_ms, 643);
  t.is(s.engine, 'idle');
  t.is(s.lost, 2);
  t.is(s.rejected, 1);
  t.deepEqual(
    s.alerts.map((a) => [a.severity, a.text]),
    [
      ['critical', 'geometry e3: D fell 3 epochs running'],
      ['warning', 'silence: p0 quiet for 30 s'],
      ['warning', 'lost 2 frames from p0 (seq 10 expected, 12 received)'],
      ['warning', 'reject bad_magic from p0: frame does not start with SCAM'],
    ],
  );
  t.deepEqual(s.alerts[0].time, fixedNow());
});

test('hostile strings from a producer reach the dashboard printable, cleaned once where they enter', (t) => {
  const s = new DashboardState();
  const pipeline = new Pipeline({ sink: (e) => s.handle(e), silenceMs: Infinity });
  pipeline.receive(encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'fc', dim: 2, classes: ['a', '\x1b]0;pwned\x07b{red-fg}'], model: 'm\x1b[2Jx' }), 0);
  // A name with an escape sequence is rejected by the decoder; the reject names it printably.
  pipeline.receive(encodeFrame({ type: 'end', run: 'r', producer: '\x1b]0;t\x07p', seq: 1 }), 1);
  t.deepEqual(s.run?.classes, ['a', 'bred-fg']);
  t.is(s.run?.model, 'mx');
  t.is(s.alerts.length, 1);
  t.regex(s.alerts[0]!.text, /^reject bad_field from p: /);
  t.false(s.alerts[0]!.text.includes('\x1b'));
});

test('time travel steps through stored epochs and f returns to live', (t) => {
  const s = stateWithEpochs([1, 2, 4]);
  t.true(s.live);
  s.step(-1);
  t.is(s.displayedEpoch(), 2);
  s.step(-1);
  t.is(s.displayedEpoch(), 1);
  s.step(-1);
  t.is(s.displayedEpoch(), 1, 'stops at the oldest');
  s.step(1);
  s.step(1);
  s.step(1);
  t.is(s.displayedEpoch(), 4, 'stops at the newest');
  t.false(s.live, 'still in history mode at the newest');
  s.handle({ event: 'layout', layout: clusterLayout(5, 2) });
  t.is(s.displayedEpoch(), 4, 'history mode does not follow new layouts');
  s.goLive();
  t.is(s.displayedEpoch(), 5);
});

test('pause freezes the picture while data is still stored', (t) => {
  const s = stateWithEpochs([1, 2]);
  s.togglePause();
  s.handle({ event: 'layout', layout: clusterLayout(3, 2) });
  t.is(s.displayedEpoch(), 2);
  t.is(s.run!.latestEpoch, 3);
  s.step(1);
  t.is(s.displayedEpoch(), 3, 'stepping works while paused');
  s.goLive();
  s.togglePause();
  s.togglePause();
  t.true(s.live);
  t.is(s.displayedEpoch(), 3);
});

test('history keeps the newest layouts up to the limit', (t) => {
  const s = new DashboardState({ historyLimit: 2 });
  for (const e of [1, 2, 3]) s.handle({ event: 'layout', layout: clusterLayout(e, 2) });
  t.deepEqual(s.run!.layoutEpochs, [2, 3]);
  t.false(s.run!.layouts.has(1));
  t.throws(() => new DashboardState({ historyLimit: 0 }), { message: /historyLimit must be a positive integer/ });
});

test('metrics from epoch events stand in when the engine is off', (t) => {
  const s = new DashboardState();
  s.handle({ event: 'epoch', run: 'r', epoch: 7, split: 'train', n: 10, dim: 3, engine: 'off', sample_rate: 0.4 });
  t.is(s.displayedLayout(), undefined);
  t.is(s.displayedMetrics()?.sample_rate, 0.4);
});

test('a new run starts a new timeline', (t) => {
  const s = stateWithEpochs([1, 2]);
  s.step(-1);
  s.handle({ event: 'hello', run: 'other', producer: 'p', layer: 'l', dim: 2 });
  t.is(s.current, 'other');
  t.true(s.live);
  t.is(s.displayedLayout(), undefined);
});

test('layouts of a second, concurrent run do not take the screen', (t) => {
  const s = stateWithEpochs([1]);
  s.handle({ event: 'layout', layout: clusterLayout(5, 2, 7, 'other') });
  t.is(s.current, RUN);
  t.is(s.displayedEpoch(), 1);
  t.is(s.runs.get('other')!.latestEpoch, 5, 'still stored');
  const fresh = new DashboardState();
  fresh.handle({ event: 'layout', layout: clusterLayout(2, 2, 7, 'other') });
  t.is(fresh.current, 'other', 'with no run shown, any run is shown');
});

test('end and summary are logged; loss keys loss/test_loss are recognised', (t) => {
  const s = new DashboardState();
  s.handle({ event: 'metrics', run: 'r', epoch: 1, values: { loss: 0.7, test_loss: 0.9, acc: 0.5 } });
  s.handle({ event: 'metrics', run: 'r', epoch: 2, values: { acc: 0.6, val_loss: Number.NaN } });
  s.handle({ event: 'end', run: 'r' });
  s.handle({ event: 'summary', frames: 10, rejected: 1, lost: 0, epochs: 2 });
  t.deepEqual(s.runs.get('r')!.trainLoss, [{ epoch: 1, step: undefined, value: 0.7 }]);
  t.deepEqual(s.runs.get('r')!.valLoss.map((p) => p.value), [0.9]);
  t.true(s.runs.get('r')!.ended);
  t.is(s.alerts[0].text, 'summary: 10 frames, 1 rejected, 0 lost, 2 epochs');
  t.is(s.alerts[1].text, 'run r ended');
});

test('alerts mark their epoch for the loss axis; the most severe alert of an epoch wins', (t) => {
  const s = stateWithEpochs([1, 2]);
  const alert = (epoch: number | null, severity: 'warning' | 'critical') =>
    s.handle({ event: 'alert', run: RUN, epoch, kind: 'geometry', severity, message: 'm', evidence: {} });
  alert(2, 'critical');
  alert(2, 'warning');
  alert(5, 'warning');
  alert(null, 'critical');
  t.deepEqual([...s.run!.alertEpochs], [[2, 'critical'], [5, 'warning']]);
});
