import type { Printable } from './printable.js';

/** Which part of the fixed sample set a row belongs to. */
export type Split = 'train' | 'test';

/** A classifier's final linear layer: logits = W x + b. */
export interface Head {
  readonly classes: number;
  readonly dim: number;
  /** classes*dim, row-major. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** One assembled epoch of one split of one run: what the engine is handed. */
export interface EpochData {
  readonly run: string;
  readonly epoch: number;
  readonly split: Split;
  /** Rows. */
  readonly n: number;
  /** Columns (the run's D). */
  readonly dim: number;
  /** n*dim float32, row-major, contiguous. */
  readonly x: Float32Array;
  /** Stable sample ids, n. */
  readonly ids: Float64Array;
  /** Ground-truth classes, n; absent when no batch carried labels. */
  readonly labels?: Int32Array;
  /** Model predictions, n; absent when no batch carried them. */
  readonly preds?: Int32Array;
  /** Task of each row (continual learning), n, -1 where a batch had none; absent when no batch carried them. */
  readonly tasks?: Int32Array;
  /** Classifier head sent with epoch_end, if any. */
  readonly head?: Head;
  /** Class names from hello (sanitised). */
  readonly classes?: readonly Printable[];
}

/** Every split of one (run, epoch), complete: what ingest hands on and the engine's update() takes. */
export interface EpochSet {
  readonly run: string;
  readonly epoch: number;
  readonly splits: readonly EpochData[];
  /**
   * Completed not by its producers but for them: they fell silent, the run was forgotten to make
   * room (max-runs), or the monitor is stopping. The engine projects such epochs after every epoch
   * a producer finished, so runs left behind (a crashed job, or thousands of hostile ones) cannot
   * starve a live run; and --exit-on-end does not wait for them.
   */
  readonly leftover?: boolean;
}
