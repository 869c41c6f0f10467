/**
 * The auditor: turns layouts, epoch data, metrics and transport events into alerts. Pure: it keeps
 * per-run state but reads no clock and touches no I/O; every method takes its input and returns the
 * alerts it caused (usually none). The rules live in one file per concern (activation-checks,
 * geometry-triggers, loss-baseline, transport-alerts, rate-limit); docs/alerts.md explains them.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { AlertEvent, LostEvent, MetricsEvent, RejectEvent } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import { activationAlerts } from './activation-checks.js';
import { activationGeometryAlerts, layoutAlerts } from './geometry-triggers.js';
import { metricsAlerts } from './loss-baseline.js';
import { resolveAuditOptions, type AuditOptions, type ResolvedAuditOptions } from './options.js';
import { newRunState, touch, type AuditRunState, type RunAlertEpochs } from './run-state.js';
import { endAlerts, isAlertingReject, lostAlerts, rejectAlerts, silenceAlerts } from './transport-alerts.js';

export class Auditor {
  readonly options: ResolvedAuditOptions;
  private readonly runs = new Map<string, AuditRunState>();

  /** @param opts thresholds; see AUDIT_DEFAULTS in options.ts and docs/alerts.md for the defaults and why. */
  constructor(opts: AuditOptions = {}) {
    this.options = resolveAuditOptions(opts);
  }

  /** Alert epochs of a run so far (for summaries and the evidence table). */
  alertEpochs(run: string): RunAlertEpochs {
    const s = this.runs.get(run);
    return { geometry: s?.geometryEpoch ?? null, loss: s?.lossEpoch ?? null };
  }

  /** A projected epoch: the geometry trigger and layout-based collapse. */
  onLayout(layout: EpochLayout): AlertEvent[] {
    const s = this.state(layout.run);
    touch(s, layout.epoch);
    return layoutAlerts(this.options, s, layout);
  }

  /** An assembled epoch: its geometry (train split), non-finite values, dead units, effective-rank collapse. */
  onEpochData(data: EpochData): AlertEvent[] {
    const s = this.state(data.run);
    touch(s, data.epoch);
    const out: AlertEvent[] = [];
    activationGeometryAlerts(this.options, s, data, out);
    activationAlerts(this.options, s, data, out);
    return out;
  }

  onReject(e: RejectEvent): AlertEvent[] {
    if (!isAlertingReject(e)) return [];
    const run = e.run ?? '';
    return rejectAlerts(this.options, this.state(run), run, e);
  }

  onMetrics(e: MetricsEvent): AlertEvent[] {
    const s = this.state(e.run);
    touch(s, e.epoch);
    return metricsAlerts(this.options, s, e);
  }

  onLost(e: LostEvent): AlertEvent[] {
    return lostAlerts(this.options, this.state(e.run), e);
  }

  onSilence(run: string, producer: string, seconds: number): AlertEvent[] {
    return silenceAlerts(this.options, this.state(run), { event: 'silence', run, producer, seconds });
  }

  onEnd(run: string): AlertEvent[] {
    const s = this.runs.get(run);
    return s ? endAlerts(this.options, s, run) : [];
  }

  private state(run: string): AuditRunState {
    let s = this.runs.get(run);
    if (!s) {
      s = newRunState(this.options);
      this.runs.set(run, s);
    }
    return s;
  }
}
