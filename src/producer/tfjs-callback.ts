/**
 * A `tf.LayersModel.fit` callback that streams a watched layer to a SentryCam monitor: after every
 * epoch the layer's activations of a fixed sample set (stable ids), the model's predictions, the
 * epoch's logs as metrics and, when the model ends in a Dense layer fed by the watched layer, that
 * layer as the classifier head.
 *
 * It needs nothing of tfjs but the model and tensors it is given (structural types below), so it
 * works with @tensorflow/tfjs, tfjs-node or tfjs-layers, whichever the training script loaded.
 */
import type { BatchArgs, EpochEndArgs, HeadArgs, HelloArgs, MetricsArgs } from './frame-builders.js';

/** What the callback sends frames to: a `Producer`, or anything with its methods. */
export interface CallbackSink {
  hello(a: HelloArgs): void;
  batch(a: BatchArgs): void;
  metrics(a: MetricsArgs): void;
  epochEnd(a: EpochEndArgs): void;
  end(): void;
}

/**
 * The tensor methods used: only the Tensor class's own, none of tfjs' chained ops (a script that
 * loads tfjs-core and tfjs-layers without @tensorflow/tfjs does not have those).
 */
export interface TensorLike {
  readonly shape: readonly number[];
  readonly rank: number;
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/** A symbolic tensor of a layers model: only its name and shape are used. */
interface SymbolicLike {
  readonly name: string;
  readonly shape: readonly (number | null)[];
}

/** A layer of a layers model. */
export interface LayerLike {
  readonly name: string;
  readonly output: SymbolicLike | SymbolicLike[];
  readonly input: SymbolicLike | SymbolicLike[];
  getClassName(): string;
  getWeights(): TensorLike[];
}

/** The `tf.LayersModel` methods used; T is the script's tensor type. */
export interface LayersModelLike {
  readonly name: string;
  readonly layers: readonly LayerLike[];
  readonly outputs: readonly SymbolicLike[];
  getLayer(name: string): LayerLike;
  /** `never`: whatever tensor type the script's tfjs has (the callback passes back the tensors it was given). */
  execute(inputs: never, outputs: string[]): TensorLike | TensorLike[];
}

/** A fixed set of samples, streamed every epoch. */
export interface SampleSet {
  /**
   * The model's input for these samples, [n, ...inputShape]: one tensor (one forward pass and one
   * batch frame), or a list of tensors split along the rows (one pass and one frame each), which
   * bounds the memory of a forward pass when the set is large.
   */
  readonly x: TensorLike | readonly TensorLike[];
  /** Class index per sample, or a one-hot tensor [n, C]. */
  readonly labels?: ArrayLike<number> | TensorLike;
  /** Stable sample ids (the same sample keeps its id every epoch). Default: the row index (test: after the train ids). */
  readonly ids?: ArrayLike<number>;
}

export interface SentrycamCallbackOptions {
  readonly producer: CallbackSink;
  readonly model: LayersModelLike;
  /** The watched layer, by name or as the layer itself; its output must be [n, D] (a higher rank is flattened). */
  readonly layer: string | LayerLike;
  /** Streamed as the protocol's "train" split. */
  readonly samples: SampleSet;
  /** Optional held-out samples, streamed as the "test" split. */
  readonly testSamples?: SampleSet;
  /** Class names, index = label. */
  readonly classes?: readonly string[];
  /**
   * Send the classifier head: 'auto' (default) sends it when the model's last layer is a Dense
   * layer fed directly by the watched layer; false never.
   */
  readonly head?: 'auto' | false;
  /** Send the epoch's logs (loss, acc, val_loss, ...) as metrics. Default true. */
  readonly metrics?: boolean;
  /** Send `end` when fit() finishes. Default true; false when fit() is called again to continue the run. */
  readonly endOnTrainEnd?: boolean;
}

/** tfjs' custom callback hooks (what `fit({ callbacks })` accepts). */
export interface SentrycamCallback {
  onTrainBegin(logs?: unknown): Promise<void>;
  onEpochEnd(epoch: number, logs?: Readonly<Record<string, unknown>>): Promise<void>;
  onTrainEnd(logs?: unknown): Promise<void>;
}

/** A split ready to stream: ids and labels resolved once, up front. */
interface Prepared {
  readonly chunks: readonly TensorLike[];
  readonly n: number;
  readonly ids: Float64Array;
  readonly labels?: Int32Array;
}

function single(t: SymbolicLike | SymbolicLike[], what: string): SymbolicLike {
  if (Array.isArray(t)) {
    if (t.length !== 1) throw new Error(`sentrycamCallback: ${what} has ${t.length} tensors; watch a layer with one output`);
    return t[0]!;
  }
  return t;
}

/** Index of the largest of each row of a row-major [rows, cols] array. */
export function rowArgMax(a: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (a[r * cols + c]! > a[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function toInts(v: ArrayLike<number> | TensorLike, n: number, what: string): Int32Array {
  let values: ArrayLike<number>;
  if (isTensor(v)) {
    // One-hot [n, C] -> class index; [n] or [n, 1] -> as is.
    values = v.rank === 2 && v.shape[1]! > 1 ? rowArgMax(v.dataSync(), v.shape[0]!, v.shape[1]!) : v.dataSync();
  } else values = v;
  if (values.length !== n) throw new Error(`sentrycamCallback: ${what} has ${values.length} entries for ${n} samples`);
  const out = Int32Array.from(values);
  if (out.some((c, i) => c !== values[i] || c < 0)) throw new Error(`sentrycamCallback: ${what} must be class indices >= 0`);
  return out;
}

function isTensor(v: unknown): v is TensorLike {
  return typeof v === 'object' && v !== null && typeof (v as TensorLike).dataSync === 'function' && Array.isArray((v as TensorLike).shape);
}

function prepare(s: SampleSet, firstId: number, what: string): Prepared {
  const chunks = isTensor(s.x) ? [s.x] : [...s.x];
  if (chunks.length === 0 || chunks.some((c) => !isTensor(c) || c.rank < 2 || c.shape[0]! < 1)) {
    throw new Error(`sentrycamCallback: ${what}.x must be a tensor [n, ...inputShape] with n >= 1, or a list of such tensors`);
  }
  const n = chunks.reduce((a, c) => a + c.shape[0]!, 0);
  const ids = s.ids === undefined ? Float64Array.from({ length: n }, (_, i) => firstId + i) : Float64Array.from(s.ids);
  if (ids.length !== n) throw new Error(`sentrycamCallback: ${what}.ids has ${ids.length} entries for ${n} samples`);
  if (new Set(ids).size !== n) throw new Error(`sentrycamCallback: ${what}.ids must be unique`);
  return { chunks, n, ids, labels: s.labels === undefined ? undefined : toInts(s.labels, n, `${what}.labels`) };
}

/** The model's last layer as the protocol's head [C, D], when it is a Dense layer fed by `watched`. */
function headOf(model: LayersModelLike, watched: SymbolicLike, dim: number): HeadArgs | undefined {
  const last = model.layers[model.layers.length - 1];
  if (!last || last.getClassName() !== 'Dense' || single(last.input, `layer ${last.name}'s input`) !== watched) return undefined;
  const [kernel, bias] = last.getWeights();
  if (!kernel || kernel.rank !== 2 || kernel.shape[0] !== dim) return undefined;
  const classes = kernel.shape[1]!;
  const k = kernel.dataSync();
  // tfjs keeps the kernel as [D, C]; the protocol wants [C, D].
  const weight = new Float32Array(classes * dim);
  for (let d = 0; d < dim; d++) for (let c = 0; c < classes; c++) weight[c * dim + d] = k[d * classes + c]!;
  return { weight, bias: bias ? Float32Array.from(bias.dataSync()) : new Float32Array(classes), classes, dim };
}

/** Finite numeric logs only; tfjs may also pass tensors or nothing. */
function numericLogs(logs: Readonly<Record<string, unknown>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}

/**
 * Builds the callback; pass it in `model.fit(x, y, { callbacks: [sentrycamCallback({...})] })`.
 * Options are checked here, so a wrong layer name fails before training starts.
 */
export function sentrycamCallback(opts: SentrycamCallbackOptions): SentrycamCallback {
  const { producer, model } = opts;
  const layer = typeof opts.layer === 'string' ? model.getLayer(opts.layer) : opts.layer;
  const watched = single(layer.output, `layer ${layer.name}`);
  const dim = watched.shape.slice(1).reduce<number>((a, b) => a * (b ?? NaN), 1);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`sentrycamCallback: layer ${layer.name}'s output shape [${watched.shape.join(', ')}] has no fixed width`);
  const output = model.outputs[0];
  if (!output) throw new Error('sentrycamCallback: the model has no output');
  const train = prepare(opts.samples, 0, 'samples');
  const test = opts.testSamples ? prepare(opts.testSamples, train.n, 'testSamples') : undefined;
  const classes = output.shape.length === 2 ? output.shape[1] : null;
  const predicts = typeof classes === 'number' && classes > 1;
  let helloSent = false;

  /** One split's activations (and predictions), one forward pass and one batch frame per chunk. */
  const stream = (epoch: number, split: 'train' | 'test', s: Prepared): void => {
    let start = 0;
    for (const chunk of s.chunks) {
      const rows = chunk.shape[0]!;
      // Inference mode: execute() runs the layers with training off (no dropout).
      const outs = model.execute(chunk as never, predicts ? [watched.name, output.name] : [watched.name]);
      const [hidden, logits] = Array.isArray(outs) ? outs : [outs];
      try {
        producer.batch({
          epoch,
          split,
          // Row-major: a higher-rank output's dataSync is already its [rows, dim] flattening.
          x: Float32Array.from(hidden!.dataSync()),
          n: rows,
          dim,
          ids: s.ids.subarray(start, start + rows),
          labels: s.labels?.subarray(start, start + rows),
          preds: logits ? rowArgMax(logits.dataSync(), rows, classes as number) : undefined,
        });
      } finally {
        hidden?.dispose();
        logits?.dispose();
      }
      start += rows;
    }
  };

  return {
    async onTrainBegin() {
      if (helloSent) return;
      helloSent = true;
      producer.hello({ layer: layer.name, dim, classes: opts.classes, model: model.name });
    },
    async onEpochEnd(epoch, logs) {
      stream(epoch, 'train', train);
      if (test) stream(epoch, 'test', test);
      if (opts.metrics !== false) {
        const values = numericLogs(logs);
        if (Object.keys(values).length > 0) producer.metrics({ epoch, values });
      }
      producer.epochEnd({ epoch, head: opts.head === false ? undefined : headOf(model, watched, dim) });
    },
    async onTrainEnd() {
      if (opts.endOnTrainEnd !== false) producer.end();
    },
  };
}
