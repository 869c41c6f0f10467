import anyTest from 'ava';

// Serial: a receiver in this process that is busy with another test's 20 MB frame reads late, and
// a producer that closes before its frames were read loses them (SP has no acknowledgements).
const test = anyTest.serial;
import { Producer } from '../../src/producer/producer.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { BatchFrame, EpochEndFrame, Frame, HelloFrame, MetricsFrame } from '../../src/protocol/types.js';
import { ipcAddress, listen, rawHeader, sleep } from './pull-helper.js';

function decode(buf: Buffer): Frame {
  const r = decodeFrame(buf);
  if (!r.ok) throw new Error(`frame rejected: ${r.reject.reason}`);
  return r.frame;
}

test('a full run arrives in order, byte-exact and decodable', async (t) => {
  const address = ipcAddress('full');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'r1', producer: '3' });
  const x = Float32Array.from({ length: 3 * 4 }, (_, i) => i * 0.5 - 2);
  p.hello({ layer: 'fc2', dim: 4, classes: ['a', 'b'], model: 'mlp' });
  p.batch({ epoch: 0, x, n: 3, dim: 4, ids: [10, 11, 12], labels: [0, 1, 1], preds: [0, 0, 1] });
  p.batch({ epoch: 0, split: 'test', x, n: 3, dim: 4, ids: [20, 21, 22] });
  p.metrics({ epoch: 0, step: 7, values: { train_loss: 0.5, val_acc: 0.75 } });
  p.epochEnd({ epoch: 0, head: { weight: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), bias: Float32Array.of(-1, 1), classes: 2, dim: 4 } });
  p.end();
  await p.close();
  const msgs = await pull.waitFor(6);
  pull.close();
  t.deepEqual(p.stats, { sent: 6, dropped: 0, queued: 0 });

  // The wire layout itself, read without the decoder.
  for (const m of msgs) {
    t.is(m.subarray(0, 4).toString('ascii'), 'SCAM');
    t.deepEqual([...m.subarray(4, 8)], [1, 0, 0, 0]);
  }
  const h1 = rawHeader(msgs[1]!);
  const xSpec = (h1.tensors as { name: string; offset: number; nbytes: number }[]).find((s) => s.name === 'x')!;
  const bodyStart = 12 + msgs[1]!.readUInt32LE(8);
  t.deepEqual(new Float32Array(msgs[1]!.buffer.slice(msgs[1]!.byteOffset + bodyStart + xSpec.offset, msgs[1]!.byteOffset + bodyStart + xSpec.offset + xSpec.nbytes)), x);

  const frames = msgs.map(decode);
  t.deepEqual(frames.map((f) => f.type), ['hello', 'batch', 'batch', 'metrics', 'epoch_end', 'end']);
  t.deepEqual(frames.map((f) => f.seq), [0, 1, 2, 3, 4, 5]);
  t.true(frames.every((f) => f.run === 'r1' && f.producer === '3'));
  const hello = frames[0] as HelloFrame;
  t.like(hello, { layer: 'fc2', dim: 4, classes: ['a', 'b'], model: 'mlp' });
  const b0 = frames[1] as BatchFrame;
  t.like(b0, { epoch: 0, split: 'train', n: 3, dim: 4 });
  t.deepEqual([...b0.x], [...x]);
  t.deepEqual([...b0.ids], [10, 11, 12]);
  t.deepEqual([...b0.labels!], [0, 1, 1]);
  t.deepEqual([...b0.preds!], [0, 0, 1]);
  const b1 = frames[2] as BatchFrame;
  t.is(b1.split, 'test');
  t.is(b1.labels, undefined);
  t.deepEqual((frames[3] as MetricsFrame).values, { train_loss: 0.5, val_acc: 0.75 });
  t.is((frames[3] as MetricsFrame).step, 7);
  const head = (frames[4] as EpochEndFrame).head!;
  t.like(head, { classes: 2, dim: 4 });
  t.deepEqual([...head.weight], [1, 2, 3, 4, 5, 6, 7, 8]);
  t.deepEqual([...head.bias], [-1, 1]);
});

