import test from 'ava';
import { AlertGate } from '../../src/session/alert-gate.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { Auditor } from '../../src/audit/auditor.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { AlertEvent, Event } from '../../src/model/events.js';
import { toPrintable } from '../../src/model/printable.js';

const alert = (run: string, kind: AlertEvent['kind'] = 'loss'): AlertEvent => ({ event: 'alert', run, epoch: 1, kind, severity: 'warning', message: toPrintable('m'), evidence: {} });
const everyone = (): boolean => true;

test('alert flood: each kind passes at most perKind per window across runs; the next one out says how many were dropped', (t) => {
  const gate = new AlertGate({ perKind: 3, windowMs: 1000 });
  const out = Array.from({ length: 5 }, (_, i) => gate.pass(alert(`run-${i}`), everyone, 0));
  t.deepEqual(out.map((a) => a?.run), ['run-0', 'run-1', 'run-2', undefined, undefined]);
  // Another kind has its own allowance.
  t.is(gate.pass(alert('run-9', 'silence'), everyone, 10)?.run, 'run-9');
  const next = gate.pass(alert('run-5'), everyone, 1000);
  t.like(next, { run: 'run-5', suppressed: 2 });
  t.is(gate.pass(alert('run-6'), everyone, 1001)?.suppressed, undefined);
  t.is(gate.suppressedTotal, 2);
});

test('alerts for runs that never said hello are dropped; the monitor\'s own alerts (run "") pass', (t) => {
  const gate = new AlertGate();
  t.is(gate.pass(alert('stranger'), (run) => run === 'known', 0), undefined);
  t.is(gate.unknownRun, 1);
  t.truthy(gate.pass(alert('known'), (run) => run === 'known', 0));
  t.truthy(gate.pass(alert('', 'engine'), () => false, 0));
});

test('a NaN batch under a run name that never said hello is rejected without raising an alert', (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), auditor: new Auditor(), silenceMs: Infinity });
  const x = new Float32Array(4).fill(NaN);
  p.receive(encodeFrame({ type: 'batch', run: 'stranger', seq: 0, epoch: 0 }, { x: { dtype: 'float32', shape: [1, 4], data: x }, id: { dtype: 'int32', shape: [1], data: new Int32Array([0]) } }), 0);
  t.deepEqual(events.map((e) => e.event), ['reject']);
});

test('a NaN batch from a stray producer in a run that said hello raises no alert; the same from its producer does', (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), auditor: new Auditor(), silenceMs: Infinity });
  const nanBatch = (producer: string, seq: number) =>
    encodeFrame({ type: 'batch', run: 'r', producer, seq, epoch: 0 }, { x: { dtype: 'float32', shape: [1, 4], data: new Float32Array(4).fill(NaN) }, id: { dtype: 'int32', shape: [1], data: new Int32Array([0]) } });
  p.receive(encodeFrame({ type: 'hello', run: 'r', producer: '0', seq: 0, layer: 'l', dim: 4 }), 0);
  p.receive(nanBatch('stray', 0), 1);
  t.deepEqual(events.map((e) => e.event), ['hello', 'reject'], 'anyone can name the run: a stray changes nothing, alerts included');
  p.receive(nanBatch('0', 1), 2);
  t.deepEqual(events.map((e) => e.event), ['hello', 'reject', 'reject', 'alert']);
  t.like(events[3], { event: 'alert', run: 'r', kind: 'nan', severity: 'critical' });
});
