/**
 * PROTOCOL.md's run rules as a third-party producer could rely on them, checked on ingest (and,
 * for the recording, on the pipeline): empty batches and epochs, ids at the edges of their dtypes,
 * the same ids in train and test, a reconnect that restarts seq, frames after `end`.
 * Tests named "fault: ..." failed before the fix they guard.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pipeline } from '../../src/session/pipeline.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import type { Event } from '../../src/model/events.js';
import { batch, end, epochEnd, harness, hello, metrics } from './ingest-helpers.js';

const idsOf = (h: ReturnType<typeof harness>): [number, string, number[]][] => h.epochs.flatMap((s) => s.splits.map((p): [number, string, number[]] => [s.epoch, p.split, [...p.ids]]));

test('fault: frames after a producer\'s end were taken: a second end event, and (recording) a second file without a hello', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 0);
  h.ingest.accept(end({ seq: 2 }), 0);
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'r' }]);
  const late = [
    h.ingest.accept(metrics({ seq: 3 }, 1, { loss: 1 }), 1),
    h.ingest.accept(batch({ seq: 4 }, { epoch: 1, ids: [1] }), 1),
    h.ingest.accept(epochEnd({ seq: 5 }, 1, { weight: [1, 0, 0], bias: [0], dim: 3 }), 1),
    h.ingest.accept(end({ seq: 6 }), 1),
  ];
  for (const r of late) t.like(r, { run: 'r', producer: '0', code: 'no_hello' });
  t.regex(late[0]!.reason, /sent end.*a metrics after it counts only from a new hello/);
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'r' }], 'the run ends once');
  t.deepEqual(h.of('metrics'), []);
  t.is(h.ingest.bufferedBytes, 0, 'the late head opened no epoch');
  t.deepEqual(idsOf(h), [[0, 'train', [1]]]);
});

test('fault: a producer that said hello again after its end (a restart) had every later batch refused as stale', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1] }), 0);
  h.ingest.accept(end({ seq: 2, producer: 'a' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'b' }, { epoch: 0, ids: [2] }), 0);
  h.ingest.accept(epochEnd({ seq: 2, producer: 'b' }, 0), 0);
  h.ingest.accept(batch({ seq: 3, producer: 'b' }, { epoch: 1, ids: [2] }), 0);
  // a starts again: back in the run, done with epoch 0 (complete), not with epoch 1.
  t.is(h.ingest.accept(hello({ seq: 0, producer: 'a' }), 1), null);
  t.like(h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [5] }), 1), { code: 'stale_epoch' });
  t.is(h.ingest.accept(batch({ seq: 2, producer: 'a' }, { epoch: 1, ids: [1] }), 1), null);
  h.ingest.accept(epochEnd({ seq: 4, producer: 'b' }, 1), 1);
  t.deepEqual(idsOf(h), [[0, 'train', [1, 2]]], 'epoch 1 waits for the restarted producer');
  t.is(h.ingest.accept(epochEnd({ seq: 3, producer: 'a' }, 1), 1), null);
  t.deepEqual(idsOf(h), [[0, 'train', [1, 2]], [1, 'train', [2, 1]]]);
  for (const p of ['a', 'b']) h.ingest.accept(end({ seq: 9, producer: p }), 2);
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'r' }]);
  t.is(h.ingest.stats.rejected, 1);
});

test('fault: frames after end: the run\'s one recording holds its frames and no second file is made', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-after-end-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const events: Event[] = [];
  const pipeline = new Pipeline({ silenceMs: Infinity, recordDir: dir, sink: (e) => events.push(e) });
  const rows = { x: { dtype: 'float32' as const, shape: [2, 3], data: new Float32Array(6).fill(1) }, id: { dtype: 'int32' as const, shape: [2], data: Int32Array.of(0, 1) } };
  const frames = [
    encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: 3 }),
    encodeFrame({ type: 'batch', run: 'r', seq: 1, epoch: 0 }, rows),
    encodeFrame({ type: 'epoch_end', run: 'r', seq: 2, epoch: 0 }),
    encodeFrame({ type: 'end', run: 'r', seq: 3 }),
  ];
  for (const f of frames) pipeline.receive(f, 0);
  // Let the end close the file first, as on a real wire.
  await new Promise((r) => setTimeout(r, 50));
  pipeline.receive(encodeFrame({ type: 'metrics', run: 'r', seq: 4, epoch: 0, values: { late: 1 } }), 1);
  pipeline.receive(encodeFrame({ type: 'end', run: 'r', seq: 5 }), 1);
  await pipeline.close();
  t.deepEqual(fs.readdirSync(dir), ['r.scamrec']);
  t.deepEqual(readRecording(path.join(dir, 'r.scamrec')).frames.map((f) => Buffer.from(f.frame)), frames);
  t.deepEqual(events.filter((e) => e.event === 'end' || e.event === 'reject').map((e) => (e.event === 'reject' ? `reject ${e.code} seq ${e.seq}` : e.event)), ['end', 'reject no_hello seq 4', 'reject no_hello seq 5']);
});

test('empty batches (x [0, D]) are taken and add nothing: an epoch of only empty batches is not handed on and holds no bytes', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  t.is(h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [] }), 0), null);
  t.is(h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [], split: 'test' }), 0), null);
  t.is(h.ingest.accept(epochEnd({ seq: 3 }, 0), 0), null);
  t.deepEqual(h.epochs, []);
  t.is(h.ingest.bufferedBytes, 0);
  // An empty batch first, rows after it: the rows are all there, in order.
  h.ingest.accept(batch({ seq: 4 }, { epoch: 1, ids: [], labels: [] }), 0);
  h.ingest.accept(batch({ seq: 5 }, { epoch: 1, ids: [4, 5], labels: [1, 0] }), 0);
  h.ingest.accept(batch({ seq: 6 }, { epoch: 1, ids: [] }), 0);
  h.ingest.accept(epochEnd({ seq: 7 }, 1), 0);
  t.deepEqual(idsOf(h), [[1, 'train', [4, 5]]]);
  t.deepEqual([...h.epochs[0]!.splits[0]!.labels!], [1, 0]);
  t.is(h.ingest.stats.rejected, 0);
});

test('epoch_end for an epoch that had no batches completes nothing, frees what its head held, and later epochs go on', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  t.is(h.ingest.accept(epochEnd({ seq: 1 }, 0), 0), null);
  t.is(h.ingest.accept(epochEnd({ seq: 2 }, 1, { weight: [1, 2, 3], bias: [0], dim: 3 }), 0), null);
  t.is(h.ingest.bufferedBytes, 0);
  t.deepEqual(h.epochs, []);
  h.ingest.accept(batch({ seq: 3 }, { epoch: 2, ids: [9] }), 0);
  h.ingest.accept(epochEnd({ seq: 4 }, 2), 0);
  t.deepEqual(idsOf(h), [[2, 'train', [9]]]);
  t.like(h.ingest.accept(batch({ seq: 5 }, { epoch: 1, ids: [1] }), 0), { code: 'stale_epoch' });
});

test('the same ids in the train and the test split of one epoch are both kept (ids are checked per split)', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  t.is(h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [0, 1, 2] }), 0), null);
  t.is(h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [0, 1], split: 'test' }), 0), null);
  t.like(h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [1], split: 'test' }), 0), { code: 'duplicate_id' });
  h.ingest.accept(epochEnd({ seq: 4 }, 0), 0);
  t.deepEqual(idsOf(h), [[0, 'train', [0, 1, 2]], [0, 'test', [0, 1]]]);
});

test('ids at the edges of their dtypes (negative, above 2^31, 2^53-1) reach the epoch exactly and key the same sample across epochs', (t) => {
  const h = harness();
  const ids = [-(2 ** 53 - 1), -1, 0, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1];
  h.ingest.accept(hello({ seq: 0 }), 0);
  for (const e of [0, 1]) {
    h.ingest.accept(batch({ seq: 1 + 2 * e }, { epoch: e, ids }), 0);
    h.ingest.accept(epochEnd({ seq: 2 + 2 * e }, e), 0);
  }
  t.deepEqual(idsOf(h), [[0, 'train', ids], [1, 'train', ids]]);
  t.is(h.ingest.stats.rejected, 0);
});

test('epochs numbered 2^31 and 2^53-1 are assembled like any other', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  for (const [i, e] of [2 ** 31, 2 ** 53 - 1].entries()) {
    t.is(h.ingest.accept(batch({ seq: 1 + 2 * i }, { epoch: e, ids: [1] }), 0), null);
    t.is(h.ingest.accept(epochEnd({ seq: 2 + 2 * i }, e), 0), null);
  }
  t.deepEqual(h.epochs.map((s) => s.epoch), [2 ** 31, 2 ** 53 - 1]);
});

test('a producer that reconnects and restarts seq at 0 with a hello loses nothing: no loss counted, its open epoch kept', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 0);
  h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [2] }), 0);
  // New connection: hello again, seq from 0.
  t.is(h.ingest.accept(hello({ seq: 0 }), 1), null);
  t.is(h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [3] }), 1), null);
  t.is(h.ingest.accept(epochEnd({ seq: 2 }, 0), 1), null);
  t.deepEqual(idsOf(h), [[0, 'train', [1, 2, 3]]]);
  t.deepEqual(h.of('lost'), []);
  t.is(h.of('hello').length, 1, 'the repeated hello is a no-op');
  // Gaps in the new sequence are still counted.
  h.ingest.accept(batch({ seq: 5 }, { epoch: 1, ids: [1] }), 2);
  t.like(h.of('lost'), [{ count: 2, expected: 3, got: 5 }]);
});

test('metrics with no values, and metrics from a producer other than "0", are taken; classes may repeat a name', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'rank-1' }, 3, ['cat', 'cat', 'dog']), 0);
  t.is(h.ingest.accept(metrics({ seq: 1, producer: 'rank-1' }, 0, {}), 0), null);
  t.is(h.ingest.accept(batch({ seq: 2, producer: 'rank-1' }, { epoch: 0, ids: [1, 2], labels: [1, 2], preds: [0, 2] }), 0), null);
  t.like(h.ingest.accept(batch({ seq: 3, producer: 'rank-1' }, { epoch: 0, ids: [3], labels: [3] }), 0), { code: 'bad_label' });
  h.ingest.accept(epochEnd({ seq: 4, producer: 'rank-1' }, 0), 0);
  t.deepEqual(h.of('metrics'), [{ event: 'metrics', run: 'r', epoch: 0, step: undefined, values: {} }]);
  t.deepEqual([...h.epochs[0]!.splits[0]!.labels!], [1, 2]);
  t.deepEqual(h.epochs[0]!.splits[0]!.classes, ['cat', 'cat', 'dog']);
});