test('ids that do not fit int32 travel as int64; small ones as int32', async (t) => {
  const address = ipcAddress('ids');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'ids' });
  p.hello({ layer: 'l', dim: 1 });
  p.batch({ epoch: 0, x: Float32Array.of(1, 2), n: 2, dim: 1, ids: Int32Array.of(-5, 2147483647) });
  p.batch({ epoch: 1, x: Float32Array.of(1, 2), n: 2, dim: 1, ids: Float64Array.of(2 ** 40, 2 ** 53 - 1) });
  await p.close();
  const msgs = await pull.waitFor(4); // hello, batch, hello (epoch 1 begins), batch
  pull.close();
  const dtype = (m: Buffer): string => (rawHeader(m).tensors as { name: string; dtype: string }[]).find((s) => s.name === 'id')!.dtype;
  t.is(dtype(msgs[1]!), 'int32');
  t.is(dtype(msgs[3]!), 'int64');
  t.deepEqual([...(decode(msgs[1]!) as BatchFrame).ids], [-5, 2147483647]);
  t.deepEqual([...(decode(msgs[3]!) as BatchFrame).ids], [2 ** 40, 2 ** 53 - 1]);
});

test('non-finite metric values are sent as "nan"/"inf"/"-inf" strings', async (t) => {
  const address = ipcAddress('nan');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'nan' });
  p.metrics({ epoch: 2, values: { a: NaN, b: Infinity, c: -Infinity, d: 1.5 } });
  await p.close();
  const [m] = await pull.waitFor(1);
  pull.close();
  t.deepEqual(rawHeader(m!).values, { a: 'nan', b: 'inf', c: '-inf', d: 1.5 });
  // The monitor's decoder turns this into a non_finite report, not a malformed-frame one.
  const r = decodeFrame(m!);
  t.false(r.ok);
  if (!r.ok) t.is(r.reject.code, 'non_finite');
});

test('with no monitor, calls return at once and the oldest frames are dropped (the latest hello kept)', async (t) => {
  const address = ipcAddress('drop');
  const p = new Producer({ address, run: 'drop', queueLimit: 3 });
  p.hello({ layer: 'l', dim: 2 });
  // Epoch 0: hello (seq 0), then batches 1-4: the hello is pinned, the oldest batches go.
  for (let i = 0; i < 4; i++) p.batch({ epoch: 0, x: Float32Array.of(i, i), n: 1, dim: 2, ids: [i] });
  t.deepEqual(p.stats, { sent: 0, dropped: 2, queued: 3 });
  // Epoch 1 begins with hello again (seq 5); the older hello is superseded and may go too.
  for (let i = 0; i < 3; i++) p.batch({ epoch: 1, x: Float32Array.of(i, i), n: 1, dim: 2, ids: [i] });
  t.deepEqual(p.stats, { sent: 0, dropped: 6, queued: 3 });
  await sleep(50); // still nobody to send to
  t.is(p.stats.sent, 0);

  const pull = listen(address);

  t.teardown(() => pull.close());
  await p.close();
  const msgs = await pull.waitFor(3);
  pull.close();
  const frames = msgs.map(decode);
  t.deepEqual(frames.map((f) => f.seq), [5, 7, 8]);
  t.is(frames[0]!.type, 'hello');
  t.deepEqual(frames.slice(1).map((f) => (f as BatchFrame).epoch), [1, 1]);
  t.deepEqual(p.stats, { sent: 3, dropped: 6, queued: 0 });
});

