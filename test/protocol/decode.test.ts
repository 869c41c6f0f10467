import test, { type ExecutionContext } from 'ava';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { BatchFrame, EpochEndFrame, HelloFrame, MetricsFrame, Reject } from '../../src/protocol/types.js';
import { batchFields, batchTensors, bytesOf, frameWith, rawFrame, withTensor, withoutTensor, type RawTensor } from './frame-helpers.js';
import { accepts, rejects } from './decode-asserts.js';

/** The reject names the frame as far as its header could be read. */
function identifies(t: ExecutionContext, r: Reject, run: string, producer: string, seq: number): void {
  t.is(r.run, run);
  t.is(r.producer, producer);
  t.is(r.seq, seq);
}

const hello = (over: Record<string, unknown> = {}): Buffer => frameWith({ type: 'hello', run: 'r', producer: 'p', seq: 0, layer: 'fc', dim: 4, ...over });
const batch = (over: Record<string, unknown> = {}, tensors: RawTensor[] = batchTensors(3, 4)): Buffer => frameWith(batchFields(over), tensors);

// ---------------------------------------------------------------- preamble

test('a frame shorter than the preamble is rejected as too_short', (t) => {
  rejects(t, Buffer.from('SCAM\x01'), 'too_short', '5 bytes', 'preamble');
  rejects(t, new Uint8Array(0), 'too_short', '0 bytes');
});

test('bad magic is rejected and named', (t) => {
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { magic: 'SCAN' }), 'bad_magic', 'magic', 'SCAM');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { magic: 'scam' }), 'bad_magic');
});

test('an unsupported version is rejected with the version number', (t) => {
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { version: 2 }), 'bad_version', 'version 2');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { version: 0 }), 'bad_version', 'version 0');
});

test('non-zero reserved bytes are rejected', (t) => {
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { reserved: [0, 1, 0] }), 'bad_header', 'reserved');
});

test('a header length past the end of the frame is rejected', (t) => {
  const r = rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { headerLength: 1000 }), 'bad_header', 'header length 1000');
  t.is(r.run, undefined, 'nothing of the header could be read, so nothing is claimed about the frame');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 0 }, [], undefined, { headerLength: 0xffffffff }), 'bad_header', 'header length 4294967295');
});

// ---------------------------------------------------------------- header is not a JSON object

test('a header that is not a JSON object is rejected: array, number, string, null', (t) => {
  for (const text of ['[1,2,3]', '42', '"hello"', 'null', 'true']) {
    rejects(t, rawFrame(text), 'bad_header', 'not a JSON object');
  }
});

test('a header that is not valid UTF-8 is rejected', (t) => {
  const bytes = Buffer.concat([Buffer.from('{"type":"end","run":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","seq":0}')]);
  rejects(t, rawFrame(bytes), 'bad_header', 'UTF-8');
});

test('a truncated or malformed JSON header is rejected', (t) => {
  rejects(t, rawFrame('{"type":"end","run":"r","se'), 'bad_header', 'JSON');
  rejects(t, rawFrame(''), 'bad_header', 'JSON');
  rejects(t, rawFrame("{'type':'end'}"), 'bad_header', 'JSON');
  // A header length cut short of the JSON's end truncates the object even though the bytes are there.
  const full = '{"type":"end","run":"r","seq":0}';
  rejects(t, rawFrame(full, new Uint8Array(0), { headerLength: full.length - 3 }), 'bad_header', 'JSON');
});

// ---------------------------------------------------------------- common fields

test('type missing, unknown or ill-typed is rejected and named', (t) => {
  const r1 = rejects(t, frameWith({ run: 'r', producer: 'p', seq: 4 }), 'bad_field', "'type'");
  identifies(t, r1, 'r', 'p', 4);
  rejects(t, frameWith({ type: 'hullo', run: 'r', seq: 0 }), 'bad_field', "'type'", 'hullo');
  rejects(t, frameWith({ type: 7, run: 'r', seq: 0 }), 'bad_field', "'type'");
  rejects(t, frameWith({ type: ['end'], run: 'r', seq: 0 }), 'bad_field', "'type'");
});

