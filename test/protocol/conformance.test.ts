/**
 * PROTOCOL.md read as a third-party producer would read it: frames that conform must decode, in
 * every corner the text allows (characters, not UTF-16 units; padding and tensor order; null for
 * an absent optional field), and frames that do not must be refused with a reason naming the
 * problem. Tests named "fault: ..." failed before the fix they guard.
 */
import test from 'ava';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { BatchFrame, HelloFrame, MetricsFrame } from '../../src/protocol/types.js';
import { isProtocolName } from '../../src/model/text-length.js';
import { helloFrame } from '../../src/producer/frame-builders.js';
import { batchFields, batchTensors, bytesOf, frameWith, rawFrame, withTensor, type RawTensor } from './frame-helpers.js';
import { accepts, rejects } from './decode-asserts.js';

const header = (fields: Record<string, unknown>): Buffer => rawFrame(JSON.stringify(fields));
const helloWith = (over: Record<string, unknown>): Buffer => header({ type: 'hello', run: 'r', producer: 'p', seq: 0, layer: 'fc', dim: 2, ...over });
const metricsText = (values: string): Buffer => rawFrame(`{"type":"metrics","run":"r","producer":"p","seq":4,"epoch":1,"values":${values}}`);
const x1 = (n: number): RawTensor => ({ name: 'x', dtype: 'float32', shape: [n, 1], bytes: bytesOf('float32', Array.from({ length: n }, (_, i) => i)) });

// ---------------------------------------------------------------- names: characters, not units

test('fault: a run name of 128 characters outside the BMP (256 UTF-16 units) was refused; names count characters', (t) => {
  const emoji = '\u{1F600}'.repeat(128);
  t.is(emoji.length, 256, 'the JavaScript length the old check used');
  t.is((accepts(t, header({ type: 'end', run: emoji, seq: 1 }))).run, emoji);
  // The same rule for every name: producer, layer and metric names.
  t.is(accepts(t, header({ type: 'end', run: 'r', producer: '\u{1D4AB}'.repeat(128), seq: 1 })).producer, '\u{1D4AB}'.repeat(128));
  t.is((accepts(t, helloWith({ layer: '\u{1F9E0}'.repeat(100) })) as HelloFrame).layer, '\u{1F9E0}'.repeat(100));
  const m = accepts(t, metricsText(JSON.stringify({ ['\u{1F4C9}'.repeat(128)]: 0.5 }))) as MetricsFrame;
  t.deepEqual(Object.keys(m.values), ['\u{1F4C9}'.repeat(128)]);
  // 128 multi-byte characters of the BMP (384 bytes of UTF-8) were and are fine.
  t.true(decodeFrame(header({ type: 'end', run: '\u6f22'.repeat(128), seq: 1 })).ok);
  // 129 characters are one too many, and the reason counts characters.
  const r = rejects(t, header({ type: 'end', run: '\u{1F600}'.repeat(129), producer: 'p', seq: 7 }), 'bad_field', "'run'", '1-128 characters', 'has 129');
  t.like(r, { producer: 'p', seq: 7 });
  rejects(t, header({ type: 'end', run: 'r', producer: '\u{1F600}'.repeat(129), seq: 7 }), 'bad_field', "'producer'", 'has 129');
});

test('a reject of a frame whose run has 128 astral characters still names the run', (t) => {
  const run = '\u{1F600}'.repeat(128);
  const r = rejects(t, header({ type: 'batch', run, producer: 'p', seq: 3, epoch: 0 }), 'bad_tensor', "no tensor 'x'");
  t.like(r, { run, producer: 'p', seq: 3 });
});

test('a name with an unpaired surrogate (a JSON "\\ud800" escape) is refused: it is no character, and prints as U+FFFD', (t) => {
  for (const bad of ['a\\ud800b', 'a\\udc00', '\\udbff']) {
    const buf = rawFrame(`{"type":"end","run":"${bad}","producer":"p","seq":2}`);
    const r = rejects(t, buf, 'bad_field', "'run'", 'surrogate');
    t.like(r, { producer: 'p', seq: 2 });
  }
  rejects(t, rawFrame('{"type":"end","run":"r","producer":"\\ud83d","seq":2}'), 'bad_field', "'producer'", 'surrogate');
  // A pair written as two escapes is one character and is fine.
  t.is(accepts(t, rawFrame('{"type":"end","run":"\\ud83d\\ude00","seq":2}')).run, '\u{1F600}');
});

