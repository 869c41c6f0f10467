/**
 * Scalar metrics: the validation-loss alert (the baseline the geometry alert is compared with,
 * docs/alerts.md#loss) and non-finite values (docs/alerts.md#nan).
 */
import type { AlertEvent, MetricsEvent } from '../model/events.js';
import { lossAlert, nonFiniteMetricAlert } from './messages.js';
import type { ResolvedAuditOptions } from './options.js';
import { repeat } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/** One metrics event: a nan alert for non-finite values, and its loss value into the baseline trigger. */
export function metricsAlerts(o: ResolvedAuditOptions, s: AuditRunState, e: MetricsEvent): AlertEvent[] {
  const out: AlertEvent[] = [];
  const bad = Object.entries(e.values).filter(([, v]) => !Number.isFinite(v));
  if (bad.length > 0) repeat(s, out, nonFiniteMetricAlert(e, bad), o.maxRepeats);
  const v = e.values[o.lossMetric];
  if (v !== undefined && Number.isFinite(v)) {
    // The first value of an epoch counts; later ones (the trigger ignores epochs it has seen) do not.
    const f = s.loss.push(e.epoch, v);
    if (f !== null) {
      s.lossEpoch = f.epoch;
      s.fired.add('loss');
      out.push(lossAlert(e.run, f, o, s.geometryEpoch));
    }
  }
  return out;
}