test('run missing, empty, too long, with control characters or not a string is rejected', (t) => {
  rejects(t, frameWith({ type: 'end', seq: 0 }), 'bad_field', "'run'");
  rejects(t, frameWith({ type: 'end', run: '', seq: 0 }), 'bad_field', "'run'", '1-128');
  const long = 'x'.repeat(129);
  rejects(t, frameWith({ type: 'end', run: long, seq: 0 }), 'bad_field', "'run'", '129');
  t.true(decodeFrame(frameWith({ type: 'end', run: 'x'.repeat(128), seq: 0 })).ok, '128 characters is the limit, allowed');
  for (const bad of ['a\u0007b', 'tab\there', 'nl\n', 'esc\u001b[31m', 'del\u007f', 'c1\u009b']) {
    const r = rejects(t, frameWith({ type: 'end', run: bad, producer: 'p', seq: 2 }), 'bad_field', "'run'", 'control');
    t.is(r.producer, 'p');
    t.is(r.seq, 2);
  }
  rejects(t, frameWith({ type: 'end', run: 5, seq: 0 }), 'bad_field', "'run'", 'string');
});

test('producer defaults to "0"; an ill-typed producer is rejected', (t) => {
  const f = accepts(t, frameWith({ type: 'end', run: 'r', seq: 0 }));
  t.is(f.producer, '0');
  const r = rejects(t, frameWith({ type: 'end', run: 'r', producer: 3, seq: 9 }), 'bad_field', "'producer'", 'string');
  t.is(r.run, 'r');
  t.is(r.seq, 9);
  rejects(t, frameWith({ type: 'end', run: 'r', producer: '', seq: 0 }), 'bad_field', "'producer'");
});

test('seq missing, negative, fractional or a string is rejected', (t) => {
  const missing = rejects(t, frameWith({ type: 'end', run: 'r', producer: 'p' }), 'bad_field', "missing 'seq'");
  t.is(missing.run, 'r');
  t.is(missing.producer, 'p');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: -1 }), 'bad_field', "'seq'", '-1');
  const frac = rejects(t, frameWith({ type: 'end', run: 'r', seq: 1.5 }), 'bad_field', "'seq'", '1.5');
  t.is(frac.seq, undefined, 'a fractional seq is not claimed as the frame seq');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: '3' }), 'bad_field', "'seq'", '"3"');
  rejects(t, frameWith({ type: 'end', run: 'r', seq: 2 ** 60 }), 'bad_field', "'seq'");
});

test('epoch missing, negative, fractional or ill-typed is rejected, naming run/producer/seq', (t) => {
  for (const type of ['batch', 'epoch_end', 'metrics']) {
    const base: Record<string, unknown> = { type, run: 'run-e', producer: '2', seq: 11, values: {} };
    const tensors = type === 'batch' ? batchTensors(2, 3) : [];
    const r = rejects(t, frameWith(base, tensors), 'bad_field', "'epoch'");
    identifies(t, r, 'run-e', '2', 11);
    rejects(t, frameWith({ ...base, epoch: -1 }, tensors), 'bad_field', "'epoch'", '-1');
    rejects(t, frameWith({ ...base, epoch: 0.5 }, tensors), 'bad_field', "'epoch'", '0.5');
    rejects(t, frameWith({ ...base, epoch: '1' }, tensors), 'bad_field', "'epoch'");
  }
});

test('hello: dim missing, zero, fractional or a string is rejected; layer is required', (t) => {
  const r = rejects(t, frameWith({ type: 'hello', run: 'r', producer: 'p', seq: 0, layer: 'fc' }), 'bad_field', "'dim'");
  identifies(t, r, 'r', 'p', 0);
  rejects(t, hello({ dim: 0 }), 'bad_field', "'dim'", '>= 1');
  rejects(t, hello({ dim: 2.5 }), 'bad_field', "'dim'");
  rejects(t, hello({ dim: '4' }), 'bad_field', "'dim'");
  rejects(t, hello({ layer: undefined }), 'bad_field', "'layer'");
  rejects(t, hello({ layer: '' }), 'bad_field', "'layer'");
});

test('hello: classes must be an array of strings; model a string', (t) => {
  rejects(t, hello({ classes: 'cat,dog' }), 'bad_field', "'classes'");
  rejects(t, hello({ classes: [0, 1] }), 'bad_field', "'classes'");
  rejects(t, hello({ model: 3 }), 'bad_field', "'model'");
});

test('batch: split other than train/test is rejected', (t) => {
  const r = rejects(t, batch({ split: 'val' }), 'bad_field', "'split'", 'val');
  identifies(t, r, 'r', 'p', 3);
  rejects(t, batch({ split: 1 }), 'bad_field', "'split'");
});

// ---------------------------------------------------------------- tensor specs