// ---------------------------------------------------------------- hello

test('fault: a hello whose model or a class name was longer than 256 characters was refused, losing the run; both are now cut', (t) => {
  const model = `Sequential(\n  (0): Linear(in_features=784, out_features=256)\n${'  (x): ReLU()\n'.repeat(200)})`;
  const h = accepts(t, helloWith({ model, classes: ['cat', 'c'.repeat(1000), '\u{1F431}'.repeat(300)] })) as HelloFrame;
  t.is([...h.model!].length, 256);
  t.true(h.model!.startsWith('Sequential(') && h.model!.endsWith('\u2026'), 'cut text ends in an ellipsis');
  t.is(h.classes![0], 'cat');
  t.is(h.classes![1], `${'c'.repeat(255)}\u2026`);
  t.is([...h.classes![2]!].length, 256, 'cut by characters, never inside a surrogate pair');
  t.notRegex(h.classes![2]!, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no half of a pair before the ellipsis');
  t.is(h.classes!.length, 3, 'labels still index the classes: none is dropped');
  // Exactly 256 characters are kept as they are.
  t.is((accepts(t, helloWith({ model: 'm'.repeat(256) })) as HelloFrame).model, 'm'.repeat(256));
});

test('fault: an optional field sent as null (a Python None) was refused, although null producer and split were taken as absent', (t) => {
  const h = accepts(t, helloWith({ model: null, classes: null })) as HelloFrame;
  t.is(h.model, undefined);
  t.is(h.classes, undefined);
  const m2 = accepts(t, header({ type: 'metrics', run: 'r', seq: 4, epoch: 1, step: null, task: null, values: { loss: 0.5 } })) as MetricsFrame;
  t.is(m2.step, undefined);
  t.false('task' in m2);
  const b = accepts(t, frameWith(batchFields({ layer: null, split: null, producer: null }), batchTensors(2, 2))) as BatchFrame;
  t.like(b, { split: 'train', producer: '0' });
  t.false('layer' in b);
  t.is(accepts(t, header({ type: 'end', run: 'r', seq: 5, tensors: null })).type, 'end', 'tensors: null is no tensors');
  // Required fields stay required: null is not a value for them.
  rejects(t, header({ type: 'end', run: null, seq: 0 }), 'bad_field', "'run'");
  rejects(t, header({ type: 'end', run: 'r', seq: null }), 'bad_field', "'seq'");
  rejects(t, helloWith({ layer: null }), 'bad_field', "'layer'");
  rejects(t, helloWith({ dim: null }), 'bad_field', "'dim'");
});

test('classes may repeat a name or be empty; a class that is not a string is refused by index', (t) => {
  t.deepEqual((accepts(t, helloWith({ classes: ['a', 'a', 'b'] })) as HelloFrame).classes, ['a', 'a', 'b']);
  t.deepEqual((accepts(t, helloWith({ classes: [] })) as HelloFrame).classes, []);
  rejects(t, helloWith({ classes: ['a', 3] }), 'bad_field', "'classes'", 'classes[1] is 3');
  rejects(t, helloWith({ classes: ['a', ['b']] }), 'bad_field', 'classes[1]');
  rejects(t, helloWith({ classes: { 0: 'a' } }), 'bad_field', "'classes' must be an array");
});

// ---------------------------------------------------------------- header JSON

test('a header with a UTF-8 byte order mark, or with whitespace around the object, is accepted', (t) => {
  const json = JSON.stringify({ type: 'end', run: 'r', seq: 3 });
  t.is(accepts(t, rawFrame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]))).seq, 3);
  t.is(accepts(t, rawFrame(` \r\n\t${json} \r\n\t`)).seq, 3);
  // NUL padding is not JSON whitespace: refused, saying what to do instead.
  rejects(t, rawFrame(`${json}\0\0\0`), 'bad_header', 'JSON', 'ends in NUL bytes', 'H must count the JSON text only');
});

