/**
 * Property-based fuzzing of the decoder and of ingest (seeded, bounded): thousands of mutated frames
 * never crash anything, every bad frame is rejected with a reason, and a valid run interleaved with
 * the garbage is assembled exactly as if the garbage had not been there.
 */
import test from 'ava';
import fc from 'fast-check';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame, PREAMBLE_BYTES } from '../../src/protocol/encode.js';
import type { DecodeResult, RejectCode } from '../../src/protocol/types.js';
import { Ingest } from '../../src/ingest/ingest.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import { Pipeline } from '../../src/session/pipeline.js';
import type { EpochEvent, Event } from '../../src/model/events.js';
import { createRng } from '../../src/util/random.js';

const SEED = 20240611;
const CODES = new Set<RejectCode>(['too_short', 'bad_magic', 'bad_version', 'bad_header', 'bad_field', 'bad_tensor', 'non_finite', 'dim_mismatch', 'duplicate_id', 'bad_label', 'no_hello', 'stale_epoch']);
const DTYPES = ['float16', 'float32', 'float64', 'int32', 'int64', 'uint8', 'uint32'] as const;

// ------------------------------------------------------------------ templates

/** A valid frame of a small random shape (deterministic in `seed`). */
function template(kind: number, run: string, seq: number, seed: number): Buffer {
  const rng = createRng(seed);
  const n = 1 + rng.int(6);
  const dim = 1 + rng.int(5);
  const id = { run, producer: String(rng.int(3)), seq };
  switch (kind % 6) {
    case 0:
      return encodeFrame({ type: 'hello', ...id, layer: 'fc', dim, classes: ['a', 'b', 'c'], model: 'm' });
    case 1:
    case 2: {
      const xDtype = (['float16', 'float32', 'float64'] as const)[rng.int(3)]!;
      const values = Array.from({ length: n * dim }, () => rng.normal());
      const data = xDtype === 'float64' ? Float64Array.from(values) : xDtype === 'float32' ? Float32Array.from(values) : Uint16Array.from(values.map(() => rng.int(0x7c00)));
      const idDtype = (['int32', 'int64', 'uint32'] as const)[rng.int(3)]!;
      const ids = Array.from({ length: n }, (_, i) => i * 7 + rng.int(5));
      const idData = idDtype === 'int64' ? BigInt64Array.from(ids.map(BigInt)) : idDtype === 'int32' ? Int32Array.from(ids) : Uint32Array.from(ids);
      return encodeFrame({ type: 'batch', ...id, epoch: rng.int(4), split: rng.int(2) ? 'train' : 'test' }, {
        x: { dtype: xDtype, shape: [n, dim], data },
        id: { dtype: idDtype, shape: [n], data: idData },
        label: { dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, () => rng.int(3)) },
      });
    }
    case 3:
      return encodeFrame({ type: 'epoch_end', ...id, epoch: rng.int(4) }, {
        head_weight: { dtype: 'float32', shape: [3, dim], data: Float32Array.from({ length: 3 * dim }, () => rng.normal()) },
        head_bias: { dtype: 'float32', shape: [3], data: Float32Array.of(0, 1, 2) },
      });
    case 4:
      return encodeFrame({ type: 'metrics', ...id, epoch: rng.int(4), step: rng.int(100), values: { loss: rng.next(), acc: rng.next() } });
    default:
      return encodeFrame({ type: 'end', ...id });
  }
}

// ------------------------------------------------------------------ mutations

/** Splits a frame into its parsed header and its body; undefined when the header is not JSON. */
function splitFrame(buf: Buffer): { header: Record<string, unknown>; body: Buffer } | undefined {
  if (buf.length < PREAMBLE_BYTES) return undefined;
  const len = buf.readUInt32LE(8);
  try {
    return { header: JSON.parse(buf.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + len).toString('utf8')) as Record<string, unknown>, body: buf.subarray(PREAMBLE_BYTES + len) };
  } catch {
    return undefined;
  }
}

function joinFrame(header: unknown, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header) ?? 'null', 'utf8');
  const pre = Buffer.alloc(PREAMBLE_BYTES);
  pre.write('SCAM', 0, 'latin1');
  pre[4] = 1;
  pre.writeUInt32LE(json.length, 8);
  return Buffer.concat([pre, json, body]);
}

type Mutation = (buf: Buffer) => Buffer;

const HEADER_KEYS = ['type', 'run', 'producer', 'seq', 'epoch', 'split', 'layer', 'dim', 'classes', 'model', 'values', 'step', 'tensors'];
/** Values that sit on the edges of what the validator accepts. */
const EDGE_VALUES = [null, true, -1, 0, 1, 0.5, 2 ** 53, -(2 ** 53), 1e308, '', 'x'.repeat(129), '\u0007', 'nan', 'inf', [], {}, [1, 2], 'batch', 'hello', 'end', 'test'];