test('hello is repeated before the first frame of every later epoch, and only then', async (t) => {
  const address = ipcAddress('rehello');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'again', producer: '2' });
  p.hello({ layer: 'fc', dim: 1, classes: ['a', 'b'], model: 'm' });
  p.metrics({ epoch: 0, values: { loss: 1 } });
  p.batch({ epoch: 0, x: Float32Array.of(1), n: 1, dim: 1, ids: [1] });
  p.epochEnd({ epoch: 0 });
  p.metrics({ epoch: 1, values: { loss: 0.5 } }); // a later epoch begins with metrics: hello first
  p.batch({ epoch: 1, x: Float32Array.of(1), n: 1, dim: 1, ids: [1] });
  p.metrics({ epoch: 0, values: { late: 1 } }); // a step back is not a new epoch
  p.epochEnd({ epoch: 1 });
  p.batch({ epoch: 3, x: Float32Array.of(1), n: 1, dim: 1, ids: [1] });
  p.end();
  await p.close();
  const frames = (await pull.waitFor(12)).map(decode);
  pull.close();
  t.deepEqual(frames.map((f) => f.type), ['hello', 'metrics', 'batch', 'epoch_end', 'hello', 'metrics', 'batch', 'metrics', 'epoch_end', 'hello', 'batch', 'end']);
  t.deepEqual(frames.map((f) => f.seq), frames.map((_, i) => i));
  for (const h of frames.filter((f): f is HelloFrame => f.type === 'hello')) t.like(h, { run: 'again', producer: '2', layer: 'fc', dim: 1, classes: ['a', 'b'], model: 'm' });
});

test('close() gives up after its timeout when nobody listens and counts the rest as dropped', async (t) => {
  const p = new Producer({ address: ipcAddress('gone'), run: 'gone' });
  p.hello({ layer: 'l', dim: 1 });
  p.end();
  await p.close({ timeoutMs: 100 });
  t.deepEqual(p.stats, { sent: 0, dropped: 2, queued: 0 });
  t.throws(() => p.end(), { message: /closed/ });
});

test('close() waits for a large last frame to leave before closing the socket', async (t) => {
  const address = ipcAddress('big');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'big' });
  const n = 40_000;
  const dim = 128; // 20 MB of x: takes a while on the wire
  p.hello({ layer: 'l', dim });
  const x = new Float32Array(n * dim).fill(0.25);
  p.batch({ epoch: 0, x, n, dim, ids: Int32Array.from({ length: n }, (_, i) => i) });
  await p.close();
  const msgs = await pull.waitFor(2);
  pull.close();
  const b = decode(msgs[1]!) as BatchFrame;
  t.is(b.n, n);
  t.is(b.x[n * dim - 1], 0.25);
});

test('tcp:// works too', async (t) => {
  const address = `tcp://127.0.0.1:${20000 + (process.pid % 20000)}`;
  const pull = listen(address);
  t.teardown(() => pull.close());
  const p = new Producer({ address, run: 'tcp' });
  p.hello({ layer: 'l', dim: 1 });
  await p.close();
  const [m] = await pull.waitFor(1);
  pull.close();
  t.is(decode(m!).type, 'hello');
});

test('bad arguments fail at the call with a message naming the problem', (t) => {
  t.throws(() => new Producer({ run: '' }), { message: /run must be 1-128 printable/ });
  t.throws(() => new Producer({ run: 'ok', address: 'localhost:5555' }), { message: /address must look like/ });
  t.throws(() => new Producer({ run: 'ok', queueLimit: 0 }), { message: /queueLimit/ });
  const p = new Producer({ address: ipcAddress('bad'), run: 'bad' });
  p.hello({ layer: 'l', dim: 2 });
  t.throws(() => p.batch({ epoch: 0, x: new Float32Array(3), n: 2, dim: 2, ids: [1, 2] }), { message: /x has 3 values, expected n\*dim = 2\*2 = 4/ });
  t.throws(() => p.batch({ epoch: 0, x: new Float32Array(6), n: 2, dim: 3, ids: [1, 2] }), { message: /dim 3 differs from the dim 2 sent in hello/ });
  t.throws(() => p.batch({ epoch: 0, x: new Float32Array(4), n: 2, dim: 2, ids: [1, 2.5] }), { message: /ids\[1\] is 2.5/ });
  t.throws(() => p.batch({ epoch: -1, x: new Float32Array(4), n: 2, dim: 2, ids: [1, 2] }), { message: /epoch must be an integer >= 0/ });
  t.throws(() => p.epochEnd({ epoch: 0, head: { weight: new Float32Array(5), bias: new Float32Array(2), classes: 2, dim: 2 } }), { message: /head.weight has 5 values/ });
  // Refused calls do not use up a seq number: the next good frame is seq 1.
  p.end();
  t.is(p.stats.queued, 2);
  return p.close({ timeoutMs: 0 });
});
