/**
 * Frame decoder and validator (clients/PROTOCOL.md, v1). Pure: bytes in, a Frame or a Reject out.
 * Checks here are the ones a single frame can answer; checks against run state (the run's D,
 * duplicate ids across batches, labels outside `classes`) live in ingest/.
 */
import type { DType, DecodeResult, Frame, FrameBase, Head, Reject, RejectCode, TensorSpec } from './types.js';
import { ITEM_SIZE, FLOAT_DTYPES, INT_DTYPES, halfToFloat, isDType } from './dtypes.js';
import { MAGIC, PREAMBLE_BYTES, VERSION } from './encode.js';
import { isPrintableName, visibleJson, visibleText } from '../model/printable.js';
import { MAX_NAME_CHARS, charCount, cutText, isProtocolName } from '../model/text-length.js';

const FRAME_TYPES = new Set(['hello', 'batch', 'epoch_end', 'metrics', 'end']);
/**
 * Class names and model strings are free text, cut to this many characters so a hostile hello
 * cannot bloat the UI; cut, not refused: the protocol sets no length, and refusing the hello would
 * lose the whole run over a label (a model sent as its full `str(model)`, say).
 */
const MAX_TEXT = 256;
const MAX_CLASSES = 100_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Caps one frame is held to, each checked before anything is allocated for what it bounds. */
export interface DecodeLimits {
  /** Largest JSON header, bytes; checked before the header is decoded or parsed. */
  readonly maxHeaderBytes: number;
  /** Most rows in one batch (the monitor's ids-per-epoch cap); checked before the tensors are read. */
  readonly maxBatchRows: number;
}

/**
 * 4 MiB of header: a batch header is a few hundred bytes; the largest honest one is a hello whose
 * `classes` names 100k classes of ~40 characters. Parsing 32 MiB of JSON took 0.4 s and 256 MiB of heap.
 */
export const DEFAULT_MAX_HEADER_BYTES = 4 * 2 ** 20;
/** 2^20 rows: ten times a 100k-sample epoch. */
export const DEFAULT_MAX_BATCH_ROWS = 2 ** 20;
export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxBatchRows: DEFAULT_MAX_BATCH_ROWS };

class FrameError extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message);
  }
}

function fail(code: RejectCode, message: string): never {
  throw new FrameError(code, message);
}


/**
 * An optional field's value; JSON null counts as absent (a Python producer's `None`), as it always
 * has for `producer` and `split`.
 */
function optional(h: Record<string, unknown>, key: string): unknown {
  return h[key] ?? undefined;
}

/** True when a header value may name the frame in a reject: a string the name rule could accept. */
function nameLike(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 2 * MAX_NAME_CHARS && charCount(v) <= MAX_NAME_CHARS;
}

/** Run, producer and layer names (protocol: run is 1-128 printable characters; the others are held to the same rule). */
function nameField(h: Record<string, unknown>, key: string, fallback?: string): string {
  const v = optional(h, key) ?? fallback;
  if (typeof v !== 'string') fail('bad_field', `'${key}' must be a string`);
  // Characters, not UTF-16 units: 128 emoji are 128 characters (and 256 units).
  const chars = charCount(v);
  if (chars < 1 || chars > MAX_NAME_CHARS) fail('bad_field', `'${key}' must have 1-${MAX_NAME_CHARS} characters, has ${chars}`);
  if (!isPrintableName(v)) fail('bad_field', `'${key}' has control characters (C0, C1, DEL, bidirectional/line-separator controls) or an unpaired UTF-16 surrogate`);
  return v;
}

/** Revision 1.1's optional `layer` of batch and epoch_end: absent means the run's first layer. */
function layerField(h: Record<string, unknown>): { layer?: string } {
  return optional(h, 'layer') === undefined ? {} : { layer: nameField(h, 'layer') };
}

/** An optional integer field: absent (or null) is undefined. */
function optionalInt(h: Record<string, unknown>, key: string): number | undefined {
  return optional(h, key) === undefined ? undefined : intField(h, key);
}

