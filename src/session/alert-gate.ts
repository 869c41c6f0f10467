/**
 * The last gate before an alert leaves the session: alerts name runs that said hello (a stream of
 * junk under invented run names must not become a stream of alerts), and each kind is rate-limited
 * across all runs, so a flood (thousands of runs, each tripping once) cannot bury the operator or
 * queue thousands of --on-alert commands. The auditor's own per-run limits come first
 * (docs/alerts.md#rate-limits); this one bounds the total.
 */
import type { AlertEvent, AlertKind } from '../model/events.js';

export interface AlertGateOptions {
  /** Alerts of one kind let through per window, across all runs. */
  readonly perKind: number;
  /** Window length, ms. */
  readonly windowMs: number;
}

/**
 * 20 alerts of one kind a minute: more than any real run produces (the auditor raises a kind at
 * most once per epoch per run, and epochs take seconds), few enough that an --on-alert command
 * taking a second each keeps up.
 */
export const ALERT_GATE_DEFAULTS: AlertGateOptions = { perKind: 20, windowMs: 60_000 };

interface KindWindow {
  start: number;
  passed: number;
  /** Dropped since the last alert of this kind that went out. */
  suppressed: number;
}

export class AlertGate {
  private readonly windows = new Map<AlertKind, KindWindow>();
  /** Alerts dropped by the rate limit, in all (the summary reports it). */
  suppressedTotal = 0;
  /** Alerts dropped because their run never said hello. */
  unknownRun = 0;

  constructor(private readonly opts: AlertGateOptions = ALERT_GATE_DEFAULTS) {}

  /**
   * @param known whether the alert's run said hello ('' = the monitor's own alert, always known)
   * @returns the alert to emit (carrying `suppressed` when earlier ones of its kind were dropped), or undefined.
   */
  pass(alert: AlertEvent, known: (run: string) => boolean, now: number): AlertEvent | undefined {
    if (alert.run !== '' && !known(alert.run)) {
      this.unknownRun++;
      return undefined;
    }
    let w = this.windows.get(alert.kind);
    if (!w) this.windows.set(alert.kind, (w = { start: now, passed: 0, suppressed: 0 }));
    if (now - w.start >= this.opts.windowMs) {
      w.start = now;
      w.passed = 0;
    }
    if (w.passed >= this.opts.perKind) {
      w.suppressed++;
      this.suppressedTotal++;
      return undefined;
    }
    w.passed++;
    if (w.suppressed === 0) return alert;
    const out: AlertEvent = { ...alert, suppressed: w.suppressed };
    w.suppressed = 0;
    return out;
  }
}
