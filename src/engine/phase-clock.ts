/**
 * The update's profile: milliseconds per named phase, reported as `phases_ms` with every epoch
 * (the headless output and the bench read it).
 */

/** Milliseconds per phase of one update. */
export type PhaseTimes = Record<string, number>;

/** Times consecutive phases of one update. */
export class PhaseClock {
  /** When the update started (performance.now()). */
  readonly t0 = performance.now();
  /** Time per phase so far; a phase lapped twice adds up. */
  readonly times: PhaseTimes = {};
  private mark = this.t0;

  /** End the current phase under this name; the next phase starts now. */
  lap(name: string): void {
    const now = performance.now();
    this.times[name] = (this.times[name] ?? 0) + (now - this.mark);
    this.mark = now;
  }

  /** Milliseconds since the update started. */
  elapsed(): number {
    return performance.now() - this.t0;
  }
}
