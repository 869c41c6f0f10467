/** Frames per second over a sliding window, from counts reported as frames arrive. */

export class RateMeter {
  private readonly times: number[] = [];
  private readonly counts: number[] = [];
  private seen = false;

  /**
   * @param windowMs length of the averaging window (2 s: steady enough to read, recent enough to matter).
   */
  constructor(readonly windowMs = 2000) {
    if (!(windowMs > 0)) throw new Error(`RateMeter: windowMs must be > 0, got ${windowMs}`);
  }

  /** Record `count` frames at time `now` (ms). */
  note(count: number, now: number): void {
    if (!(count >= 0)) throw new Error(`RateMeter.note: count must be >= 0, got ${count}`);
    this.seen = true;
    this.times.push(now);
    this.counts.push(count);
    this.prune(now);
  }

  private prune(now: number): void {
    let k = 0;
    while (k < this.times.length && this.times[k] <= now - this.windowMs) k++;
    if (k > 0) {
      this.times.splice(0, k);
      this.counts.splice(0, k);
    }
  }

  /** Frames per second over the window ending at `now`; null if no frame was ever reported. */
  rate(now: number): number | null {
    if (!this.seen) return null;
    this.prune(now);
    let s = 0;
    for (const c of this.counts) s += c;
    return s / (this.windowMs / 1000);
  }

  /** Time of the latest report, or null. */
  get lastAt(): number | null {
    return this.times.length > 0 ? this.times[this.times.length - 1] : null;
  }
}