const jsonish = fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.jsonValue({ maxDepth: 2 }));

const bitFlips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map<Mutation>((flips) => (buf) => {
  const out = Buffer.from(buf);
  if (out.length === 0) return out;
  for (const [pos, bit] of flips) out[pos % out.length]! ^= 1 << bit;
  return out;
});

const truncation = fc.nat().map<Mutation>((cut) => (buf) => buf.subarray(0, cut % (buf.length + 1)));

const insertion = fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map<Mutation>(([pos, bytes]) => (buf) => {
  const at = pos % (buf.length + 1);
  return Buffer.concat([buf.subarray(0, at), bytes, buf.subarray(at)]);
});

const deletion = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 32 })).map<Mutation>(([pos, count]) => (buf) => {
  const at = pos % (buf.length + 1);
  return Buffer.concat([buf.subarray(0, at), buf.subarray(at + count)]);
});

/** Sets, deletes or replaces header fields (the frame stays well-formed JSON, so the validator is what is tested). */
const headerEdit = fc.array(fc.tuple(fc.constantFrom(...HEADER_KEYS, '__proto__', 'constructor'), fc.option(jsonish, { nil: undefined })), { minLength: 1, maxLength: 4 }).map<Mutation>((edits) => (buf) => {
  const parts = splitFrame(buf);
  if (!parts) return buf;
  const header: Record<string, unknown> = { ...parts.header };
  for (const [key, value] of edits) {
    if (value === undefined) delete header[key];
    else Object.defineProperty(header, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return joinFrame(header, parts.body);
});

/** The whole header replaced by an arbitrary JSON value. */
const headerReplace = jsonish.map<Mutation>((value) => (buf) => joinFrame(value, splitFrame(buf)?.body ?? Buffer.alloc(0)));

const tensorSpec = fc.record({
  name: fc.oneof(fc.constantFrom('x', 'id', 'label', 'pred', 'head_weight', 'head_bias'), fc.string({ maxLength: 4 })),
  dtype: fc.oneof(fc.constantFrom(...DTYPES), jsonish),
  shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 12 }), { maxLength: 3 }), jsonish),
  offset: fc.oneof(fc.integer({ min: -8, max: 300 }), jsonish),
  nbytes: fc.oneof(fc.integer({ min: -8, max: 400 }), jsonish),
});

/** Random tensor specs over the real body: most are inconsistent, a few by chance are not. */
const tensorSpecs = fc.tuple(fc.array(tensorSpec, { maxLength: 5 }), fc.boolean()).map<Mutation>(([specs, keep]) => (buf) => {
  const parts = splitFrame(buf);
  if (!parts || typeof parts.header !== 'object' || parts.header === null) return buf;
  const old = Array.isArray(parts.header.tensors) ? (parts.header.tensors as unknown[]) : [];
  return joinFrame({ ...parts.header, tensors: keep ? [...old.slice(0, 1), ...specs] : specs }, parts.body);
});

/** Overwrites bytes in the body (tensor data: makes NaN/Inf, duplicate ids, huge int64, bad labels likely). */
const bodyOverwrite = fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x7c, 0xfe)), { minLength: 1, maxLength: 12 }).map<Mutation>((writes) => (buf) => {
  const parts = splitFrame(buf);
  if (!parts || parts.body.length === 0) return buf;
  const out = Buffer.from(buf);
  const start = buf.length - parts.body.length;
  for (const [pos, v] of writes) out[start + (pos % parts.body.length)] = v;
  return out;
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(bitFlips, truncation, insertion, deletion, headerEdit, headerReplace, tensorSpecs, bodyOverwrite);

/** A mutated frame: a template with 1-3 mutations, or plain random bytes now and then. */
const mutatedFrame = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.nat(5), fc.nat(), fc.integer({ min: 0, max: 100 }), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([kind, seed, seq, ms]) => ms.reduce((b, m) => m(b), template(kind, 'other', seq, seed))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 12, maxLength: 64 }).map((a) => Buffer.concat([Buffer.from('SCAM\x01\0\0\0', 'latin1'), Buffer.from(a)])) },
);

// ------------------------------------------------------------------ invariants of accepted frames