function intField(h: Record<string, unknown>, key: string, min = 0): number {
  const v = h[key];
  if (v === undefined) fail('bad_field', `missing '${key}'`);
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && !Number.isSafeInteger(v)) {
    // JSON.parse has already rounded it: 2^53 + 1 would read as 2^53, so it cannot be trusted.
    fail('bad_field', `'${key}' is ${v}, above 2^53 - 1, the largest integer this monitor reads exactly`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail('bad_field', `'${key}' must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** Optional free text (model), cut to MAX_TEXT characters. */
function textField(h: Record<string, unknown>, key: string): string | undefined {
  const v = optional(h, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') fail('bad_field', `'${key}' must be a string`);
  return cutText(v, MAX_TEXT);
}

function parseSpecs(raw: unknown, bodyLength: number): Map<string, TensorSpec> {
  const specs = new Map<string, TensorSpec>();
  if (raw === undefined) return specs;
  if (!Array.isArray(raw)) fail('bad_tensor', "'tensors' must be an array");
  for (const [i, t] of raw.entries()) {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) fail('bad_tensor', `tensors[${i}] must be an object`);
    const { name, dtype, shape, offset, nbytes } = t as Record<string, unknown>;
    if (typeof name !== 'string' || name.length === 0) fail('bad_tensor', `tensors[${i}].name must be a non-empty string`);
    const label = `tensor '${visibleText(name)}'`;
    if (specs.has(name)) fail('bad_tensor', `${label} is listed twice`);
    if (!isDType(dtype)) fail('bad_tensor', `${label}: unknown dtype ${visibleJson(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
      fail('bad_tensor', `${label}: shape must be an array of integers >= 0`);
    }
    for (const [key, v] of [['offset', offset], ['nbytes', nbytes]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail('bad_tensor', `${label}: ${key} must be an integer >= 0`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = count * ITEM_SIZE[dtype];
    if (expected !== nbytes) fail('bad_tensor', `${label}: shape [${(shape as number[]).join(', ')}] of ${dtype} is ${expected} bytes, nbytes says ${nbytes}`);
    if ((offset as number) + (nbytes as number) > bodyLength) {
      fail('bad_tensor', `${label}: bytes [${offset}, ${(offset as number) + (nbytes as number)}) lie outside the ${bodyLength}-byte body`);
    }
    specs.set(name, { name, dtype, shape: shape as number[], offset: offset as number, nbytes: nbytes as number });
  }
  return specs;
}

/** Bytes of one tensor; copied only when the view would be misaligned for its dtype. */
function tensorBytes(body: Uint8Array, spec: TensorSpec): Uint8Array {
  const start = body.byteOffset + spec.offset;
  const view = new Uint8Array(body.buffer, start, spec.nbytes);
  return start % ITEM_SIZE[spec.dtype] === 0 ? view : view.slice();
}

/** Every float16 bit pattern as float32 (256 KB, built on first use): one lookup per element. */
let halfTable: Float32Array | undefined;

function toFloat32(bytes: Uint8Array, dtype: DType): Float32Array {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'float64':
      // The typed-array constructor converts natively (rounding to nearest), far faster than .from().
      return new Float32Array(new Float64Array(buffer, byteOffset, byteLength / 8));
    case 'float16': {
      if (!halfTable) {
        halfTable = new Float32Array(65536);
        for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
      }
      const table = halfTable;
      const h = new Uint16Array(buffer, byteOffset, byteLength / 2);
      const out = new Float32Array(h.length);
      for (let i = 0; i < h.length; i++) out[i] = table[h[i]!]!;
      return out;
    }
    default:
      throw new Error(`not a float dtype: ${dtype}`);
  }
}

/** Integer tensor as float64 values; int64 beyond +-2^53 cannot be held exactly and is refused. */
function toIntegers(bytes: Uint8Array, dtype: DType, label: string): Float64Array {
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'int32':
      return new Float64Array(new Int32Array(buffer, byteOffset, byteLength / 4));
    case 'uint32':
      return new Float64Array(new Uint32Array(buffer, byteOffset, byteLength / 4));
    case 'uint8':
      return new Float64Array(new Uint8Array(buffer, byteOffset, byteLength));
    case 'int64': {
      const words = new Int32Array(buffer, byteOffset, byteLength / 4);
      const out = new Float64Array(words.length / 2);
      for (let i = 0; i < out.length; i++) {
        const lo = words[2 * i]! >>> 0;
        const hi = words[2 * i + 1]!;
        const v = hi * 4294967296 + lo;
        if (!Number.isSafeInteger(v)) {
          const exact = BigInt(hi) * 4294967296n + BigInt(lo);
          fail('bad_tensor', `${label}[${i}] = ${exact} is outside +-2^53: the monitor holds integers as doubles, exact only within it (two such ids could read as one)`);
        }
        out[i] = v;
      }
      return out;
    }
    default:
      fail('bad_tensor', `${label} must have an integer dtype, has ${dtype}`);
  }
}

function requireShape(spec: TensorSpec, rank: number, what: string): void {
  if (spec.shape.length !== rank) fail('bad_tensor', `tensor '${visibleText(spec.name)}' must be ${what}, has shape [${spec.shape.join(', ')}]`);
}

/**
 * True when every value is finite. A float64 sum of float32 values cannot overflow (2^31 values of
 * at most 3.4e38 stay far below 1.8e308), and NaN/Inf propagate through it, so the sum is finite
 * exactly when every value is. Four accumulators break the add latency chain: ~3x faster than a
 * per-element test on a 10 MB batch.
 */
function allFinite(x: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = x.length - (x.length % 4);
  for (let i = 0; i < end; i += 4) {
    s0 += x[i]!;
    s1 += x[i + 1]!;
    s2 += x[i + 2]!;
    s3 += x[i + 3]!;
  }
  for (let i = end; i < x.length; i++) s0 += x[i]!;
  const s = s0 + s1 + s2 + s3;
  return s - s === 0;
}

function firstNonFinite(x: Float32Array): number {
  if (allFinite(x)) return -1;
  for (let i = 0; i < x.length; i++) {
    // x - x is NaN exactly when x is NaN or +-Infinity; cheaper than Number.isFinite per element.
    if (x[i]! - x[i]! !== 0) return i;
  }
  return -1;
}

/** Values finite as sent (float64) that became infinite in float32. */
function overflowCount(bytes: Uint8Array, x: Float32Array): number {
  const sent = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!) && Number.isFinite(sent[i]!)) n++;
  return n;
}

function decodeBatch(base: FrameBase, h: Record<string, unknown>, body: Uint8Array, specs: Map<string, TensorSpec>, limits: DecodeLimits): Frame {
  const epoch = intField(h, 'epoch');
  const split = optional(h, 'split') ?? 'train';
  if (split !== 'train' && split !== 'test') fail('bad_field', `'split' must be "train" or "test", got ${visibleJson(split)}`);
  const xs = specs.get('x');
  if (!xs) fail('bad_tensor', "batch has no tensor 'x'");
  requireShape(xs, 2, '[n, D]');
  if (!FLOAT_DTYPES.includes(xs.dtype)) fail('bad_tensor', `tensor 'x' must be float16/32/64, is ${xs.dtype}`);
  const [n, dim] = xs.shape as [number, number];
  if (dim < 1) fail('bad_tensor', "tensor 'x' has zero columns");
  // Before the id set below is built: its size is what this bounds (and a Set holds at most 2^24).
  if (n > limits.maxBatchRows) fail('over_limit', `over the cap max-epoch-ids = ${limits.maxBatchRows}: the batch has ${n} rows`);
  const idSpec = specs.get('id');
  if (!idSpec) fail('bad_tensor', "batch has no tensor 'id'");
  requireShape(idSpec, 1, '[n]');
  if (!['int32', 'int64', 'uint32'].includes(idSpec.dtype)) fail('bad_tensor', `tensor 'id' must be int32/int64/uint32, is ${idSpec.dtype}`);
  const x = toFloat32(tensorBytes(body, xs), xs.dtype);
  const bad = firstNonFinite(x);
  if (bad >= 0) {
    const count = x.reduce((c, v) => (Number.isFinite(v) ? c : c + 1), 0);
    const where = `(first at row ${Math.floor(bad / dim)}, column ${bad % dim})`;
    const big = xs.dtype === 'float64' ? overflowCount(tensorBytes(body, xs), x) : 0;
    // Finite float64 values past float32's range are not NaN: say what they are.
    const of = big ? `, ${big} of them finite float64 values beyond float32's +-3.4e38, the precision the monitor holds x in` : '';
    fail('non_finite', `x has ${count} NaN/Inf values ${where}${of}`);
  }
  const checkRows = (spec: TensorSpec): void => {
    requireShape(spec, 1, '[n]');
    if (spec.shape[0] !== n) fail('bad_tensor', `tensor '${visibleText(spec.name)}' has ${spec.shape[0]} rows, x has ${n}`);
  };
  checkRows(idSpec);
  const ids = toIntegers(tensorBytes(body, idSpec), idSpec.dtype, "tensor 'id'");
  const seen = new Set<number>();
  for (const id of ids) {
    if (seen.has(id)) fail('duplicate_id', `id ${id} appears twice in the batch`);
    seen.add(id);
  }
  // label, pred and (1.1) task: one index per row, integers 0..2^31-1.
  const indexTensor = (name: 'label' | 'pred' | 'task'): Int32Array | undefined => {
    const spec = specs.get(name);
    if (!spec) return undefined;
    checkRows(spec);
    if (!INT_DTYPES.includes(spec.dtype)) fail('bad_tensor', `tensor '${visibleText(name)}' must have an integer dtype, has ${spec.dtype}`);
    const values = toIntegers(tensorBytes(body, spec), spec.dtype, `tensor '${visibleText(name)}'`);
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v > 0x7fffffff) {
        if (name === 'task') fail('bad_tensor', `task[${i}] = ${v} is not a task index (an integer 0..2^31-1)`);
        fail('bad_label', `${name}[${i}] = ${v} is not a class index`);
      }
      out[i] = v;
    }
    return out;
  };
  const tasks = indexTensor('task');
  return { ...base, type: 'batch', epoch, split, n, dim, x, ids, labels: indexTensor('label'), preds: indexTensor('pred'), ...(tasks ? { tasks } : {}), ...layerField(h) };
}