test('an integer written as 3.0 or 3e0 is the integer 3; 3.5 is refused', (t) => {
  t.is(accepts(t, rawFrame('{"type":"end","run":"r","seq":3.0}')).seq, 3);
  t.is(accepts(t, rawFrame('{"type":"end","run":"r","seq":3e0}')).seq, 3);
  t.is((accepts(t, rawFrame('{"type":"epoch_end","run":"r","seq":1,"epoch":2.0}')) as { epoch: number }).epoch, 2);
  rejects(t, rawFrame('{"type":"end","run":"r","seq":3.5}'), 'bad_field', "'seq'", '3.5');
});

test('epoch 2^31 and 2^53-1 are accepted; an epoch or seq above 2^53-1 is refused saying JSON cannot carry it exactly here', (t) => {
  for (const epoch of [2 ** 31, 2 ** 32, 2 ** 53 - 1]) t.is((accepts(t, header({ type: 'epoch_end', run: 'r', seq: 1, epoch })) as { epoch: number }).epoch, epoch);
  const r = rejects(t, rawFrame('{"type":"epoch_end","run":"r","producer":"p","seq":1,"epoch":9007199254740993}'), 'bad_field', "'epoch'", '2^53 - 1');
  t.like(r, { run: 'r', producer: 'p', seq: 1 });
  rejects(t, rawFrame('{"type":"end","run":"r","seq":18446744073709551615}'), 'bad_field', "'seq'", '2^53 - 1');
});

test('unknown header fields are ignored on every frame type (forward compatibility)', (t) => {
  const extra = { v: 2, meta: { host: 'gpu-3', tags: ['a'] }, note: null };
  t.is(accepts(t, helloWith(extra)).type, 'hello');
  t.is(accepts(t, frameWith(batchFields(extra), batchTensors(2, 2))).type, 'batch');
  t.is(accepts(t, header({ type: 'epoch_end', run: 'r', seq: 1, epoch: 0, ...extra })).type, 'epoch_end');
  t.is(accepts(t, header({ type: 'metrics', run: 'r', seq: 1, epoch: 0, values: { a: 1 }, ...extra })).type, 'metrics');
  t.is(accepts(t, header({ type: 'end', run: 'r', seq: 1, ...extra })).type, 'end');
});

// ---------------------------------------------------------------- metrics

test('fault: a metric written as 1e400 (JSON.parse reads it as Infinity) was taken as a value; it is non_finite, naming the metric', (t) => {
  for (const literal of ['1e400', '-1e400', '1.8e308']) {
    const r = rejects(t, metricsText(`{"acc":0.5,"loss":${literal}}`), 'non_finite', "metric 'loss'", "beyond a double's range");
    t.like(r, { run: 'r', producer: 'p', seq: 4 });
  }
  // The largest finite double is a value like any other.
  t.is((accepts(t, metricsText('{"loss":1.7976931348623157e308}')) as MetricsFrame).values['loss'], Number.MAX_VALUE);
});

test('fault: a metric named "__proto__" was silently dropped; it is kept like any other name', (t) => {
  const m = accepts(t, metricsText('{"__proto__":1.5,"constructor":2,"loss":3}')) as MetricsFrame;
  t.deepEqual(Object.entries(m.values), [['__proto__', 1.5], ['constructor', 2], ['loss', 3]]);
  t.is(JSON.stringify(m.values), '{"__proto__":1.5,"constructor":2,"loss":3}');
});

test('metrics with no values are accepted (the epoch alone is news)', (t) => {
  t.deepEqual((accepts(t, metricsText('{}')) as MetricsFrame).values, {});
});

// ---------------------------------------------------------------- tensors

