/** Decoded, validated frames of protocol v1 (clients/PROTOCOL.md). */
import type { Head, Split } from '../model/epoch-data.js';

export type { Head, Split };

export type DType = 'float16' | 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'uint32';

/** One entry of `header.tensors`, as sent. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Byte offset from the start of the body. */
  readonly offset: number;
  readonly nbytes: number;
}

/** Fields every frame carries. */
export interface FrameBase {
  readonly run: string;
  /** Defaults to "0". */
  readonly producer: string;
  readonly seq: number;
}

export interface HelloFrame extends FrameBase {
  readonly type: 'hello';
  readonly layer: string;
  readonly dim: number;
  /** Class names, index = label. */
  readonly classes?: readonly string[];
  readonly model?: string;
}

export interface BatchFrame extends FrameBase {
  readonly type: 'batch';
  readonly epoch: number;
  readonly split: Split;
  /** Rows in this batch. */
  readonly n: number;
  /** Columns of x. */
  readonly dim: number;
  /** n*dim, row-major, converted to float32 whatever was sent. */
  readonly x: Float32Array;
  /** Sample ids (int64 ids beyond 2^53 are rejected). */
  readonly ids: Float64Array;
  readonly labels?: Int32Array;
  readonly preds?: Int32Array;
  /** Task of each row (protocol 1.1, continual learning). */
  readonly tasks?: Int32Array;
  /** Revision 1.1: which of the run's layers (a hello named it); absent = the run's first layer. */
  readonly layer?: string;
}


export interface EpochEndFrame extends FrameBase {
  readonly type: 'epoch_end';
  readonly epoch: number;
  readonly head?: Head;
  /** Revision 1.1: which of the run's layers the epoch ends for; absent = the run's first layer. */
  readonly layer?: string;
}

export interface MetricsFrame extends FrameBase {
  readonly type: 'metrics';
  readonly epoch: number;
  readonly step?: number;
  readonly values: Readonly<Record<string, number>>;
  /** The task being trained (protocol 1.1, continual learning). */
  readonly task?: number;
}

export interface EndFrame extends FrameBase {
  readonly type: 'end';
}

export type Frame = HelloFrame | BatchFrame | EpochEndFrame | MetricsFrame | EndFrame;

/** Why a frame was refused. run/producer/seq are present when the header got far enough to tell. */
export interface Reject {
  readonly run?: string;
  readonly producer?: string;
  readonly seq?: number;
  /** Short machine-readable class, e.g. "bad_magic", "non_finite". */
  readonly code: RejectCode;
  /** Human-readable, names the problem. */
  readonly reason: string;
}

export type RejectCode =
  | 'too_short'
  | 'bad_magic'
  | 'bad_version'
  | 'bad_header'
  | 'bad_field'
  | 'bad_tensor'
  | 'non_finite'
  | 'dim_mismatch'
  | 'duplicate_id'
  | 'bad_label'
  | 'no_hello'
  | 'stale_epoch'
  /** A cap of the monitor (sentrycam(1), LIMITS) would be exceeded; the reason names it and its value. */
  | 'over_limit'
  /** seq jumped further ahead than frames could really have been lost (a restarted or broken producer). */
  | 'bad_seq'
  /** Handling the frame threw; the monitor went on. The reason names the error. */
  | 'internal_error';

export type DecodeResult = { readonly ok: true; readonly frame: Frame } | { readonly ok: false; readonly reject: Reject };
