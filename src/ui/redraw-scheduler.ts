/**
 * Coalesced, rate-capped redraws: any number of requests between two frames give one frame,
 * frames are at least 1/fps apart, and no timer exists while nothing asks for a redraw (so an
 * idle dashboard costs no CPU).
 */

/** The clock and timer functions used (tests inject their own). */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class RedrawScheduler {
  private pending: unknown = null;
  private last = -Infinity;
  private readonly interval: number;
  private disposed = false;

  /**
   * @param draw draws one frame.
   * @param fps frame-rate cap, > 0.
   * @param clock time source (default: performance.now and the global timers).
   */
  constructor(
    private readonly draw: () => void,
    fps: number,
    private readonly clock: SchedulerClock = realClock,
  ) {
    if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`RedrawScheduler: fps must be a positive number, got ${fps}`);
    this.interval = 1000 / fps;
  }

  /** Whether a frame is scheduled. */
  get scheduled(): boolean {
    return this.pending !== null;
  }

  /** Ask for a frame; it comes as soon as the cap allows (merged with other requests). */
  request(): void {
    if (this.disposed || this.pending !== null) return;
    const wait = Math.max(0, this.last + this.interval - this.clock.now());
    this.pending = this.clock.setTimeout(() => this.run(), wait);
  }

  /** Draw now (e.g. after a resize or a key press), cancelling a scheduled frame. */
  flush(): void {
    if (this.disposed) return;
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
    this.run();
  }

  private run(): void {
    this.pending = null;
    this.last = this.clock.now();
    this.draw();
  }

  /** Cancel any scheduled frame; later requests are ignored. */
  dispose(): void {
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
    this.pending = null;
    this.disposed = true;
  }
}