test('tensors listed in an order other than their offsets, and tensors that share bytes, are read where their offsets say', (t) => {
  const ids = bytesOf('int32', [7, 8, 9]);
  const x = bytesOf('float64', [0.5, 1.5, 2.5]);
  // Body: ids at 0, x at 16 (after 4 bytes of padding); the listing says label, x, id.
  const f = accepts(t, frameWith(batchFields(), [
    { name: 'label', dtype: 'int32', shape: [3], bytes: ids, offset: 0 },
    { name: 'x', dtype: 'float64', shape: [3, 1], bytes: x, offset: 16 },
    { name: 'id', dtype: 'int32', shape: [3], bytes: ids, offset: 0 },
  ])) as BatchFrame;
  t.deepEqual([...f.x], [0.5, 1.5, 2.5]);
  t.deepEqual([...f.ids], [7, 8, 9]);
  t.deepEqual([...f.labels!], [7, 8, 9], 'label and id read the same bytes');
  // pred overlaps half of id and half of the padding-free tail: still just bytes read twice.
  const g = accepts(t, frameWith(batchFields(), [
    { name: 'id', dtype: 'uint32', shape: [2], bytes: bytesOf('uint32', [1, 2]), offset: 8 },
    { name: 'x', dtype: 'float32', shape: [2, 1], bytes: bytesOf('float32', [3, 4]), offset: 0 },
    { name: 'pred', dtype: 'uint32', shape: [2], bytes: bytesOf('uint32', [2, 5]), offset: 12 },
  ])) as BatchFrame;
  t.deepEqual([...g.ids], [1, 2]);
  t.deepEqual([...g.preds!], [2, 5]);
});

test('an empty batch, x [0, D], with id, label and pred of every integer dtype, decodes to n = 0', (t) => {
  for (const idType of ['int32', 'int64', 'uint32'] as const) {
    for (const labelType of ['uint8', 'int32', 'int64', 'uint32'] as const) {
      const empty = (name: string, dtype: string): RawTensor => ({ name, dtype, shape: [0], bytes: new Uint8Array(0) });
      const f = accepts(t, frameWith(batchFields(), [
        { name: 'x', dtype: 'float16', shape: [0, 5], bytes: new Uint8Array(0) },
        empty('id', idType),
        empty('label', labelType),
        empty('pred', labelType),
      ])) as BatchFrame;
      t.like(f, { n: 0, dim: 5 });
      t.is(f.ids.length, 0);
      t.is(f.labels!.length, 0);
    }
  }
});

test('x in float16: every subnormal, signed zero and the largest normal are exact', (t) => {
  // Subnormal halves are frac * 2^-24: every one of them, both signs.
  const bits: number[] = [];
  const expected: number[] = [];
  for (let frac = 0; frac < 0x400; frac++) {
    bits.push(frac, 0x8000 | frac);
    expected.push(frac * 2 ** -24, -(frac * 2 ** -24));
  }
  bits.push(0x0400, 0x7bff, 0xfbff);
  expected.push(2 ** -14, 65504, -65504);
  const n = bits.length;
  const f = accepts(t, frameWith(batchFields(), withTensor(batchTensors(n, 1, 0), { name: 'x', dtype: 'float16', shape: [n, 1], bytes: new Uint8Array(Uint16Array.from(bits).buffer) }))) as BatchFrame;
  const wrong = expected.flatMap((v, i) => (Object.is(f.x[i], v) ? [] : [`0x${bits[i]!.toString(16)}: ${f.x[i]} not ${v}`]));
  t.deepEqual(wrong, []);
});

test('float64 x beyond float32 range is refused as non_finite, and the reason says they were finite in float64', (t) => {
  const r = rejects(t, frameWith(batchFields(), withTensor(batchTensors(2, 2), { name: 'x', dtype: 'float64', shape: [2, 2], bytes: bytesOf('float64', [1, 1e300, -1e39, NaN]) })), 'non_finite', 'row 0, column 1', "2 of them finite float64 values beyond float32");
  t.like(r, { run: 'r', producer: 'p', seq: 3 });
  // Without overflow, the reason is as before.
  const plain = rejects(t, frameWith(batchFields(), withTensor(batchTensors(1, 2), { name: 'x', dtype: 'float64', shape: [1, 2], bytes: bytesOf('float64', [1, Infinity]) })), 'non_finite');
  t.false(plain.reason.includes('float32'));
});

