import test from 'ava';
import { SendQueue } from '../../src/producer/send-queue.js';

const frame = (tag: number, pinned = false) => ({ bytes: Buffer.of(tag), pinned });
const drain = (q: SendQueue): number[] => {
  const out: number[] = [];
  for (let f = q.shift(); f; f = q.shift()) out.push(f.bytes[0]!);
  return out;
};

test('keeps FIFO order under the limit', (t) => {
  const q = new SendQueue(3);
  [1, 2, 3].forEach((i) => q.push(frame(i)));
  t.is(q.length, 3);
  t.deepEqual(drain(q), [1, 2, 3]);
  t.is(q.dropped, 0);
});

test('drops the oldest when full', (t) => {
  const q = new SendQueue(3);
  [1, 2, 3, 4, 5].forEach((i) => q.push(frame(i)));
  t.deepEqual(drain(q), [3, 4, 5]);
  t.is(q.dropped, 2);
});

test('a pinned frame survives; the oldest unpinned one goes instead', (t) => {
  const q = new SendQueue(2);
  q.push(frame(1, true));
  [2, 3, 4].forEach((i) => q.push(frame(i)));
  t.deepEqual(drain(q), [1, 4]);
  t.is(q.dropped, 2);
});

test('when every queued frame is pinned the oldest goes anyway', (t) => {
  const q = new SendQueue(1);
  q.push(frame(1, true));
  q.push(frame(2, true));
  t.deepEqual(drain(q), [2]);
});

test('long runs of push/shift stay consistent (compaction)', (t) => {
  const q = new SendQueue(10);
  const seen: number[] = [];
  for (let i = 0; i < 1000; i++) {
    q.push(frame(i % 256));
    if (i % 3 !== 0) seen.push(q.shift()!.bytes[0]!);
  }
  seen.push(...drain(q));
  t.is(seen.length + q.dropped, 1000);
  t.deepEqual(seen.slice(0, 4), [0, 1, 2, 3]);
});

test('clear counts what it throws away; bad limits are refused', (t) => {
  const q = new SendQueue(5);
  [1, 2].forEach((i) => q.push(frame(i)));
  t.is(q.clear(), 2);
  t.is(q.dropped, 2);
  t.is(q.length, 0);
  t.throws(() => new SendQueue(0), { message: /queueLimit must be an integer >= 1/ });
  t.throws(() => new SendQueue(1.5), { message: /queueLimit/ });
});
