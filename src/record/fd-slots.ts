/**
 * Caps the recorder's open files. One file per live run held open until exit ran out of file
 * descriptors at a few thousand runs, and the rest of the monitor (sockets, --on-alert) with it.
 * When the cap is reached, the least recently written file is closed (its run keeps the file and
 * reopens it, appending, when it next sends) and its descriptor goes to the file that asked.
 */

/** A file that can give its descriptor back: it closes after the writes already queued. */
export interface Releasable {
  release(): void;
}

export class FdSlots<T extends Releasable> {
  /** Open files, least recently used first (a Map keeps insertion order; touch re-inserts). */
  private readonly open = new Map<T, true>();
  /** Files asked to release and not done yet. */
  private readonly releasing = new Set<T>();
  private readonly waiters: (() => void)[] = [];
  private held = 0;

  constructor(readonly max: number) {
    if (!(Number.isSafeInteger(max) && max >= 1)) throw new RangeError(`maxOpenFiles must be an integer >= 1, got ${max}`);
  }

  /** Descriptors held now (open, opening or closing). */
  get inUse(): number {
    return this.held;
  }

  /** Resolves when the caller may open a file; it must then call opened() or unused(). */
  acquire(): Promise<void> {
    if (this.held < this.max) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.evict();
    });
  }

  opened(f: T): void {
    this.open.set(f, true);
  }

  /** The file was written to: it is the last to be closed for room. */
  touch(f: T): void {
    if (this.open.delete(f)) this.open.set(f, true);
  }

  /** The file's descriptor is closed. */
  freed(f: T): void {
    const was = this.open.delete(f);
    this.releasing.delete(f);
    if (was) this.unused();
  }

  /** A slot acquired and not used (the open failed) or given back: to a waiter, or free. */
  unused(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.held--;
      return;
    }
    next();
    this.evict();
  }

  private evict(): void {
    for (const f of this.open.keys()) {
      if (this.waiters.length <= this.releasing.size) return;
      if (this.releasing.has(f)) continue;
      this.releasing.add(f);
      f.release();
    }
  }
}
