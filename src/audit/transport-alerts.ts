/**
 * Alerts about the stream rather than the training: producers sending NaN/Inf (refused frames),
 * frames lost on the way, producers gone silent (docs/alerts.md#nan, docs/alerts.md#lost-frames,
 * docs/alerts.md#silence).
 */
import type { AlertEvent, LostEvent, RejectEvent, SilenceEvent } from '../model/events.js';
import { lostFramesAlert, nonFiniteRejectAlert, silenceAlert } from './messages.js';
import type { ResolvedAuditOptions } from './options.js';
import { repeat } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/** Only frames refused for non-finite values are alerts; other refusals are protocol errors, shown as rejects. */
export function isAlertingReject(e: RejectEvent): boolean {
  return e.code === 'non_finite';
}

/** A frame refused for NaN/Inf: a nan alert (its reason names the tensor or metric). */
export function rejectAlerts(o: ResolvedAuditOptions, s: AuditRunState, run: string, e: RejectEvent): AlertEvent[] {
  const out: AlertEvent[] = [];
  repeat(s, out, nonFiniteRejectAlert(run, s.lastEpoch, e), o.maxRepeats);
  return out;
}

/** A gap in a producer's seq: lost_frames, rate limited, counts carried to the next alert. */
export function lostAlerts(o: ResolvedAuditOptions, s: AuditRunState, e: LostEvent): AlertEvent[] {
  s.lostPending += e.count;
  s.lostTotal += e.count;
  const out: AlertEvent[] = [];
  if (s.lostPending >= o.lostFrames) reportLost(o, s, e.run, out, e);
  return out;
}

/** A producer said nothing for `seconds`: one silence alert per silent stretch. */
export function silenceAlerts(o: ResolvedAuditOptions, s: AuditRunState, e: SilenceEvent): AlertEvent[] {
  const out: AlertEvent[] = [];
  if (!(e.seconds >= o.silenceSeconds) || s.silent.has(e.producer)) return out;
  const sent = repeat(s, out, silenceAlert(e.run, e.producer, e.seconds, s.lastEpoch, o.silenceSeconds), o.maxRepeats, true);
  if (sent) s.silent.add(e.producer);
  return out;
}

/** The run ended: report lost frames still held back by the rate limit. */
export function endAlerts(o: ResolvedAuditOptions, s: AuditRunState, run: string): AlertEvent[] {
  const out: AlertEvent[] = [];
  if (s.lostPending > 0) reportLost(o, s, run, out, null);
  s.silent.clear();
  return out;
}

/** Reports the pending lost frames; `e` is null at the run's end, where no rate limit applies. */
function reportLost(o: ResolvedAuditOptions, s: AuditRunState, run: string, out: AlertEvent[], e: LostEvent | null): void {
  const atEnd = e === null;
  const a = lostFramesAlert(run, s.lastEpoch, s.lostPending, s.lostTotal, e, atEnd);
  // Suppressed lost events are already summed into `pending`, so the count is not repeated.
  if (atEnd) {
    out.push({ event: 'alert', ...a });
    s.lostPending = 0;
    return;
  }
  if (repeat(s, out, a, o.maxRepeats)) s.lostPending = 0;
  else s.suppressed.delete('lost_frames');
}
