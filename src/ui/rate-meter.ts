/**
 * Frames per second over a sliding window, from counts reported as frames arrive. Counts go
 * into fixed time slots of a ring (O(1) per report, whatever the frame rate: the monitor may
 * report thousands of frames a second).
 */

/** Slot length: the rate's time resolution. */
const SLOT_MS = 100;

export class RateMeter {
  private readonly slots: Float64Array;
  /** Index (time / SLOT_MS) of the newest slot in use, or null before the first report. */
  private head: number | null = null;
  private last: number | null = null;

  /**
   * @param windowMs length of the averaging window, a multiple of 100 ms (2 s: steady enough
   *   to read, recent enough to matter).
   */
  constructor(readonly windowMs = 2000) {
    if (!(windowMs >= SLOT_MS) || windowMs % SLOT_MS !== 0) {
      throw new Error(`RateMeter: windowMs must be a positive multiple of ${SLOT_MS}, got ${windowMs}`);
    }
    this.slots = new Float64Array(windowMs / SLOT_MS);
  }

  /** Move the ring forward to time `now`, clearing slots that fell out of the window. */
  private advance(now: number): void {
    const slot = Math.floor(now / SLOT_MS);
    if (this.head === null) {
      this.head = slot;
      return;
    }
    if (slot <= this.head) return;
    const n = this.slots.length;
    const steps = Math.min(n, slot - this.head);
    for (let k = 1; k <= steps; k++) this.slots[(((this.head + k) % n) + n) % n] = 0;
    this.head = slot;
  }

  /** Record `count` frames at time `now` (ms, non-decreasing). */
  note(count: number, now: number): void {
    if (!(count >= 0)) throw new Error(`RateMeter.note: count must be >= 0, got ${count}`);
    this.advance(now);
    const n = this.slots.length;
    this.slots[((this.head! % n) + n) % n] += count;
    this.last = now;
  }

  /** Frames per second over the window ending at `now`; null if no frame was ever reported. */
  rate(now: number): number | null {
    if (this.last === null) return null;
    this.advance(now);
    let s = 0;
    for (const c of this.slots) s += c;
    return s / (this.windowMs / 1000);
  }

  /** Time of the latest report, or null before the first. */
  get lastAt(): number | null {
    return this.last;
  }
}
