/**
 * Issue 13, "Limits, memory and floods": every cap rejects the frame that would go over it
 * (over_limit, the cap named with its value), before anything is allocated, and nothing else changes.
 */
import test from 'ava';
import { Ingest } from '../../src/ingest/ingest.js';
import { DEFAULT_LIMITS, checkLimits, type ReceiveLimits } from '../../src/ingest/limits.js';
import { rowBytes } from '../../src/ingest/split-assembler.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { BatchFrame } from '../../src/protocol/types.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { Event } from '../../src/model/events.js';
import { batch, end, epochEnd, hello } from './ingest-helpers.js';

function capped(limits: Partial<ReceiveLimits>, silenceMs = 10_000) {
  const events: Event[] = [];
  const epochs: EpochSet[] = [];
  const ingest = new Ingest({ sink: (e) => events.push(e), onEpoch: (s) => epochs.push(s), silenceMs, limits: { ...DEFAULT_LIMITS, ...limits } });
  const rejects = () => events.filter((e) => e.event === 'reject');
  return { ingest, events, epochs, rejects };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('the defaults hold a 100k x 2048 float32 epoch', (t) => {
  t.true(100_000 * rowBytes(2048) <= DEFAULT_LIMITS.maxEpochBytes, `${100_000 * rowBytes(2048)} bytes`);
  t.true(100_000 * rowBytes(2048) <= DEFAULT_LIMITS.maxBufferedBytes);
  t.true(100_000 <= DEFAULT_LIMITS.maxEpochIds);
  t.notThrows(() => checkLimits(DEFAULT_LIMITS));
});

test('max-epoch-ids: the batch that would put more ids in an epoch is rejected; the epoch keeps what it had', (t) => {
  const c = capped({ maxEpochIds: 5 });
  c.ingest.accept(hello({ seq: 0 }), 0);
  t.is(c.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2, 3] }), 1), null);
  const r = c.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [4, 5, 6], split: 'test' }), 2);
  t.like(r, { code: 'over_limit', seq: 2 });
  t.is(r!.reason, 'over the cap max-epoch-ids = 5: epoch 0 would hold 6 ids');
  t.is(c.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [4, 5] }), 3), null, 'both splits count; exactly at the cap fits');
  c.ingest.accept(epochEnd({ seq: 4 }, 0), 4);
  t.deepEqual(c.epochs.map((s) => s.splits.map((d) => [d.split, [...d.ids]])), [[['train', [1, 2, 3, 4, 5]]]]);
  t.like(c.rejects()[0], { event: 'reject', run: 'r', producer: '0', seq: 2, code: 'over_limit' });
});

test('max-epoch-bytes: counted per row before storage grows, growth never passes the cap, and the head counts', (t) => {
  const dim = 4;
  const cap = 1500 * rowBytes(dim);
  const c = capped({ maxEpochBytes: cap });
  c.ingest.accept(hello({ seq: 0 }, dim), 0);
  t.is(c.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: range(0, 1000), dim }), 1), null);
  // 1500 rows fit exactly: doubling to 2048 rows would pass the cap, so storage stops at 1500.
  t.is(c.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: range(1000, 1500), dim }), 2), null);
  t.is(c.ingest.bufferedBytes, cap);
  const r = c.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [9999], dim }), 3);
  t.like(r, { code: 'over_limit' });
  t.is(r!.reason, `over the cap max-epoch-bytes = ${cap}: epoch 0 would hold ${1501 * rowBytes(dim)} bytes`);
  const head = c.ingest.accept(epochEnd({ seq: 4 }, 0, { weight: [1, 2, 3, 4], bias: [0], dim }), 4);
  t.regex(head!.reason, /^over the cap max-epoch-bytes/);
  t.is(c.epochs.length, 0, 'the refused epoch_end did not end the epoch');
  c.ingest.accept(epochEnd({ seq: 5 }, 0), 5);
  t.is(c.epochs[0]!.splits[0]!.n, 1500);
  t.is(c.ingest.bufferedBytes, 0);
});

test('max-buffered: all open epochs together; a completed epoch frees its share', (t) => {
  const dim = 2;
  const c = capped({ maxBufferedBytes: 5 * rowBytes(dim) });
  c.ingest.accept(hello({ run: 'A', seq: 0 }, dim), 0);
  c.ingest.accept(hello({ run: 'B', seq: 0 }, dim), 0);
  t.is(c.ingest.accept(batch({ run: 'A', seq: 1 }, { epoch: 0, ids: [1, 2, 3], dim }), 1), null);
  const r = c.ingest.accept(batch({ run: 'B', seq: 1 }, { epoch: 0, ids: [1, 2, 3], dim }), 2);
  t.like(r, { run: 'B', code: 'over_limit' });
  t.is(r!.reason, `over the cap max-buffered = ${5 * rowBytes(dim)}: the open epochs of all runs would hold ${6 * rowBytes(dim)} bytes`);
  c.ingest.accept(epochEnd({ run: 'A', seq: 2 }, 0), 3);
  t.is(c.ingest.accept(batch({ run: 'B', seq: 2 }, { epoch: 0, ids: [1, 2, 3], dim }), 4), null);
  t.is(c.ingest.stats.lost, 0);
});

