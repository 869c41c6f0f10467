/**
 * A bounded FIFO of encoded frames that drops the oldest frame when full.
 *
 * Some frames can be pinned: they are dropped only when nothing else is left to drop. The
 * producer pins its latest `hello`, because the monitor refuses every frame of a producer whose
 * hello it never saw, so losing it would turn a short outage into a lost epoch or more.
 */

/** One queued frame. */
export interface QueuedFrame {
  readonly bytes: Buffer;
  /** Drop this one last. */
  readonly pinned: boolean;
}

export class SendQueue {
  private items: QueuedFrame[] = [];
  private head = 0;
  /** Frames dropped because the queue was full. */
  dropped = 0;

  /** @param limit the most frames held at once (>= 1). */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`queueLimit must be an integer >= 1, got ${limit}`);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Add a frame; when full, drop the oldest unpinned frame (or the oldest if all are pinned). */
  push(frame: QueuedFrame): void {
    if (this.length >= this.limit) this.dropOldest();
    this.items.push(frame);
  }

  /** Makes every queued frame droppable (a newer hello supersedes the queued ones). */
  unpinAll(): void {
    for (let i = this.head; i < this.items.length; i++) {
      if (this.items[i]!.pinned) this.items[i] = { ...this.items[i]!, pinned: false };
    }
  }

  peek(): QueuedFrame | undefined {
    return this.items[this.head];
  }

  shift(): QueuedFrame | undefined {
    const frame = this.items[this.head];
    if (frame === undefined) return undefined;
    this.head++;
    // Compact now and then so that shift stays O(1) amortised without growing forever.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return frame;
  }

  /** Empty the queue, counting what was still in it as dropped; returns how many. */
  clear(): number {
    const n = this.length;
    this.dropped += n;
    this.items = [];
    this.head = 0;
    return n;
  }

  private dropOldest(): void {
    let victim = this.head;
    while (victim < this.items.length && this.items[victim]!.pinned) victim++;
    if (victim === this.items.length) victim = this.head;
    this.items.splice(victim, 1);
    this.dropped++;
  }
}
