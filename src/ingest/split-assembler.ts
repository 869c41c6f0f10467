/** Accumulates one (epoch, split)'s batches into contiguous, geometrically grown storage. */
import type { BatchFrame } from '../protocol/types.js';

/** First allocation, in rows: small runs stay small, big ones double a few times at most. */
const INITIAL_ROWS = 1024;
/** Bytes of a frame besides its rows that a batch held by reference may keep alive: its header. */
const REFERENCE_SLACK = 64 * 1024;

/**
 * Storage without the zero fill that `new Float32Array(n)` pays (a full extra pass over 10 MB per
 * epoch): every row is written by append() before finish() exposes it.
 */
function uninitialised<T extends Float32Array | Float64Array>(Kind: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }, length: number): T {
  return new Kind(Buffer.allocUnsafeSlow(length * Kind.BYTES_PER_ELEMENT).buffer as ArrayBuffer, 0, length);
}

/**
 * Bytes one row is counted as: x as float32 plus 8 for its id and 4 each for label and pred,
 * whether or not they were sent (a bound, simpler than tracking which arrays exist).
 */
export function rowBytes(dim: number): number {
  return dim * 4 + 16;
}

export class SplitAssembler {
  private rows = 0;
  private capacity = 0;
  private x = new Float32Array(0);
  private ids = new Float64Array(0);
  private labels?: Int32Array;
  private preds?: Int32Array;
  private tasks?: Int32Array;
  private readonly seen = new Set<number>();
  /**
   * The first batch, held by reference: an epoch sent as one frame (the common case) is handed on
   * without copying its 10s of MB; storage is built only when a second batch arrives.
   */
  private single?: BatchFrame;

  constructor(readonly dim: number) {}

  get n(): number {
    return this.rows;
  }

  /** Bytes held now, as counted by rowBytes: the storage allocated, or the single batch held. */
  get heldBytes(): number {
    return (this.single ? this.rows : this.capacity) * rowBytes(this.dim);
  }

  /** The least heldBytes can be after appending `rows` more rows (growth only as far as needed). */
  bytesToTake(rows: number): number {
    const need = this.rows + rows;
    if (!this.single && need <= this.capacity) return this.heldBytes;
    return need * rowBytes(this.dim);
  }

  /** The first id of `ids` already present in this split, if any. */
  firstDuplicate(ids: Float64Array): number | undefined {
    for (const id of ids) if (this.seen.has(id)) return id;
    return undefined;
  }

  /**
   * Appends a validated batch (same dim, no duplicate ids).
   * @param maxBytes most bytes this split may hold afterwards (at least bytesToTake(batch.n)):
   *   storage grows geometrically, but never past it.
   */
  append(batch: BatchFrame, maxBytes = Infinity): void {
    const maxRows = Math.floor(maxBytes / rowBytes(this.dim));
    if (this.rows + batch.n > maxRows) throw new Error(`append: ${this.rows + batch.n} rows do not fit in ${maxBytes} bytes`);
    if (this.rows === 0 && !this.single) {
      // x may be a view into the whole received buffer. The protocol allows padding, so a frame can
      // be far larger than its rows: held by reference it would keep that alive uncounted.
      const retained = batch.x.buffer.byteLength;
      const wasteful = retained > 2 * batch.n * rowBytes(this.dim) + REFERENCE_SLACK;
      this.single = wasteful ? { ...batch, x: batch.x.slice() } : batch;
      for (const id of batch.ids) this.seen.add(id);
      this.rows = batch.n;
      return;
    }
    if (this.single) this.materialise(this.rows + batch.n, maxRows);
    this.reserve(this.rows + batch.n, maxRows);
    this.x.set(batch.x, this.rows * this.dim);
    this.ids.set(batch.ids, this.rows);
    for (const id of batch.ids) this.seen.add(id);
    this.labels = this.appendClasses(this.labels, batch.labels);
    this.preds = this.appendClasses(this.preds, batch.preds);
    this.tasks = this.appendClasses(this.tasks, batch.tasks);
    this.rows += batch.n;
  }

  /** Trimmed views of the assembled storage (no copy). */
  finish(): { n: number; x: Float32Array; ids: Float64Array; labels?: Int32Array; preds?: Int32Array; tasks?: Int32Array } {
    if (this.single) {
      const { n, x, ids, labels, preds, tasks } = this.single;
      return { n, x, ids, labels, preds, ...(tasks ? { tasks } : {}) };
    }
    const n = this.rows;
    return {
      n,
      x: this.x.subarray(0, n * this.dim),
      ids: this.ids.subarray(0, n),
      labels: this.labels?.subarray(0, n),
      preds: this.preds?.subarray(0, n),
      ...(this.tasks ? { tasks: this.tasks.subarray(0, n) } : {}),
    };
  }

  /** Moves the single held batch into storage for `rows` rows, as if it had been appended. */
  private materialise(rows: number, maxRows: number): void {
    const first = this.single!;
    this.single = undefined;
    this.rows = 0;
    this.reserve(rows, maxRows);
    this.x.set(first.x, 0);
    this.ids.set(first.ids, 0);
    this.labels = this.appendClasses(this.labels, first.labels);
    this.preds = this.appendClasses(this.preds, first.preds);
    this.tasks = this.appendClasses(this.tasks, first.tasks);
    this.rows = first.n;
  }

  /** Batches without labels leave -1 ("unknown") in their rows, so rows stay aligned. */
  private appendClasses(store: Int32Array | undefined, values: Int32Array | undefined): Int32Array | undefined {
    if (!values && !store) return undefined;
    let out = store;
    if (!out) {
      out = new Int32Array(this.capacity).fill(-1);
    }
    if (values) out.set(values, this.rows);
    return out;
  }

  private reserve(rows: number, maxRows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.min(Math.max(rows, this.capacity * 2, INITIAL_ROWS), maxRows);
    const x = uninitialised(Float32Array, capacity * this.dim);
    x.set(this.x.subarray(0, this.rows * this.dim));
    const ids = uninitialised(Float64Array, capacity);
    ids.set(this.ids.subarray(0, this.rows));
    const grow = (a: Int32Array | undefined): Int32Array | undefined => {
      if (!a) return undefined;
      const b = new Int32Array(capacity).fill(-1);
      b.set(a.subarray(0, this.rows));
      return b;
    };
    this.labels = grow(this.labels);
    this.preds = grow(this.preds);
    this.tasks = grow(this.tasks);
    this.x = x;
    this.ids = ids;
    this.capacity = capacity;
  }
}
