/**
 * Turn the producer API's arguments into protocol v1 frames (clients/PROTOCOL.md), checking them first so
 * that a mistake in the training script fails loudly at the call, not as a reject in the monitor.
 */
import { encodeFrame, type OutTensor } from '../protocol/encode.js';
import type { Split } from '../protocol/types.js';
import { MAX_NAME_CHARS, isProtocolName } from '../model/text-length.js';

/** Identity fields every frame carries. */
export interface FrameIdentity {
  readonly run: string;
  readonly producer: string;
  readonly seq: number;
}

/** Arguments of `hello`. */
export interface HelloArgs {
  /** Which representation is streamed, e.g. "fc2". */
  readonly layer: string;
  /** D, the width of every `x` row. */
  readonly dim: number;
  /** Class names, index = label. */
  readonly classes?: readonly string[];
  readonly model?: string;
}

/** Arguments of `batch`: one chunk of one epoch's activations. */
export interface BatchArgs {
  readonly epoch: number;
  /** Default 'train'. */
  readonly split?: Split;
  /** n*dim activations, row-major. */
  readonly x: Float32Array;
  readonly n: number;
  readonly dim: number;
  /** Stable sample ids (safe integers, |id| < 2^53). */
  readonly ids: ArrayLike<number>;
  /** Ground-truth classes. */
  readonly labels?: ArrayLike<number>;
  /** Predicted classes. */
  readonly preds?: ArrayLike<number>;
  /** Task of each sample, integers >= 0 (continual learning; protocol 1.1). */
  readonly tasks?: ArrayLike<number>;
  /** Protocol 1.1: which layer (a hello named it); absent = the run's first layer. */
  readonly layer?: string;
}

/** The classifier's final linear layer, logits = weight * x + bias. */
export interface HeadArgs {
  /** classes*dim, row-major [C, D]. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly classes: number;
  readonly dim: number;
}

/** Arguments of `epochEnd`. */
export interface EpochEndArgs {
  readonly epoch: number;
  readonly head?: HeadArgs;
  /** Protocol 1.1: which layer's epoch ends; absent = the run's first layer. */
  readonly layer?: string;
}

/** Arguments of `metrics`. */
export interface MetricsArgs {
  readonly epoch: number;
  readonly step?: number;
  /** Scalars; NaN and infinities are allowed (they are sent as strings, see `metricValue`). */
  readonly values: Readonly<Record<string, number>>;
  /** The task being trained, an integer >= 0 (continual learning; protocol 1.1). */
  readonly task?: number;
}

/** Names are checked with the monitor's own rule (model/text-length.ts), so none it would refuse is sent. */
function requireName(what: string, s: unknown): string {
  if (!isProtocolName(s)) throw new Error(`${what} must be 1-${MAX_NAME_CHARS} printable characters, got ${JSON.stringify(s)}`);
  return s;
}

function requireInt(what: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function base(type: string, id: FrameIdentity): Record<string, unknown> {
  return { type, run: id.run, producer: id.producer, seq: id.seq };
}

/** Sample ids as int32 when every id fits (half the bytes), else int64. */
export function encodeIds(ids: ArrayLike<number>): Int32Array | BigInt64Array {
  let fits = true;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) {
      throw new Error(`ids[${i}] is ${v}: sample ids must be safe integers (|id| < 2^53)`);
    }
    if (v < -0x80000000 || v > 0x7fffffff) fits = false;
  }
  if (fits) return ids instanceof Int32Array ? ids : Int32Array.from(ids);
  const out = new BigInt64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]!);
  return out;
}

function encodeClasses(what: string, v: ArrayLike<number>, n: number): Int32Array {
  if (v.length !== n) throw new Error(`${what} has ${v.length} entries, expected n = ${n}`);
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (!Number.isInteger(c) || c < -0x80000000 || c > 0x7fffffff) throw new Error(`${what}[${i}] is ${c}: classes must be int32 integers`);
  }
  return v instanceof Int32Array ? v : Int32Array.from(v);
}

/**
 * JSON cannot carry NaN or infinities: they travel as the strings "nan", "inf", "-inf", which the
 * monitor reports as a training failure (the metric itself is then lost, the failure is not).
 */
export function metricValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'nan';
  return v > 0 ? 'inf' : '-inf';
}

export function helloFrame(id: FrameIdentity, a: HelloArgs): Buffer {
  const header: Record<string, unknown> = { ...base('hello', id), layer: requireName('hello: layer', a.layer), dim: requireInt('hello: dim', a.dim, 1) };
  if (a.classes !== undefined) {
    if (!Array.isArray(a.classes) || a.classes.some((c) => typeof c !== 'string')) throw new Error('hello: classes must be an array of strings');
    header.classes = [...a.classes];
  }
  if (a.model !== undefined) {
    if (typeof a.model !== 'string') throw new Error('hello: model must be a string');
    header.model = a.model;
  }
  return encodeFrame(header);
}

