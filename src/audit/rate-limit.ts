/**
 * How often an alert kind may speak. Most kinds fire once per run; nan, lost_frames and silence
 * repeat, rate limited so that a run that keeps failing cannot flood the alert stream
 * (docs/alerts.md#rate-limits).
 */
import type { AlertEvent } from '../model/events.js';
import { repeatLimitNote, type AlertDraft } from './messages.js';
import type { AuditRunState } from './run-state.js';

/** Pushes a once-per-run alert unless its kind already fired for the run. */
export function once(s: AuditRunState, out: AlertEvent[], a: AlertDraft): void {
  if (s.fired.has(a.kind)) return;
  s.fired.add(a.kind);
  out.push({ event: 'alert', ...a });
}

/**
 * Pushes an alert once per run per `key` (finer than the kind: "dead_units:warning"), and marks its
 * kind as fired.
 */
export function onceFor(s: AuditRunState, out: AlertEvent[], key: string, a: AlertDraft): void {
  if (s.firedKeys.has(key)) return;
  s.firedKeys.add(key);
  s.fired.add(a.kind);
  out.push({ event: 'alert', ...a });
}

/**
 * Pushes a repeating alert unless rate limited: at most one per run per epoch (the latest epoch
 * seen), at most `maxRepeats` per run. Held-back events are counted into the next alert's evidence.
 * `perStretch` skips the per-epoch limit (silence has its own: once per silent stretch).
 * Returns whether the alert went out.
 */
export function repeat(s: AuditRunState, out: AlertEvent[], a: AlertDraft, maxRepeats: number, perStretch = false): boolean {
  const count = s.repeatCount.get(a.kind) ?? 0;
  const sameEpoch = s.repeatEpoch.has(a.kind) && s.repeatEpoch.get(a.kind) === s.lastEpoch;
  if (count >= maxRepeats || (!perStretch && sameEpoch)) {
    s.suppressed.set(a.kind, (s.suppressed.get(a.kind) ?? 0) + 1);
    return false;
  }
  const suppressed = s.suppressed.get(a.kind) ?? 0;
  s.suppressed.set(a.kind, 0);
  s.repeatCount.set(a.kind, count + 1);
  s.repeatEpoch.set(a.kind, s.lastEpoch);
  const last = count + 1 === maxRepeats;
  out.push({
    event: 'alert',
    ...a,
    message: last ? repeatLimitNote(a.message, a.kind, maxRepeats) : a.message,
    evidence: { ...a.evidence, ...(suppressed > 0 ? { suppressed_since_last: suppressed } : {}) },
  });
  return true;
}