test('ids: uint32 above 2^31 and int64 up to 2^53-1 stay distinct; an int64 id beyond 2^53 is refused quoting its exact value', (t) => {
  const u = accepts(t, frameWith(batchFields(), [x1(4), { name: 'id', dtype: 'uint32', shape: [4], bytes: bytesOf('uint32', [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1]) }])) as BatchFrame;
  t.deepEqual([...u.ids], [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1]);
  const big = accepts(t, frameWith(batchFields(), [x1(2), { name: 'id', dtype: 'int64', shape: [2], bytes: bytesOf('int64', [2n ** 53n - 1n, 2n ** 53n - 2n]) }])) as BatchFrame;
  t.deepEqual([...big.ids], [2 ** 53 - 1, 2 ** 53 - 2]);
  // 2^53 and 2^53 + 1 would both read as 2^53: two samples merged into one. Refused instead.
  const r = rejects(t, frameWith(batchFields(), [x1(2), { name: 'id', dtype: 'int64', shape: [2], bytes: bytesOf('int64', [2n ** 53n, 2n ** 53n + 1n]) }]), 'bad_tensor', "tensor 'id'[0] = 9007199254740992", '2^53');
  t.like(r, { run: 'r', producer: 'p', seq: 3 });
  rejects(t, frameWith(batchFields(), [x1(1), { name: 'id', dtype: 'int64', shape: [1], bytes: bytesOf('int64', [-(2n ** 63n)]) }]), 'bad_tensor', '= -9223372036854775808');
});

test('labels: negative or above 2^31-1 in any integer dtype are bad_label naming the row; in range they are taken', (t) => {
  for (const [dtype, value] of [['int32', -1], ['int64', -5], ['uint32', 2 ** 31], ['int64', 2 ** 40]] as const) {
    rejects(t, frameWith(batchFields(), [...batchTensors(2, 1), { name: 'label', dtype, shape: [2], bytes: bytesOf(dtype, [0, value]) }]), 'bad_label', `label[1] = ${value}`);
  }
  const f = accepts(t, frameWith(batchFields(), [...batchTensors(2, 1), { name: 'label', dtype: 'uint32', shape: [2], bytes: bytesOf('uint32', [0, 2 ** 31 - 1]) }])) as BatchFrame;
  t.deepEqual([...f.labels!], [0, 2 ** 31 - 1]);
});

test('split is "train" when absent and "test" when said; any other value is refused naming it', (t) => {
  t.is((accepts(t, frameWith(batchFields(), batchTensors(1, 1))) as BatchFrame).split, 'train');
  t.is((accepts(t, frameWith(batchFields({ split: 'test' }), batchTensors(1, 1))) as BatchFrame).split, 'test');
  for (const bad of ['val', 'Test', 'TRAIN', '', 1]) rejects(t, frameWith(batchFields({ split: bad }), batchTensors(1, 1)), 'bad_field', "'split'", JSON.stringify(bad));
});

test('fault: the Node producer refused a name the monitor takes (128 emoji); both now count characters', (t) => {
  const run = '\u{1F600}'.repeat(128);
  t.true(isProtocolName(run));
  t.false(isProtocolName(`${run}a`));
  t.false(isProtocolName(''));
  // The producer's frame builders hold names to that rule.
  t.notThrows(() => helloFrame({ run: 'r', producer: '0', seq: 0 }, { layer: run, dim: 1 }));
  t.is(accepts(t, header({ type: 'end', run, seq: 0 })).run, run);
});

test('fault: the Node producer took names the monitor refuses (a bidi override, a lone surrogate); both now use one rule', (t) => {
  for (const run of ['abc\u202e', 'a\u2028b', 'x\ud800']) {
    t.false(isProtocolName(run), JSON.stringify(run));
    t.throws(() => helloFrame({ run: 'r', producer: '0', seq: 0 }, { layer: run, dim: 1 }), { message: /hello: layer must be 1-128 printable characters/ });
    rejects(t, header({ type: 'end', run, seq: 0 }), 'bad_field', "'run'");
  }
});
