/**
 * Bytes received in chunks and consumed from the front, copying only when a read spans chunks
 * (so waiting for a large entry chunk by chunk costs one copy, not one per chunk).
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed. */
  private head = 0;
  private total = 0;

  /** Bytes held and not yet consumed. */
  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /**
   * The first `n` bytes as one buffer (a view when they lie in one chunk). The merged chunk
   * replaces the ones it came from, so asking again costs nothing.
   */
  peek(n: number): Buffer {
    if (n > this.total) throw new RangeError(`peek(${n}) with ${this.total} bytes held`);
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const merged = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length - this.head, n - filled);
      c.copy(merged, filled, this.head, this.head + take);
      filled += take;
      if (this.head + take === c.length) {
        this.chunks.shift();
        this.head = 0;
      } else {
        // Keep the rest of a partly merged chunk as a chunk of its own, so that head stays 0.
        this.chunks[0] = c.subarray(this.head + take);
        this.head = 0;
      }
    }
    this.chunks.unshift(merged);
    return merged;
  }

  /**
   * Removes and returns the first `n` bytes. With `copy`, a small result is copied out of a
   * larger chunk, so that keeping it does not keep the whole chunk alive; a result that is most
   * of its chunk (or was merged from several) is handed out as it is.
   */
  take(n: number, copy: boolean): Buffer {
    const first = this.chunks[0];
    const shared = first !== undefined && first.length - this.head >= n && n < first.length / 2;
    const view = this.peek(n);
    this.skip(n);
    return copy && shared ? Buffer.from(view) : view;
  }

  /**
   * Moves every byte held into the start of `target` (which must have room) and empties the
   * queue: a reader can then read the rest of an entry into the same buffer and push it back whole.
   */
  moveInto(target: Buffer): number {
    let at = 0;
    this.chunks.forEach((c, i) => {
      const from = i === 0 ? this.head : 0;
      c.copy(target, at, from);
      at += c.length - from;
    });
    this.chunks = [];
    this.head = 0;
    this.total = 0;
    return at;
  }

  /** Drops the first `n` bytes (at most what is held). */
  skip(n: number): void {
    let left = Math.min(n, this.total);
    this.total -= left;
    while (left > 0) {
      const c = this.chunks[0]!;
      const rest = c.length - this.head;
      if (rest > left) {
        this.head += left;
        return;
      }
      left -= rest;
      this.chunks.shift();
      this.head = 0;
    }
  }
}
