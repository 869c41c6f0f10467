/** Builds decoded frames for ingest tests through the real encoder and decoder. */
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame, type OutTensor } from '../../src/protocol/encode.js';
import type { BatchFrame, EpochEndFrame, Frame, HelloFrame, MetricsFrame, EndFrame } from '../../src/protocol/types.js';
import { Ingest } from '../../src/ingest/ingest.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { Event } from '../../src/model/events.js';

export function decoded<T extends Frame>(bytes: Buffer): T {
  const r = decodeFrame(bytes);
  if (!r.ok) throw new Error(`test frame does not decode: ${r.reject.reason}`);
  return r.frame as T;
}

/** Identity of a frame. */
export interface Who {
  readonly run?: string;
  readonly producer?: string;
  readonly seq: number;
}

const ident = (w: Who) => ({ run: w.run ?? 'r', producer: w.producer ?? '0', seq: w.seq });

export function hello(w: Who, dim = 3, classes?: string[], layer = 'fc'): HelloFrame {
  return decoded(encodeFrame({ type: 'hello', ...ident(w), layer, dim, ...(classes ? { classes } : {}) }));
}

/** Rows of a batch: x[i][j] = id + j/8 (exact in float32), so each row can be traced to its id. */
export function rowsFor(ids: readonly number[], dim: number): Float32Array {
  const x = new Float32Array(ids.length * dim);
  ids.forEach((id, i) => {
    for (let j = 0; j < dim; j++) x[i * dim + j] = id + j / 8;
  });
  return x;
}

export interface BatchOpts {
  readonly epoch: number;
  readonly ids: readonly number[];
  readonly dim?: number;
  readonly split?: 'train' | 'test';
  readonly labels?: readonly number[];
  readonly preds?: readonly number[];
  /** Protocol 1.1's layer field; absent = the run's first layer. */
  readonly layer?: string;
}

export function batch(w: Who, o: BatchOpts): BatchFrame {
  const dim = o.dim ?? 3;
  const n = o.ids.length;
  const tensors: Record<string, OutTensor> = {
    x: { dtype: 'float32', shape: [n, dim], data: rowsFor(o.ids, dim) },
    id: { dtype: 'int64', shape: [n], data: BigInt64Array.from(o.ids.map(BigInt)) },
  };
  if (o.labels) tensors.label = { dtype: 'int32', shape: [n], data: Int32Array.from(o.labels) };
  if (o.preds) tensors.pred = { dtype: 'int32', shape: [n], data: Int32Array.from(o.preds) };
  return decoded(encodeFrame({ type: 'batch', ...ident(w), epoch: o.epoch, split: o.split ?? 'train', ...(o.layer ? { layer: o.layer } : {}) }, tensors));
}

export function epochEnd(w: Who, epoch: number, head?: { weight: number[]; bias: number[]; dim: number }, layer?: string): EpochEndFrame {
  const tensors: Record<string, OutTensor> = head
    ? {
        head_weight: { dtype: 'float32', shape: [head.bias.length, head.dim], data: Float32Array.from(head.weight) },
        head_bias: { dtype: 'float32', shape: [head.bias.length], data: Float32Array.from(head.bias) },
      }
    : {};
  return decoded(encodeFrame({ type: 'epoch_end', ...ident(w), epoch, ...(layer ? { layer } : {}) }, tensors));
}

export function metrics(w: Who, epoch: number, values: Record<string, number>): MetricsFrame {
  return decoded(encodeFrame({ type: 'metrics', ...ident(w), epoch, values }));
}

export function end(w: Who): EndFrame {
  return decoded(encodeFrame({ type: 'end', ...ident(w) }));
}

/** An Ingest with its events and completed epochs collected. */
export function harness(silenceMs = 10_000): { ingest: Ingest; events: Event[]; epochs: EpochSet[]; of: <K extends Event['event']>(kind: K) => Extract<Event, { event: K }>[] } {
  const events: Event[] = [];
  const epochs: EpochSet[] = [];
  const ingest = new Ingest({ sink: (e) => events.push(e), onEpoch: (s) => epochs.push(s), silenceMs });
  const of = <K extends Event['event']>(kind: K) => events.filter((e): e is Extract<Event, { event: K }> => e.event === kind);
  return { ingest, events, epochs, of };
}
