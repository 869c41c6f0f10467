/**
 * Runs the work of timers and event callbacks (the silence tick, a presenter taking an event, a
 * dashboard redraw) so that an exception in one is reported and the monitor goes on: thrown from
 * a timer it would end the process, with no summary and no synced recording.
 */
import { describeError } from '../ingest/ingest-errors.js';

/** Distinct failure texts remembered for their repeat counts; beyond this each is counted afresh. */
const MAX_REMEMBERED = 256;

export class CallbackGuard {
  private readonly counts = new Map<string, number>();
  /** A report is being made: a failure inside it goes to stderr, not back into the report (no loop). */
  private reporting = false;
  /** Failures caught so far. */
  failures = 0;

  /** @param report tells the operator (a notice event: alert log, headless line); may itself throw. */
  constructor(private readonly report: (message: string) => void) {}

  /** Runs fn; an exception becomes a report naming `where`, and undefined is returned. */
  run<T>(where: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.fail(where, err);
      return undefined;
    }
  }

  /** Reports a failure caught elsewhere (a rejected promise of a callback). */
  fail(where: string, err: unknown): void {
    this.failures++;
    const text = `internal error in ${where} (the monitor goes on): ${describeError(err)}`;
    if (!this.counts.has(text) && this.counts.size >= MAX_REMEMBERED) this.counts.clear();
    const count = (this.counts.get(text) ?? 0) + 1;
    this.counts.set(text, count);
    // A failure that repeats on every frame or tick is reported the 1st, 2nd, 4th, 8th... time,
    // so the alert log is not flooded and the count still shows it goes on.
    if ((count & (count - 1)) !== 0) return;
    const message = count > 1 ? `${text} (${count} times so far)` : text;
    if (this.reporting) {
      process.stderr.write(`sentrycam: ${message}\n`);
      return;
    }
    this.reporting = true;
    try {
      this.report(message);
    } catch (again) {
      process.stderr.write(`sentrycam: ${message}; reporting it failed too: ${describeError(again)}\n`);
    } finally {
      this.reporting = false;
    }
  }
}