test('a tensor that lies outside the body is rejected', (t) => {
  const [x, id] = batchTensors(3, 4);
  // Body cut short: the id tensor's last bytes are not there.
  const r = rejects(t, frameWith(batchFields(), [x!, id!], x!.bytes.length + 4), 'bad_tensor', "tensor 'id'", 'outside');
  identifies(t, r, 'r', 'p', 3);
  // An offset far past the end.
  rejects(t, frameWith(batchFields(), [x!, { ...id!, offset: 1_000_000 }], 200), 'bad_tensor', "tensor 'id'", 'outside');
  // A frame with no body at all.
  rejects(t, rawFrame(JSON.stringify({ ...batchFields(), tensors: [{ name: 'x', dtype: 'float32', shape: [1, 1], offset: 0, nbytes: 4 }] })), 'bad_tensor', 'outside', '0-byte body');
});

test('a shape that does not match nbytes is rejected', (t) => {
  const [x, id] = batchTensors(3, 4);
  const r = rejects(t, frameWith(batchFields(), [{ ...x!, shape: [3, 5] }, id!]), 'bad_tensor', "tensor 'x'", 'nbytes');
  identifies(t, r, 'r', 'p', 3);
  rejects(t, frameWith(batchFields(), [{ ...x!, nbytes: 47 }, id!], 200), 'bad_tensor', "tensor 'x'", '48 bytes', 'nbytes says 47');
  // float64 claimed for float32 bytes: shape [3,4] of float64 is 96 bytes, nbytes 48.
  rejects(t, frameWith(batchFields(), [{ ...x!, dtype: 'float64' }, id!]), 'bad_tensor', 'float64', '96 bytes');
});

test('an unknown dtype is rejected and named', (t) => {
  const [x, id] = batchTensors(2, 2);
  rejects(t, frameWith(batchFields(), [{ ...x!, dtype: 'bfloat16' }, id!]), 'bad_tensor', 'unknown dtype', 'bfloat16');
  rejects(t, frameWith(batchFields(), [{ ...x!, dtype: '<f4' }, id!]), 'bad_tensor', 'unknown dtype');
  rejects(t, frameWith(batchFields(), [x!, { ...id!, dtype: 7 }]), 'bad_tensor', "tensor 'id'", 'unknown dtype');
});

test('malformed tensor specs are rejected: not an array, not objects, no name, twice, bad shape/offset', (t) => {
  rejects(t, rawFrame(JSON.stringify({ ...batchFields(), tensors: {} })), 'bad_tensor', "'tensors' must be an array");
  rejects(t, rawFrame(JSON.stringify({ ...batchFields(), tensors: [5] })), 'bad_tensor', 'tensors[0]', 'object');
  rejects(t, rawFrame(JSON.stringify({ ...batchFields(), tensors: [{ dtype: 'uint8', shape: [0], offset: 0, nbytes: 0 }] })), 'bad_tensor', 'tensors[0].name');
  const [x, id] = batchTensors(2, 2);
  rejects(t, frameWith(batchFields(), [x!, id!, { ...id!, offset: 0 }]), 'bad_tensor', "tensor 'id'", 'twice');
  rejects(t, frameWith(batchFields(), [{ ...x!, shape: [2, -2] }, id!]), 'bad_tensor', 'shape');
  rejects(t, frameWith(batchFields(), [{ ...x!, shape: [2, 2.5] }, id!]), 'bad_tensor', 'shape');
  rejects(t, frameWith(batchFields(), [{ ...x!, shape: '2x2' }, id!]), 'bad_tensor', 'shape');
  rejects(t, frameWith(batchFields(), [{ ...x!, offset: -4 }, id!]), 'bad_tensor', 'offset');
});

test('batch: x missing, not 2-D, or not a float dtype is rejected', (t) => {
  const tensors = batchTensors(3, 4);
  rejects(t, frameWith(batchFields(), withoutTensor(tensors, 'x')), 'bad_tensor', "no tensor 'x'");
  const flat = bytesOf('float32', Array.from({ length: 12 }, (_, i) => i));
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'x', dtype: 'float32', shape: [12], bytes: flat })), 'bad_tensor', "tensor 'x'", '[n, D]', 'shape [12]');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'x', dtype: 'float32', shape: [3, 2, 2], bytes: flat })), 'bad_tensor', "tensor 'x'", 'shape [3, 2, 2]');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'x', dtype: 'int32', shape: [3, 4], bytes: bytesOf('int32', Array(12).fill(1)) })), 'bad_tensor', "tensor 'x'", 'int32');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'x', dtype: 'float32', shape: [3, 0], bytes: new Uint8Array(0) })), 'bad_tensor', 'zero columns');
});