/** What any accepted frame must satisfy, whatever bytes it came from. */
function checkAccepted(r: DecodeResult): void {
  if (!r.ok) {
    if (!CODES.has(r.reject.code)) throw new Error(`unknown reject code ${r.reject.code}`);
    if (typeof r.reject.reason !== 'string' || r.reject.reason.trim().length === 0) throw new Error('empty reject reason');
    return;
  }
  const f = r.frame;
  if (typeof f.run !== 'string' || f.run.length < 1 || f.run.length > 128) throw new Error(`bad run ${f.run}`);
  if (!Number.isSafeInteger(f.seq) || f.seq < 0) throw new Error(`bad seq ${f.seq}`);
  if (f.type === 'batch') {
    if (f.x.length !== f.n * f.dim || f.ids.length !== f.n) throw new Error('batch arrays do not match n/dim');
    for (const v of f.x) if (!Number.isFinite(v)) throw new Error('non-finite x accepted');
    if (new Set(f.ids).size !== f.n) throw new Error('duplicate ids accepted');
    for (const id of f.ids) if (!Number.isSafeInteger(id)) throw new Error(`unsafe id ${id}`);
    for (const c of [f.labels, f.preds]) if (c && (c.length !== f.n || c.some((v) => v < 0))) throw new Error('bad class tensor accepted');
  }
  if (f.type === 'epoch_end' && f.head) {
    if (f.head.weight.length !== f.head.classes * f.head.dim || f.head.bias.length !== f.head.classes) throw new Error('head arrays do not match');
  }
  if (f.type === 'metrics') for (const v of Object.values(f.values)) if (typeof v !== 'number') throw new Error('non-number metric accepted');
}

test('decodeFrame never throws on mutated frames; every bad frame is a Reject with a reason', (t) => {
  let rejected = 0;
  let accepted = 0;
  fc.assert(
    fc.property(mutatedFrame, (buf) => {
      let r: DecodeResult;
      try {
        r = decodeFrame(buf);
      } catch (err) {
        throw new Error(`decodeFrame threw: ${(err as Error).stack}`);
      }
      checkAccepted(r);
      if (r.ok) accepted++;
      else rejected++;
    }),
    { seed: SEED, numRuns: 20_000 },
  );
  t.log(`${rejected} rejected, ${accepted} accepted`);
  // The mutations must mostly produce bad frames, or this test would not be testing rejection.
  t.true(rejected > 14_000, `only ${rejected} of 20000 mutated frames were rejected`);
  t.true(accepted > 100, 'some mutations (e.g. of tensor data) still give valid frames: those are accepted');
});

test('each mutation kind alone yields rejects (so none of them is a no-op)', (t) => {
  const kinds: [string, fc.Arbitrary<Mutation>][] = [
    ['bitFlips', bitFlips], ['truncation', truncation], ['insertion', insertion], ['deletion', deletion],
    ['headerEdit', headerEdit], ['headerReplace', headerReplace], ['tensorSpecs', tensorSpecs], ['bodyOverwrite', bodyOverwrite],
  ];
  for (const [name, m] of kinds) {
    const samples = fc.sample(fc.tuple(fc.nat(5), fc.nat(), m), { seed: SEED, numRuns: 300 });
    const codes = new Map<string, number>();
    for (const [kind, seed, mutate] of samples) {
      const r = decodeFrame(mutate(template(kind, 'other', 1, seed)));
      checkAccepted(r);
      if (!r.ok) codes.set(r.reject.code, (codes.get(r.reject.code) ?? 0) + 1);
    }
    const total = [...codes.values()].reduce((a, b) => a + b, 0);
    t.true(total > 30, `${name}: only ${total} of 300 rejected`);
  }
});

// ------------------------------------------------------------------ ingest with garbage interleaved

/** The valid run: D=4, 3 classes, `epochs` epochs of `batches` batches of `rows` rows, then end. */
function validRun(epochs: number, batches: number, rows: number, seed: number): { frames: Buffer[]; expected: Map<number, { ids: number[]; x: number[]; labels: number[] }> } {
  const rng = createRng(seed);
  const dim = 4;
  const frames: Buffer[] = [];
  let seq = 0;
  const id = () => ({ run: 'good', producer: '0', seq: seq++ });
  frames.push(encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim, classes: ['a', 'b', 'c'] }));
  const expected = new Map<number, { ids: number[]; x: number[]; labels: number[] }>();
  for (let e = 0; e < epochs; e++) {
    const ex = { ids: [] as number[], x: [] as number[], labels: [] as number[] };
    expected.set(e, ex);
    for (let b = 0; b < batches; b++) {
      const ids = Array.from({ length: rows }, (_, i) => b * rows + i);
      const x = Float32Array.from({ length: rows * dim }, () => rng.normal());
      const labels = Int32Array.from({ length: rows }, () => rng.int(3));
      ex.ids.push(...ids);
      ex.x.push(...x);
      ex.labels.push(...labels);
      frames.push(encodeFrame({ type: 'batch', ...id(), epoch: e }, {
        x: { dtype: 'float32', shape: [rows, dim], data: x },
        id: { dtype: 'int32', shape: [rows], data: Int32Array.from(ids) },
        label: { dtype: 'int32', shape: [rows], data: labels },
      }));
    }
    frames.push(encodeFrame({ type: 'metrics', ...id(), epoch: e, values: { loss: 1 / (e + 1) } }));
    frames.push(encodeFrame({ type: 'epoch_end', ...id(), epoch: e }));
  }
  frames.push(encodeFrame({ type: 'end', ...id() }));
  return { frames, expected };
}