test('max-producers: a producer past the cap is refused at its hello, and its frames then count as strays', (t) => {
  const c = capped({ maxProducers: 2 });
  c.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  c.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  const r = c.ingest.accept(hello({ seq: 0, producer: 'c' }), 1);
  t.like(r, { producer: 'c', code: 'over_limit' });
  t.is(r!.reason, 'over the cap max-producers = 2: the run already has 2 producers');
  t.like(c.ingest.accept(batch({ seq: 1, producer: 'c' }, { epoch: 0, ids: [1] }), 2), { code: 'no_hello' });
  t.is(c.ingest.accept(hello({ seq: 5, producer: 'a' }), 3), null, 'a known producer repeating its hello is not a new one');
  for (const p of ['a', 'b']) c.ingest.accept(end({ seq: 9, producer: p }), 4);
  t.true(c.ingest.allEndedOrQuiet);
});

test('max-runs: a new run past the cap forgets the run that ended first, then a run gone silent; with every run live it is refused', (t) => {
  const c = capped({ maxRuns: 2 }, 1000);
  c.ingest.accept(hello({ run: 'A', seq: 0 }), 0);
  c.ingest.accept(hello({ run: 'B', seq: 0 }), 0);
  const r = c.ingest.accept(hello({ run: 'C', seq: 0 }), 1);
  t.like(r, { run: 'C', code: 'over_limit' });
  t.is(r!.reason, 'over the cap max-runs = 2: 2 runs are held and none has ended or fallen silent');
  c.ingest.accept(batch({ run: 'B', seq: 1 }, { epoch: 0, ids: [1] }), 2);
  c.ingest.accept(end({ run: 'B', seq: 2 }), 3);
  t.is(c.ingest.accept(hello({ run: 'C', seq: 0 }), 4), null, 'B ended: it is forgotten');
  t.like(c.ingest.accept(batch({ run: 'B', seq: 3 }, { epoch: 1, ids: [1] }), 5), { code: 'no_hello' });
  t.is(c.ingest.runCount, 2);
  // A falls silent (which hands on its open epoch) while C keeps talking: A is the one forgotten.
  c.ingest.accept(batch({ run: 'A', seq: 1 }, { epoch: 0, ids: [7] }), 10);
  c.ingest.accept(batch({ run: 'C', seq: 1 }, { epoch: 0, ids: [1] }), 1500);
  c.ingest.tick(1500);
  t.deepEqual(c.events.filter((e) => e.event === 'silence').map((e) => e.run), ['A']);
  t.is(c.ingest.accept(hello({ run: 'D', seq: 0 }), 1600), null);
  t.deepEqual(c.epochs.map((s) => [s.run, s.epoch]), [['B', 0], ['A', 0]]);
  t.is(c.ingest.accept(batch({ run: 'C', seq: 2 }, { epoch: 0, ids: [2] }), 1700), null, 'C is untouched');
  t.is(c.ingest.runCount, 2);
});

test('checkLimits names the flag of a value out of range', (t) => {
  t.throws(() => checkLimits({ ...DEFAULT_LIMITS, maxOpenEpochs: 0 }), { message: '--max-open-epochs must be an integer >= 1, got 0' });
  t.throws(() => checkLimits({ ...DEFAULT_LIMITS, maxRuns: 1.5 }), { message: /--max-runs must be an integer/ });
  t.throws(() => checkLimits({ ...DEFAULT_LIMITS, maxEpochIds: 2 ** 24 + 1 }), { message: /--max-epoch-ids must be at most 16777216/ });
});

test('a one-batch epoch padded far past its rows is copied, not held by reference (the padding is not counted)', (t) => {
  const c = capped({});
  c.ingest.accept(hello({ seq: 0 }, 2), 0);
  const padded = encodeFrame({ type: 'batch', run: 'r', producer: '0', seq: 1, epoch: 0 }, {
    x: { dtype: 'float32', shape: [1, 2], data: Float32Array.of(1, 2) },
    id: { dtype: 'int32', shape: [1], data: Int32Array.of(7) },
  });
  const frame = Buffer.concat([padded, Buffer.alloc(4 * 2 ** 20)]); // 4 MiB that no tensor covers
  const decoded = decodeFrame(frame);
  t.true(decoded.ok);
  if (!decoded.ok) return;
  t.is((decoded.frame as BatchFrame).x.buffer.byteLength, frame.buffer.byteLength, 'the decoder hands on a view');
  c.ingest.accept(decoded.frame, 1);
  c.ingest.accept(epochEnd({ seq: 2 }, 0), 2);
  const d = c.epochs[0]!.splits[0]!;
  t.deepEqual([...d.x], [1, 2]);
  t.true(d.x.buffer.byteLength < 1024, `${d.x.buffer.byteLength} bytes kept`);
});