test('batch: id missing, of the wrong length, rank or dtype is rejected', (t) => {
  const tensors = batchTensors(3, 4);
  const r = rejects(t, frameWith(batchFields(), withoutTensor(tensors, 'id')), 'bad_tensor', "no tensor 'id'");
  identifies(t, r, 'r', 'p', 3);
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'id', dtype: 'int32', shape: [2], bytes: bytesOf('int32', [0, 1]) })), 'bad_tensor', "tensor 'id'", '2 rows', 'x has 3');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'id', dtype: 'int32', shape: [4], bytes: bytesOf('int32', [0, 1, 2, 3]) })), 'bad_tensor', "tensor 'id'", '4 rows');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'id', dtype: 'int32', shape: [3, 1], bytes: bytesOf('int32', [0, 1, 2]) })), 'bad_tensor', "tensor 'id'", '[n]');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'id', dtype: 'float32', shape: [3], bytes: bytesOf('float32', [0, 1, 2]) })), 'bad_tensor', "tensor 'id'", 'float32');
  rejects(t, frameWith(batchFields(), withTensor(tensors, { name: 'id', dtype: 'uint8', shape: [3], bytes: bytesOf('uint8', [0, 1, 2]) })), 'bad_tensor', "tensor 'id'", 'uint8');
});

// ---------------------------------------------------------------- values

test('NaN or Inf in x is rejected as non_finite, with its position', (t) => {
  const cases: [string, number[]][] = [
    ['float32', [0, 1, 2, 3, 4, NaN]],
    ['float64', [0, 1, 2, Infinity, 4, 5]],
    ['float16', [0, 1, 2, 3, -Infinity, 5]],
    ['float16', [NaN, 1, 2, 3, 4, 5]],
  ];
  const where = ['row 2, column 1', 'row 1, column 1', 'row 2, column 0', 'row 0, column 0'];
  cases.forEach(([dtype, values], i) => {
    const x = { name: 'x', dtype, shape: [3, 2], bytes: bytesOf(dtype as 'float32', values) };
    const r = rejects(t, frameWith(batchFields(), withTensor(batchTensors(3, 2), x)), 'non_finite', 'NaN/Inf', '1 ', where[i]!);
    identifies(t, r, 'r', 'p', 3);
  });
  // float64 values too large for float32 become Infinity once converted: also non-finite.
  const big = { name: 'x', dtype: 'float64', shape: [1, 2], bytes: bytesOf('float64', [1e300, 0]) };
  rejects(t, frameWith(batchFields(), withTensor(batchTensors(1, 2), big)), 'non_finite');
  const many = { name: 'x', dtype: 'float32', shape: [2, 2], bytes: bytesOf('float32', [NaN, NaN, 1, Infinity]) };
  rejects(t, frameWith(batchFields(), withTensor(batchTensors(2, 2), many)), 'non_finite', 'x has 3 NaN/Inf');
});

test('duplicate ids within one batch are rejected, naming the id', (t) => {
  const ids = { name: 'id', dtype: 'int32', shape: [4], bytes: bytesOf('int32', [7, 8, 9, 8]) };
  const r = rejects(t, frameWith(batchFields(), withTensor(batchTensors(4, 2), ids)), 'duplicate_id', 'id 8', 'twice');
  identifies(t, r, 'r', 'p', 3);
  const big = { name: 'id', dtype: 'int64', shape: [2], bytes: bytesOf('int64', [2n ** 40n, 2n ** 40n]) };
  rejects(t, frameWith(batchFields(), withTensor(batchTensors(2, 2), big)), 'duplicate_id', `id ${2 ** 40}`);
});

test('negative labels and predictions are rejected; so are non-integer or misshapen ones', (t) => {
  const base = batchTensors(3, 2);
  const r = rejects(t, frameWith(batchFields(), [...base, { name: 'label', dtype: 'int32', shape: [3], bytes: bytesOf('int32', [0, -1, 2]) }]), 'bad_label', 'label[1] = -1');
  identifies(t, r, 'r', 'p', 3);
  rejects(t, frameWith(batchFields(), [...base, { name: 'pred', dtype: 'int64', shape: [3], bytes: bytesOf('int64', [0, 1, -5]) }]), 'bad_label', 'pred[2] = -5');
  rejects(t, frameWith(batchFields(), [...base, { name: 'label', dtype: 'uint32', shape: [3], bytes: bytesOf('uint32', [0, 0xffffffff, 1]) }]), 'bad_label', 'label[1]');
  rejects(t, frameWith(batchFields(), [...base, { name: 'label', dtype: 'float32', shape: [3], bytes: bytesOf('float32', [0, 1, 2]) }]), 'bad_tensor', "tensor 'label'", 'integer dtype');
  rejects(t, frameWith(batchFields(), [...base, { name: 'label', dtype: 'int32', shape: [2], bytes: bytesOf('int32', [0, 1]) }]), 'bad_tensor', "tensor 'label'", '2 rows');
  rejects(t, frameWith(batchFields(), [...base, { name: 'pred', dtype: 'int32', shape: [1, 3], bytes: bytesOf('int32', [0, 1, 2]) }]), 'bad_tensor', "tensor 'pred'", '[n]');
});

