/**
 * Protocol 1.1 `task` (continual learning): an optional [n] integer tensor in batch, an optional
 * integer field in metrics. Decoded and checked here, built by the Node producer, carried through
 * ingest to the assembled epoch and the metrics event; frames without it mean what they did in 1.0.
 */
import test from 'ava';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { BatchFrame, MetricsFrame } from '../../src/protocol/types.js';
import { batchFrame, metricsFrame } from '../../src/producer/frame-builders.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { Event } from '../../src/model/events.js';
import { batchFields, batchTensors, bytesOf, frameWith } from './frame-helpers.js';

const base = batchTensors(3, 2);
const taskTensor = (dtype: string, shape: number[], values: number[]) => ({ name: 'task', dtype, shape, bytes: bytesOf(dtype as 'int32', values) });

test('batch: a task tensor of integers is decoded beside label; without one there are no tasks (1.0)', (t) => {
  const r = decodeFrame(frameWith(batchFields(), [...base, taskTensor('int64', [3], [0, 1, 1])]));
  if (!r.ok) return t.fail(r.reject.reason);
  t.deepEqual((r.frame as BatchFrame).tasks, Int32Array.of(0, 1, 1));
  const plain = decodeFrame(frameWith(batchFields(), base));
  if (!plain.ok) return t.fail(plain.reject.reason);
  t.false('tasks' in plain.frame);
});

test('batch: a task tensor of the wrong dtype, shape or with a negative value is rejected by name', (t) => {
  const cases: [ReturnType<typeof taskTensor>, string][] = [
    [taskTensor('float32', [3], [0, 1, 1]), "tensor 'task' must have an integer dtype, has float32"],
    [taskTensor('int32', [2], [0, 1]), "tensor 'task' has 2 rows, x has 3"],
    [taskTensor('int32', [3, 1], [0, 1, 1]), "tensor 'task' must be [n], has shape [3, 1]"],
    [taskTensor('int32', [3], [0, -2, 1]), 'task[1] = -2 is not a task index (an integer 0..2^31-1)'],
  ];
  for (const [tensor, reason] of cases) {
    const r = decodeFrame(frameWith(batchFields(), [...base, tensor]));
    t.false(r.ok, reason);
    if (!r.ok) t.deepEqual([r.reject.code, r.reject.reason], ['bad_tensor', reason]);
  }
});

test('metrics: task is an optional integer >= 0', (t) => {
  const fields = { type: 'metrics', run: 'r', producer: 'p', seq: 1, epoch: 4, values: { loss: 1 } };
  const ok = decodeFrame(frameWith({ ...fields, task: 2 }));
  t.true(ok.ok && (ok.frame as MetricsFrame).task === 2);
  const none = decodeFrame(frameWith(fields));
  t.true(none.ok && !('task' in none.frame));
  for (const bad of [-1, 1.5, '1']) {
    const r = decodeFrame(frameWith({ ...fields, task: bad }));
    t.false(r.ok);
    if (!r.ok) t.deepEqual([r.reject.code, r.reject.reason], ['bad_field', `'task' must be an integer >= 0, got ${JSON.stringify(bad)}`]);
  }
});

test('the Node producer sends tasks and the trained task, and refuses bad ones at the call', (t) => {
  const id = { run: 'r', producer: '0', seq: 1 };
  const b = decodeFrame(batchFrame(id, { epoch: 0, x: new Float32Array(4), n: 2, dim: 2, ids: [5, 6], tasks: [1, 0] }));
  t.true(b.ok && (b.frame as BatchFrame).tasks!.join() === '1,0');
  const m = decodeFrame(metricsFrame(id, { epoch: 0, values: { loss: 1 }, task: 1 }));
  t.true(m.ok && (m.frame as MetricsFrame).task === 1);
  t.throws(() => batchFrame(id, { epoch: 0, x: new Float32Array(4), n: 2, dim: 2, ids: [5, 6], tasks: [1] }), { message: 'batch: tasks has 1 entries, expected n = 2' });
  t.throws(() => batchFrame(id, { epoch: 0, x: new Float32Array(4), n: 2, dim: 2, ids: [5, 6], tasks: [1, -1] }), { message: 'batch: tasks[1] is -1: tasks must be integers >= 0' });
  t.throws(() => metricsFrame(id, { epoch: 0, values: {}, task: 0.5 }), { message: 'metrics: task must be an integer >= 0, got 0.5' });
});

test('tasks reach the assembled epoch (-1 for rows of batches without) and task the metrics event', (t) => {
  const events: Event[] = [];
  const sets: EpochSet[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), onEpochSet: (s) => sets.push(s), silenceMs: Infinity });
  const id = (seq: number) => ({ run: 'cl', producer: '0', seq });
  p.receive(encodeFrame({ type: 'hello', run: 'cl', seq: 0, layer: 'fc', dim: 2 }), 0);
  p.receive(batchFrame(id(1), { epoch: 0, x: new Float32Array(4), n: 2, dim: 2, ids: [1, 2], tasks: [0, 1] }), 1);
  p.receive(batchFrame(id(2), { epoch: 0, x: new Float32Array(2), n: 1, dim: 2, ids: [3] }), 2);
  p.receive(metricsFrame(id(3), { epoch: 0, values: { loss: 1 }, task: 1 }), 3);
  p.receive(encodeFrame({ type: 'epoch_end', run: 'cl', seq: 4, epoch: 0 }), 4);
  t.is(sets.length, 1);
  t.deepEqual([...sets[0]!.splits[0]!.tasks!], [0, 1, -1]);
  const metrics = events.find((e) => e.event === 'metrics');
  t.deepEqual(metrics, { event: 'metrics', run: 'cl', epoch: 0, step: undefined, values: { loss: 1 }, task: 1 });
});