/**
 * Garbage that may be fed while the valid run is streaming: mutated frames of other runs, and
 * mutated frames of the valid run itself that the decoder rejects. A mutation that happens to be a
 * VALID frame of run "good" is left out: it is indistinguishable from real data, so no monitor could
 * refuse it.
 */
function isAdmissibleGarbage(buf: Buffer): boolean {
  const r = decodeFrame(buf);
  return !(r.ok && r.frame.run === 'good');
}

test('valid frames sent after mutated ones are all accepted and assembled exactly (Ingest and Pipeline)', (t) => {
  let garbageFed = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 5 }),
      fc.nat(),
      fc.array(fc.array(fc.oneof(mutatedFrame, fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 2 }))), { maxLength: 6 }), { minLength: 30, maxLength: 30 }),
      (epochs, batches, rows, seed, garbageSlots) => {
        const run = validRun(epochs, batches, rows, seed);
        // Interleave: before each valid frame, the garbage of one slot (cycled).
        const stream: { bytes: Buffer; valid: boolean }[] = [];
        run.frames.forEach((frame, i) => {
          for (const g of garbageSlots[i % garbageSlots.length]!) {
            const bytes = Buffer.isBuffer(g) ? g : g[1].reduce((b, m) => m(b), run.frames[g[0] % run.frames.length]!);
            if (isAdmissibleGarbage(bytes)) stream.push({ bytes, valid: false });
          }
          stream.push({ bytes: frame, valid: true });
        });
        garbageFed += stream.length - run.frames.length;

        // 1. Ingest, fed as the pipeline feeds it; assembled epochs checked value by value.
        const epochsSeen: EpochSet[] = [];
        const ingestEvents: Event[] = [];
        const ingest = new Ingest({ sink: (e) => ingestEvents.push(e), onEpoch: (s) => epochsSeen.push(s), silenceMs: Infinity });
        for (const [i, { bytes, valid }] of stream.entries()) {
          const d = decodeFrame(bytes);
          const rej = d.ok ? ingest.accept(d.frame, i) : (ingest.rejected(d.reject, i), d.reject);
          if (valid && rej) throw new Error(`valid frame rejected after garbage: ${rej.code} ${rej.reason}`);
        }
        const good = epochsSeen.filter((s) => s.run === 'good');
        if (good.length !== epochs) throw new Error(`run good: ${good.length} epochs completed, expected ${epochs}`);
        for (const s of good) {
          const ex = run.expected.get(s.epoch)!;
          if (s.splits.length !== 1 || s.splits[0]!.split !== 'train') throw new Error('unexpected splits');
          const d = s.splits[0]!;
          if (d.n !== ex.ids.length || d.dim !== 4) throw new Error(`epoch ${s.epoch}: n ${d.n} dim ${d.dim}, expected n ${ex.ids.length}`);
          if (!arraysEqual(d.ids, ex.ids) || !arraysEqual(d.x, ex.x) || !arraysEqual(d.labels!, ex.labels)) throw new Error(`epoch ${s.epoch}: assembled data differs from what was sent`);
        }
        if (!ingestEvents.some((e) => e.event === 'end' && e.run === 'good')) throw new Error('run good did not end');
        const goodMetrics = ingestEvents.filter((e) => e.event === 'metrics' && e.run === 'good').length;
        if (goodMetrics !== epochs) throw new Error(`${goodMetrics} metrics events for run good, expected ${epochs}`);
        const garbageRejects = ingestEvents.filter((e) => e.event === 'reject').length;
        if (garbageRejects > stream.length - run.frames.length) throw new Error('more rejects than garbage frames');

        // 2. The same bytes through a Pipeline: epoch events of run good carry the right n.
        const events: Event[] = [];
        const pipeline = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity });
        for (const [i, { bytes }] of stream.entries()) pipeline.receive(bytes, i);
        const epochEvents = events.filter((e): e is EpochEvent => e.event === 'epoch' && e.run === 'good');
        if (epochEvents.length !== epochs || epochEvents.some((e, k) => e.epoch !== k || e.n !== batches * rows || e.dim !== 4)) {
          throw new Error(`pipeline epoch events: ${JSON.stringify(epochEvents)}`);
        }
        for (const e of events) if (e.event === 'reject' && !(e.reason.length > 0)) throw new Error('reject without a reason');
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
  t.log(`${garbageFed} garbage frames fed between valid ones`);
  t.true(garbageFed > 10_000, `only ${garbageFed} garbage frames`);
});

function arraysEqual(a: ArrayLike<number>, b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], Math.fround(b[i]!)) && a[i] !== b[i]) return false;
  return true;
}