test('epoch_end: head_weight without head_bias (and the reverse) is rejected', (t) => {
  const fields = { type: 'epoch_end', run: 'r', producer: 'p', seq: 5, epoch: 1 };
  const w = { name: 'head_weight', dtype: 'float32', shape: [2, 3], bytes: bytesOf('float32', [1, 2, 3, 4, 5, 6]) };
  const b = { name: 'head_bias', dtype: 'float32', shape: [2], bytes: bytesOf('float32', [0, 1]) };
  const r = rejects(t, frameWith(fields, [w]), 'bad_tensor', 'head_weight and head_bias', 'together');
  identifies(t, r, 'r', 'p', 5);
  rejects(t, frameWith(fields, [b]), 'bad_tensor', 'together');
  const f = accepts(t, frameWith(fields, [w, b])) as EpochEndFrame;
  t.deepEqual(f.head, { classes: 2, dim: 3, weight: Float32Array.of(1, 2, 3, 4, 5, 6), bias: Float32Array.of(0, 1) });
});

test('epoch_end: head tensors of the wrong shape, dtype or with NaN are rejected', (t) => {
  const fields = { type: 'epoch_end', run: 'r', producer: 'p', seq: 5, epoch: 1 };
  const w = { name: 'head_weight', dtype: 'float32', shape: [2, 3], bytes: bytesOf('float32', [1, 2, 3, 4, 5, 6]) };
  const b = { name: 'head_bias', dtype: 'float32', shape: [2], bytes: bytesOf('float32', [0, 1]) };
  rejects(t, frameWith(fields, [{ ...w, shape: [6] }, b]), 'bad_tensor', "tensor 'head_weight'", '[C, D]');
  rejects(t, frameWith(fields, [w, { ...b, shape: [1, 2] }]), 'bad_tensor', "tensor 'head_bias'", '[C]');
  rejects(t, frameWith(fields, [w, { ...b, shape: [1], bytes: bytesOf('float32', [0]) }]), 'bad_tensor', 'head_bias has 1', 'head_weight has 2');
  rejects(t, frameWith(fields, [{ ...w, shape: [3, 2] }, b]), 'bad_tensor', 'head_bias has 2', 'head_weight has 3');
  rejects(t, frameWith(fields, [{ ...w, dtype: 'float64', bytes: bytesOf('float64', [1, 2, 3, 4, 5, 6]) }, b]), 'bad_tensor', 'float32');
  rejects(t, frameWith(fields, [{ ...w, shape: [0, 3], bytes: new Uint8Array(0) }, { ...b, shape: [0], bytes: new Uint8Array(0) }]), 'bad_tensor', 'empty');
  rejects(t, frameWith(fields, [{ ...w, bytes: bytesOf('float32', [1, 2, NaN, 4, 5, 6]) }, b]), 'non_finite', 'head');
  rejects(t, frameWith(fields, [w, { ...b, bytes: bytesOf('float32', [Infinity, 1]) }]), 'non_finite', 'head');
});

test('metrics: values that are not numbers are rejected; "nan"/"inf" strings and null as non_finite', (t) => {
  const m = (values: unknown): Buffer => frameWith({ type: 'metrics', run: 'r', producer: 'p', seq: 8, epoch: 2, values });
  const r = rejects(t, m({ loss: 'low' }), 'bad_field', "metric 'loss'", 'number', 'low');
  identifies(t, r, 'r', 'p', 8);
  rejects(t, m({ loss: true }), 'bad_field', "metric 'loss'");
  rejects(t, m({ loss: [1] }), 'bad_field', "metric 'loss'");
  rejects(t, m({ loss: { v: 1 } }), 'bad_field', "metric 'loss'");
  rejects(t, m({ loss: '0.5' }), 'bad_field', "metric 'loss'", 'must be a number');
  for (const s of ['nan', 'NaN', 'inf', '-inf', 'Infinity', '+inf']) {
    const n = rejects(t, m({ acc: 0.5, loss: s }), 'non_finite', "metric 'loss'", s);
    identifies(t, n, 'r', 'p', 8);
  }
  rejects(t, m({ loss: null }), 'non_finite', "metric 'loss'", 'null');
  rejects(t, m([1, 2]), 'bad_field', "'values'");
  rejects(t, m('loss=1'), 'bad_field', "'values'");
  rejects(t, frameWith({ type: 'metrics', run: 'r', seq: 8, epoch: 2 }), 'bad_field', "'values'");
  rejects(t, m({ '': 1 }), 'bad_field', 'metric name');
  rejects(t, m({ 'lo\u001bss': 1 }), 'bad_field', 'metric name');
  rejects(t, frameWith({ type: 'metrics', run: 'r', seq: 8, epoch: 2, step: -3, values: {} }), 'bad_field', "'step'");
});