/**
 * @param expectedDim the D announced in hello, when known: a different D is refused here rather
 *   than by the monitor.
 */
/** The optional `layer` header field (protocol 1.1), checked. */
function layerOf(what: string, layer: string | undefined): { layer?: string } {
  return layer === undefined ? {} : { layer: requireName(`${what}: layer`, layer) };
}

export function batchFrame(id: FrameIdentity, a: BatchArgs, expectedDim?: number): Buffer {
  const epoch = requireInt('batch: epoch', a.epoch, 0);
  const split = a.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw new Error(`batch: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const n = requireInt('batch: n', a.n, 1);
  const dim = requireInt('batch: dim', a.dim, 1);
  if (expectedDim !== undefined && dim !== expectedDim) throw new Error(`batch: dim ${dim} differs from the dim ${expectedDim} sent in hello`);
  if (!(a.x instanceof Float32Array)) throw new Error('batch: x must be a Float32Array');
  if (a.x.length !== n * dim) throw new Error(`batch: x has ${a.x.length} values, expected n*dim = ${n}*${dim} = ${n * dim}`);
  if (a.ids.length !== n) throw new Error(`batch: ids has ${a.ids.length} entries, expected n = ${n}`);
  const ids = encodeIds(a.ids);
  const tensors: Record<string, OutTensor> = {
    x: { dtype: 'float32', shape: [n, dim], data: a.x },
    id: { dtype: ids instanceof Int32Array ? 'int32' : 'int64', shape: [n], data: ids },
  };
  if (a.labels !== undefined) tensors.label = { dtype: 'int32', shape: [n], data: encodeClasses('batch: labels', a.labels, n) };
  if (a.preds !== undefined) tensors.pred = { dtype: 'int32', shape: [n], data: encodeClasses('batch: preds', a.preds, n) };
  if (a.tasks !== undefined) {
    const tasks = encodeClasses('batch: tasks', a.tasks, n);
    const bad = tasks.findIndex((v) => v < 0);
    if (bad >= 0) throw new Error(`batch: tasks[${bad}] is ${tasks[bad]}: tasks must be integers >= 0`);
    tensors.task = { dtype: 'int32', shape: [n], data: tasks };
  }
  return encodeFrame({ ...base('batch', id), epoch, split, ...layerOf('batch', a.layer) }, tensors);
}

export function epochEndFrame(id: FrameIdentity, a: EpochEndArgs): Buffer {
  const epoch = requireInt('epochEnd: epoch', a.epoch, 0);
  const tensors: Record<string, OutTensor> = {};
  if (a.head !== undefined) {
    const { weight, bias } = a.head;
    const classes = requireInt('epochEnd: head.classes', a.head.classes, 1);
    const dim = requireInt('epochEnd: head.dim', a.head.dim, 1);
    if (!(weight instanceof Float32Array) || !(bias instanceof Float32Array)) throw new Error('epochEnd: head.weight and head.bias must be Float32Arrays');
    if (weight.length !== classes * dim) throw new Error(`epochEnd: head.weight has ${weight.length} values, expected classes*dim = ${classes}*${dim} (row-major [C, D])`);
    if (bias.length !== classes) throw new Error(`epochEnd: head.bias has ${bias.length} values, expected classes = ${classes}`);
    tensors.head_weight = { dtype: 'float32', shape: [classes, dim], data: weight };
    tensors.head_bias = { dtype: 'float32', shape: [classes], data: bias };
  }
  return encodeFrame({ ...base('epoch_end', id), epoch, ...layerOf('epochEnd', a.layer) }, tensors);
}

export function metricsFrame(id: FrameIdentity, a: MetricsArgs): Buffer {
  const header: Record<string, unknown> = { ...base('metrics', id), epoch: requireInt('metrics: epoch', a.epoch, 0) };
  if (a.step !== undefined) header.step = requireInt('metrics: step', a.step, 0);
  if (a.task !== undefined) header.task = requireInt('metrics: task', a.task, 0);
  if (typeof a.values !== 'object' || a.values === null) throw new Error('metrics: values must be an object of numbers');
  const values: Record<string, number | string> = {};
  for (const [key, v] of Object.entries(a.values)) {
    requireName('metrics: a metric name', key);
    if (typeof v !== 'number') throw new Error(`metrics: '${key}' must be a number, got ${typeof v}`);
    values[key] = metricValue(v);
  }
  header.values = values;
  return encodeFrame(header);
}

export function endFrame(id: FrameIdentity): Buffer {
  return encodeFrame(base('end', id));
}