function decodeHead(body: Uint8Array, specs: Map<string, TensorSpec>): Head | undefined {
  const w = specs.get('head_weight');
  const b = specs.get('head_bias');
  if (!w && !b) return undefined;
  if (!w || !b) fail('bad_tensor', 'head_weight and head_bias must be sent together');
  requireShape(w, 2, '[C, D]');
  requireShape(b, 1, '[C]');
  if (w.dtype !== 'float32' || b.dtype !== 'float32') fail('bad_tensor', 'head_weight and head_bias must be float32');
  const [classes, dim] = w.shape as [number, number];
  if (b.shape[0] !== classes) fail('bad_tensor', `head_bias has ${b.shape[0]} entries, head_weight has ${classes} rows`);
  if (classes < 1 || dim < 1) fail('bad_tensor', 'head_weight is empty');
  const weight = toFloat32(tensorBytes(body, w), 'float32').slice();
  const bias = toFloat32(tensorBytes(body, b), 'float32').slice();
  if (firstNonFinite(weight) >= 0 || firstNonFinite(bias) >= 0) fail('non_finite', 'the head has NaN/Inf values');
  return { classes, dim, weight, bias };
}

function decodeMetrics(base: FrameBase, h: Record<string, unknown>): Frame {
  const epoch = intField(h, 'epoch');
  const step = optionalInt(h, 'step');
  const raw = h.values;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('bad_field', "'values' must be an object of numbers");
  const values: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (!isProtocolName(key as unknown)) fail('bad_field', `metric name ${visibleJson(key.slice(0, 64), 200)} is not 1-${MAX_NAME_CHARS} printable characters`);
    if (typeof v === 'number' && !Number.isFinite(v)) {
      // A literal such as 1e400 is valid JSON but beyond a double: JSON.parse reads it as Infinity.
      fail('non_finite', `metric '${key}' is a number beyond a double's range (+-1.8e308), read as ${v}`);
    } else if (typeof v === 'number') {
      // Defined, not assigned: `values["__proto__"] = 1` would set no property and lose the metric.
      Object.defineProperty(values, key, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (v === null || (typeof v === 'string' && /^[+-]?(nan|inf|infinity)$/i.test(v))) {
      // JSON cannot carry NaN: producers send it as a string (or null); it is a training failure, not a typo.
      fail('non_finite', `metric '${key}' is ${JSON.stringify(v)}`);
    } else {
      fail('bad_field', `metric '${key}' must be a number, got ${visibleJson(v)}`);
    }
  }
  // Protocol 1.1: the task being trained (continual learning).
  const task = optionalInt(h, 'task');
  return { ...base, type: 'metrics', epoch, step, values, ...(task === undefined ? {} : { task }) };
}

function decodeHello(base: FrameBase, h: Record<string, unknown>): Frame {
  const layer = nameField(h, 'layer');
  const dim = intField(h, 'dim', 1);
  let classes: string[] | undefined;
  const raw = optional(h, 'classes');
  if (raw !== undefined) {
    if (!Array.isArray(raw)) fail('bad_field', `'classes' must be an array of strings, got ${visibleJson(raw)}`);
    if (raw.length > MAX_CLASSES) fail('bad_field', `'classes' has more than ${MAX_CLASSES} names`);
    const i = raw.findIndex((c) => typeof c !== 'string');
    if (i >= 0) fail('bad_field', `'classes' must be an array of strings; classes[${i}] is ${visibleJson(raw[i])}`);
    classes = (raw as string[]).map((c) => cutText(c, MAX_TEXT));
  }
  return { ...base, type: 'hello', layer, dim, classes, model: textField(h, 'model') };
}

function decodeUnsafe(buf: Uint8Array, partial: { run?: string; producer?: string; seq?: number }, limits: DecodeLimits): Frame {
  if (buf.length < PREAMBLE_BYTES) fail('too_short', `frame is ${buf.length} bytes, shorter than the 12-byte preamble`);
  for (let i = 0; i < 4; i++) if (buf[i] !== MAGIC[i]) fail('bad_magic', 'frame does not start with magic "SCAM"');
  if (buf[4] !== VERSION) fail('bad_version', `protocol version ${buf[4]} is not supported (this monitor speaks 1)`);
  if (buf[5] !== 0 || buf[6] !== 0 || buf[7] !== 0) fail('bad_header', 'reserved bytes 5-7 must be zero');
  const headerLen = (buf[8]! | (buf[9]! << 8) | (buf[10]! << 16)) + buf[11]! * 0x1000000;
  if (headerLen > buf.length - PREAMBLE_BYTES) fail('bad_header', `header length ${headerLen} runs past the ${buf.length}-byte frame`);
  if (headerLen > limits.maxHeaderBytes) fail('over_limit', `over the cap max-header = ${limits.maxHeaderBytes}: the header is ${headerLen} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(buf.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLen)));
  } catch (err) {
    // A header buffer of fixed size, NUL-filled after the JSON, is a common C-side mistake: say so.
    const nul = headerLen > 0 && buf[PREAMBLE_BYTES + headerLen - 1] === 0 ? '; it ends in NUL bytes: H must count the JSON text only (padding belongs in the body)' : '';
    fail('bad_header', `header is not valid UTF-8 JSON (${(err as Error).message.slice(0, 120)})${nul}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('bad_header', 'header is not a JSON object');
  const h = header as Record<string, unknown>;
  // Identify the frame first so that every later reason can name it.
  if (nameLike(h.run)) partial.run = h.run;
  if (nameLike(h.producer)) partial.producer = h.producer;
  else if (optional(h, 'producer') === undefined) partial.producer = '0';
  if (typeof h.seq === 'number' && Number.isSafeInteger(h.seq)) partial.seq = h.seq;
  if (typeof h.type !== 'string' || !FRAME_TYPES.has(h.type)) fail('bad_field', `'type' must be one of hello, batch, epoch_end, metrics, end; got ${visibleJson(h.type)}`);
  const base: FrameBase = { run: nameField(h, 'run'), producer: nameField(h, 'producer', '0'), seq: intField(h, 'seq') };
  const body = buf.subarray(PREAMBLE_BYTES + headerLen);
  const specs = parseSpecs(optional(h, 'tensors'), body.length);
  switch (h.type) {
    case 'hello':
      return decodeHello(base, h);
    case 'batch':
      return decodeBatch(base, h, body, specs, limits);
    case 'epoch_end':
      return { ...base, type: 'epoch_end', epoch: intField(h, 'epoch'), head: decodeHead(body, specs), ...layerField(h) };
    case 'metrics':
      return decodeMetrics(base, h);
    default:
      return { ...base, type: 'end' };
  }
}

/** Decode one frame. Never throws for bad input: every problem becomes a Reject with a reason. */
export function decodeFrame(buf: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodeResult {
  const partial: { run?: string; producer?: string; seq?: number } = {};
  try {
    return { ok: true, frame: decodeUnsafe(buf, partial, limits) };
  } catch (err) {
    if (err instanceof FrameError) return { ok: false, reject: { ...partial, code: err.code, reason: err.message } as Reject };
    // Not a check that failed but the decoder itself (a bug, or memory): said as such, never thrown on.
    return { ok: false, reject: { ...partial, code: 'internal_error', reason: `internal error while decoding: ${String((err as Error)?.message ?? err)}` } };
  }
}