// ---------------------------------------------------------------- acceptance

test('x in float16, float32 and float64 is converted to float32 correctly', (t) => {
  // Values exact in float16: the conversion must be exact too.
  const half = [0, -0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1 + 2 ** -10, 3.140625, 1000];
  const f16 = accepts(t, frameWith(batchFields(), withTensor(batchTensors(6, 2), { name: 'x', dtype: 'float16', shape: [6, 2], bytes: bytesOf('float16', half) }))) as BatchFrame;
  t.deepEqual([...f16.x], half);
  t.true(Object.is(f16.x[1], -0), 'negative zero survives float16 decoding');
  // float16 rounds to nearest: 0.1 -> 0.0999755859375.
  const rounded = accepts(t, frameWith(batchFields(), withTensor(batchTensors(1, 1), { name: 'x', dtype: 'float16', shape: [1, 1], bytes: bytesOf('float16', [0.1]) }))) as BatchFrame;
  t.is(rounded.x[0], 0.0999755859375);

  const f64values = [0.1, -1e-3, 123456.789, 1e30, -3.5, 2 ** -149];
  const f64 = accepts(t, frameWith(batchFields(), withTensor(batchTensors(3, 2), { name: 'x', dtype: 'float64', shape: [3, 2], bytes: bytesOf('float64', f64values) }))) as BatchFrame;
  t.true(f64.x instanceof Float32Array);
  t.deepEqual([...f64.x], f64values.map(Math.fround));

  const f32values = [1.5, -2.25, 3e-38, 7, 8, 9];
  const f32 = accepts(t, frameWith(batchFields(), withTensor(batchTensors(2, 3), { name: 'x', dtype: 'float32', shape: [2, 3], bytes: bytesOf('float32', f32values) }))) as BatchFrame;
  t.deepEqual([...f32.x], f32values.map(Math.fround));
  t.like(f32, { n: 2, dim: 3 });
});

test('ids in int32, int64 and uint32 are read exactly', (t) => {
  const x = (n: number): RawTensor => ({ name: 'x', dtype: 'float32', shape: [n, 1], bytes: bytesOf('float32', Array(n).fill(1)) });
  const cases: [string, (number | bigint)[], number[]][] = [
    ['int32', [-2147483648, -1, 0, 2147483647], [-2147483648, -1, 0, 2147483647]],
    ['uint32', [0, 2147483648, 4294967295], [0, 2147483648, 4294967295]],
    ['int64', [0n, -1n, 2n ** 32n, 2n ** 40n + 3n, -(2n ** 45n), 2n ** 53n - 1n, -(2n ** 53n - 1n)], [0, -1, 2 ** 32, 2 ** 40 + 3, -(2 ** 45), 2 ** 53 - 1, -(2 ** 53 - 1)]],
  ];
  for (const [dtype, values, expected] of cases) {
    const n = values.length;
    const f = accepts(t, frameWith(batchFields(), [x(n), { name: 'id', dtype, shape: [n], bytes: bytesOf(dtype as 'int64', values) }])) as BatchFrame;
    t.deepEqual([...f.ids], expected, dtype);
  }
});

test('int64 ids beyond +-2^53 are rejected', (t) => {
  const x: RawTensor = { name: 'x', dtype: 'float32', shape: [2, 1], bytes: bytesOf('float32', [1, 2]) };
  for (const big of [2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, -(2n ** 53n) - 1n, -(2n ** 63n)]) {
    const r = rejects(t, frameWith(batchFields(), [x, { name: 'id', dtype: 'int64', shape: [2], bytes: bytesOf('int64', [0n, big]) }]), 'bad_tensor', "tensor 'id'[1]", '2^53');
    identifies(t, r, 'r', 'p', 3);
  }
});

test('labels and predictions in uint8, int32, int64 and uint32 are accepted', (t) => {
  for (const dtype of ['uint8', 'int32', 'int64', 'uint32'] as const) {
    const f = accepts(t, frameWith(batchFields(), [
      ...batchTensors(4, 2),
      { name: 'label', dtype, shape: [4], bytes: bytesOf(dtype, [0, 9, 3, 255]) },
      { name: 'pred', dtype, shape: [4], bytes: bytesOf(dtype, [1, 9, 3, 0]) },
    ])) as BatchFrame;
    t.deepEqual([...f.labels!], [0, 9, 3, 255], dtype);
    t.deepEqual([...f.preds!], [1, 9, 3, 0], dtype);
    t.true(f.labels instanceof Int32Array);
  }
});

