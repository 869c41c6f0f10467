import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pipeline } from '../../src/session/pipeline.js';
import type { EngineLike } from '../../src/engine-thread/engine-client.js';
import type { EngineHandlers } from '../../src/engine-thread/engine-client.js';
import { Auditor } from '../../src/audit/auditor.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import type { Event } from '../../src/model/events.js';
import { VERSION } from '../../src/version.js';

function frames(run: string, epochs: number, n = 4, dim = 3): Buffer[] {
  let seq = 0;
  const id = () => ({ run, seq: seq++ });
  const out = [encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim, classes: ['a', 'b'] })];
  for (let e = 0; e < epochs; e++) {
    out.push(encodeFrame({ type: 'batch', ...id(), epoch: e }, {
      x: { dtype: 'float32', shape: [n, dim], data: Float32Array.from({ length: n * dim }, (_, i) => i + e) },
      id: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
      label: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % 2) },
    }));
    out.push(encodeFrame({ type: 'epoch_end', ...id(), epoch: e }));
  }
  out.push(encodeFrame({ type: 'end', ...id() }));
  return out;
}

test('without an engine: listening, hello, one epoch event per split (engine off), end, summary', async (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity });
  p.announce('tcp://127.0.0.1:1');
  frames('r', 2).forEach((f, i) => p.receive(f, i));
  t.true(p.finished);
  const summary = await p.close();
  t.deepEqual(summary, { event: 'summary', frames: 6, rejected: 0, lost: 0, epochs: 2 });
  t.deepEqual(events.map((e) => e.event), ['listening', 'hello', 'epoch', 'epoch', 'end', 'summary']);
  t.deepEqual(events[0], { event: 'listening', source: 'tcp://127.0.0.1:1', record: null, version: VERSION });
  t.deepEqual(events[2], { event: 'epoch', run: 'r', epoch: 0, split: 'train', n: 4, dim: 3, engine: 'off' });
  t.deepEqual(p.recordings, new Map());
});

/**
 * The pipeline's contract with the projection engine, through its EngineLike seam: the real engine
 * runs in a worker (tested end to end in test/engine-thread and test/cli); this stand-in answers with layouts on demand,
 * so the ordering rules can be driven step by step.
 */
class ScriptedEngine implements EngineLike {
  readonly submitted: EpochSet[] = [];
  closed = false;
  constructor(readonly handlers: EngineHandlers) {}
  submit(set: EpochSet): void {
    this.submitted.push(set);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  project(i: number): void {
    const set = this.submitted[i]!;
    // Only the fields the pipeline reads; the layout's arrays are the engine's business.
    this.handlers.onLayout({ run: set.run, epoch: set.epoch, metrics: { nn15: 0.5 } } as unknown as EpochLayout);
  }
}

test('with an engine: epochs are reported when the engine answers; whenIdle and close wait for it', async (t) => {
  const events: Event[] = [];
  let engine!: ScriptedEngine;
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity, engine: (h) => (engine = new ScriptedEngine(h)) });
  frames('r', 3).forEach((f, i) => p.receive(f, i));
  t.is(engine.submitted.length, 3);
  t.deepEqual(engine.submitted.map((s) => [s.epoch, s.splits[0]!.n, [...s.splits[0]!.labels!]]), [[0, 4, [0, 1, 0, 1]], [1, 4, [0, 1, 0, 1]], [2, 4, [0, 1, 0, 1]]]);
  t.deepEqual(events.filter((e) => e.event === 'epoch'), [], 'nothing reported before the engine answers');
  t.false(p.finished, 'the run ended but epochs are still with the engine');
  let idle = false;
  void p.whenIdle().then(() => (idle = true));
  engine.project(0);
  engine.handlers.onSkipped('r', 1);
  await Promise.resolve();
  t.false(idle);
  t.deepEqual(events.filter((e) => e.event === 'epoch'), [
    { event: 'epoch', run: 'r', epoch: 0, split: 'train', n: 4, dim: 3, engine: 'projected', nn15: 0.5 },
    { event: 'epoch', run: 'r', epoch: 1, split: 'train', n: 4, dim: 3, engine: 'skipped' },
  ]);
  t.true(events.some((e) => e.event === 'layout'));
  const closing = p.close();
  engine.project(2);
  const summary = await closing;
  t.true(idle);
  t.true(engine.closed);
  t.true(p.finished);
  t.is(summary.epochs, 3);
  t.is(events.at(-1)!.event, 'summary');
});

test('an engine failure on one epoch is reported and the pipeline goes on', async (t) => {
  const events: Event[] = [];
  let engine!: ScriptedEngine;
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity, engine: (h) => (engine = new ScriptedEngine(h)) });
  const write = process.stderr.write.bind(process.stderr);
  const err: string[] = [];
  process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    frames('r', 2).forEach((f, i) => p.receive(f, i));
    engine.handlers.onError(new Error('out of memory'), 'r', 0);
    engine.project(1);
  } finally {
    process.stderr.write = write;
  }
  t.like(events.filter((e) => e.event === 'epoch'), [{ epoch: 0, engine: 'failed' }, { epoch: 1, engine: 'projected' }]);
  t.regex(err.join(''), /engine failed on run "r" epoch 0: out of memory/);
  await p.close();
});

test('NaN in x is rejected and, with an auditor, raised as a critical nan alert naming the frame', async (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity, auditor: new Auditor({}) });
  const [hello] = frames('r', 0);
  p.receive(hello!, 0);
  p.receive(encodeFrame({ type: 'batch', run: 'r', seq: 1, epoch: 0 }, {
    x: { dtype: 'float32', shape: [1, 3], data: Float32Array.of(1, Infinity, 2) },
    id: { dtype: 'int32', shape: [1], data: Int32Array.of(0) },
  }), 1);
  const reject = events.find((e) => e.event === 'reject');
  t.like(reject, { run: 'r', producer: '0', seq: 1, code: 'non_finite' });
  const alert = events.find((e) => e.event === 'alert');
  t.like(alert, { run: 'r', kind: 'nan', severity: 'critical' });
  await p.close();
});

test('with a record folder, accepted frames of each run land in that run\'s file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-pipe-'));
  const p = new Pipeline({ sink: () => {}, silenceMs: Infinity, recordDir: dir });
  const a = frames('a', 1);
  const b = frames('b', 2);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) p.receive(a[i]!, i);
    if (b[i]) p.receive(b[i]!, i);
  }
  await p.close();
  t.deepEqual([...p.recordings.keys()].sort(), ['a', 'b']);
  t.true(readRecording(p.recordings.get('a')!).frames.every((f, i) => f.frame.equals(a[i]!)));
  t.is(readRecording(p.recordings.get('b')!).frames.length, b.length);
});

test('silence is checked by tick against the clock the pipeline is given', (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: 1000 });
  const f = frames('quiet', 1);
  p.receive(f[0]!, 0);
  p.receive(f[1]!, 0);
  p.tick(999);
  t.false(events.some((e) => e.event === 'silence'));
  p.tick(1000);
  t.like(events.find((e) => e.event === 'silence'), { run: 'quiet', producer: '0', seconds: 1 });
  t.like(events.find((e) => e.event === 'epoch'), { run: 'quiet', epoch: 0, n: 4 });
});