test('padding bytes that no tensor covers are allowed, anywhere in the body', (t) => {
  const [x, id] = batchTensors(2, 3);
  // 5 bytes of garbage first, 3 between, 11 after; and ids placed before x.
  const f = accepts(t, frameWith(batchFields(), [{ ...id!, offset: 5 }, { ...x!, offset: 5 + id!.bytes.length + 3 }], 5 + id!.bytes.length + 3 + x!.bytes.length + 11)) as BatchFrame;
  t.deepEqual([...f.x], [0, 0.1, 0.2, 1, 1.1, 1.2].map(Math.fround));
  t.deepEqual([...f.ids], [0, 1]);
  // A body of only padding for a frame with no tensors.
  t.is(accepts(t, rawFrame(JSON.stringify({ type: 'end', run: 'r', seq: 1 }), new Uint8Array(64).fill(0xee))).type, 'end');
  // Trailing whitespace inside the header (what encodeFrame uses for alignment) is fine too.
  t.is(accepts(t, rawFrame(`${JSON.stringify({ type: 'end', run: 'r', seq: 1 })}     \n`)).type, 'end');
});

test('misaligned tensor offsets are read correctly for every dtype', (t) => {
  const values = [1.5, -2.5, 3.25, 4, 5, 6];
  for (const dtype of ['float16', 'float32', 'float64'] as const) {
    for (const offset of [1, 2, 3, 5, 7]) {
      const xt: RawTensor = { name: 'x', dtype, shape: [3, 2], bytes: bytesOf(dtype, values), offset };
      const idt: RawTensor = { name: 'id', dtype: 'int64', shape: [3], bytes: bytesOf('int64', [2n ** 33n, 5n, -7n]), offset: offset + xt.bytes.length + 1 };
      const lt: RawTensor = { name: 'label', dtype: 'uint32', shape: [3], bytes: bytesOf('uint32', [1, 2, 3]), offset: offset + xt.bytes.length + 1 + 24 + 3 };
      // The whole frame is also shifted inside a bigger buffer, so the byteOffset of the input is odd.
      const frame = frameWith(batchFields(), [xt, idt, lt]);
      const shifted = new Uint8Array(frame.length + 1);
      shifted.set(frame, 1);
      const f = accepts(t, shifted.subarray(1)) as BatchFrame;
      t.deepEqual([...f.x], values, `${dtype} at ${offset}`);
      t.deepEqual([...f.ids], [2 ** 33, 5, -7]);
      t.deepEqual([...f.labels!], [1, 2, 3]);
    }
  }
});

test('a batch with zero rows decodes (n = 0)', (t) => {
  const f = accepts(t, frameWith(batchFields(), [
    { name: 'x', dtype: 'float32', shape: [0, 4], bytes: new Uint8Array(0) },
    { name: 'id', dtype: 'int32', shape: [0], bytes: new Uint8Array(0) },
  ])) as BatchFrame;
  t.like(f, { n: 0, dim: 4 });
});

test('unknown extra header fields and unknown extra tensors are ignored', (t) => {
  const f = accepts(t, frameWith(batchFields({ future_field: { a: 1 } }), [...batchTensors(2, 2), { name: 'mask', dtype: 'uint8', shape: [2], bytes: Uint8Array.of(1, 0) }])) as BatchFrame;
  t.like(f, { n: 2, dim: 2, epoch: 0, split: 'train' });
});

test('every frame type round-trips through encodeFrame', (t) => {
  const id = { run: 'run/α β', producer: 'rank-3', seq: 17 };
  const h = accepts(t, encodeFrame({ type: 'hello', ...id, layer: 'fc2', dim: 3, classes: ['cat', 'dog', 'ünïcode'], model: 'resnet' })) as HelloFrame;
  t.deepEqual(h, { type: 'hello', ...id, layer: 'fc2', dim: 3, classes: ['cat', 'dog', 'ünïcode'], model: 'resnet' });
  const bare = accepts(t, encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: 1 })) as HelloFrame;
  t.deepEqual(bare, { type: 'hello', run: 'r', producer: '0', seq: 0, layer: 'l', dim: 1, classes: undefined, model: undefined });

  const x = Float32Array.of(1, 2, 3, 4, 5, 6);
  const b = accepts(t, encodeFrame({ type: 'batch', ...id, epoch: 4, split: 'test' }, {
    x: { dtype: 'float32', shape: [2, 3], data: x },
    id: { dtype: 'int64', shape: [2], data: BigInt64Array.of(2n ** 40n, 9n) },
    label: { dtype: 'uint8', shape: [2], data: Uint8Array.of(2, 0) },
    pred: { dtype: 'int32', shape: [2], data: Int32Array.of(1, 0) },
  })) as BatchFrame;
  t.like(b, { type: 'batch', ...id, epoch: 4, split: 'test', n: 2, dim: 3 });
  t.deepEqual([...b.x], [...x]);
  t.deepEqual([...b.ids], [2 ** 40, 9]);
  t.deepEqual([...b.labels!], [2, 0]);
  t.deepEqual([...b.preds!], [1, 0]);
  const defaultSplit = accepts(t, encodeFrame({ type: 'batch', ...id, epoch: 0 }, { x: { dtype: 'float32', shape: [1, 1], data: Float32Array.of(0) }, id: { dtype: 'int32', shape: [1], data: Int32Array.of(0) } })) as BatchFrame;
  t.is(defaultSplit.split, 'train');
  t.is(defaultSplit.labels, undefined);

  const e = accepts(t, encodeFrame({ type: 'epoch_end', ...id, epoch: 4 }, {
    head_weight: { dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 0, 0, 0, 1, 0) },
    head_bias: { dtype: 'float32', shape: [2], data: Float32Array.of(0.5, -0.5) },
  })) as EpochEndFrame;
  t.deepEqual(e, { type: 'epoch_end', ...id, epoch: 4, head: { classes: 2, dim: 3, weight: Float32Array.of(1, 0, 0, 0, 1, 0), bias: Float32Array.of(0.5, -0.5) } });
  t.deepEqual(accepts(t, encodeFrame({ type: 'epoch_end', ...id, epoch: 0 })), { type: 'epoch_end', ...id, epoch: 0, head: undefined });

  const m = accepts(t, encodeFrame({ type: 'metrics', ...id, epoch: 4, step: 1200, values: { train_loss: 0.7, val_acc: 0.71, lr: 1e-3, neg: -2 } })) as MetricsFrame;
  t.deepEqual(m, { type: 'metrics', ...id, epoch: 4, step: 1200, values: { train_loss: 0.7, val_acc: 0.71, lr: 1e-3, neg: -2 } });
  t.deepEqual(accepts(t, encodeFrame({ type: 'end', ...id })), { type: 'end', ...id });
});

test('encodeFrame refuses a tensor whose data does not match its shape', (t) => {
  t.throws(() => encodeFrame({ type: 'batch' }, { x: { dtype: 'float32', shape: [2, 2], data: new Float32Array(3) } }), { message: /tensor 'x'.*16 bytes.*12/ });
});

test('encodeFrame output is 8-byte aligned and decodes with views, not copies, for float32 x', (t) => {
  const frame = encodeFrame({ type: 'batch', run: 'r', seq: 0, epoch: 0 }, {
    x: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
    id: { dtype: 'int32', shape: [2], data: Int32Array.of(0, 1) },
  });
  const headerLength = frame.readUInt32LE(8);
  t.is((12 + headerLength) % 8, 0);
  const f = accepts(t, frame) as BatchFrame;
  t.is(f.x.buffer, frame.buffer, 'aligned float32 x is a view into the received bytes');
});

test('the finiteness check neither misses a NaN/Inf anywhere nor flags huge finite values', (t) => {
  const maxF32 = 3.4028234663852886e38;
  // Sums of many float32 maxima overflow float32 but not the check: all accepted.
  const huge = Array.from({ length: 4001 }, (_, i) => (i % 3 === 0 ? -maxF32 : maxF32));
  t.true(decodeFrame(frameWith(batchFields(), withTensor(batchTensors(4001, 1), { name: 'x', dtype: 'float32', shape: [4001, 1], bytes: bytesOf('float32', huge) }))).ok);
  // A single bad value at every position of a 7-element x (covers the unrolled loop and its tail).
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (let pos = 0; pos < 7; pos++) {
      const values = [1, 2, 3, 4, 5, 6, 7];
      values[pos] = bad;
      const r = decodeFrame(frameWith(batchFields(), withTensor(batchTensors(7, 1), { name: 'x', dtype: 'float32', shape: [7, 1], bytes: bytesOf('float32', values) })));
      t.false(r.ok, `${bad} at ${pos}`);
      if (!r.ok) t.regex(r.reject.reason, new RegExp(`first at row ${pos}, column 0`));
    }
  }
  // +Inf and -Inf together (their sum is NaN, still caught).
  const both = decodeFrame(frameWith(batchFields(), withTensor(batchTensors(2, 1), { name: 'x', dtype: 'float32', shape: [2, 1], bytes: bytesOf('float32', [Infinity, -Infinity]) })));
  t.false(both.ok);
});
