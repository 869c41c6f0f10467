/**
 * The auditor: turns layouts, epoch data, metrics and transport events into alerts. Pure: it keeps
 * per-run state but reads no clock and touches no I/O; every method takes its input and returns the
 * alerts it caused (usually none). Three entries: `onEvent` for the session's events, `onEpochData`
 * and `onLayout` for the data no event carries (the assembled activations, the engine's layout).
 * The rules live one concern per file (activation-checks, geometry-triggers, loss-baseline,
 * transport-alerts, rate-limit; wording in messages); docs/alerts.md explains them.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { AlertEvent, Event } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import { activationAlerts } from './activation-checks.js';
import { activationGeometryAlerts, layoutAlerts } from './geometry-triggers.js';
import { metricsAlerts } from './loss-baseline.js';
import { resolveAuditOptions, type AuditOptions, type ResolvedAuditOptions } from './options.js';
import { newRunState, touch, type AuditRunState, type RunAlertEpochs } from './run-state.js';
import { ForgettingState, forgettingAlerts, noteTask } from './forgetting.js';
import { endAlerts, isAlertingReject, lostAlerts, rejectAlerts, silenceAlerts } from './transport-alerts.js';

export class Auditor {
  readonly options: ResolvedAuditOptions;
  private readonly runs = new Map<string, AuditRunState>();
  /** Continual learning: per run, only once a task was seen (the alert is opt-in). */
  private readonly forgetting = new Map<string, ForgettingState>();

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
  onLayout(layout: EpochLayout): readonly AlertEvent[] {
    const s = this.state(layout.run);
    touch(s, layout.epoch);
    return layoutAlerts(this.options, s, layout);
  }

  /** An assembled epoch split: its geometry (train split only), dead units, effective-rank collapse. */
  onEpochData(data: EpochData): readonly AlertEvent[] {
    const s = this.state(data.run);
    touch(s, data.epoch);
    const out: AlertEvent[] = [];
    activationGeometryAlerts(this.options, s, data, out);
    activationAlerts(this.options, s, data, out);
    if (this.options.alertForgetting && data.tasks) forgettingAlerts(this.options, s, this.forgettingOf(data.run), data, out);
    return out;
  }

  /**
   * An event of the session: a refused frame (non_finite becomes a nan alert), scalar metrics (the
   * loss baseline, non-finite values), lost frames, a silent producer, a run's end. Other events
   * cause no alert.
   */
  onEvent(e: Event): readonly AlertEvent[] {
    const o = this.options;
    switch (e.event) {
      case 'reject':
        return isAlertingReject(e) ? rejectAlerts(o, this.state(e.run ?? ''), e.run ?? '', e) : [];
      case 'metrics': {
        const s = this.state(e.run);
        touch(s, e.epoch);
        if (o.alertForgetting && e.task !== undefined) {
          // metrics are the run's; a further layer's data comes as RUN/LAYER and shares its tasks.
          this.forgettingOf(e.run);
          for (const [name, f] of this.forgetting) if (name === e.run || name.startsWith(`${e.run}/`)) noteTask(f, e.epoch, e.task);
        }
        return metricsAlerts(o, s, e);
      }
      case 'lost':
        return lostAlerts(o, this.state(e.run), e);
      case 'silence':
        return silenceAlerts(o, this.state(e.run), e);
      case 'end': {
        // A run the auditor never heard of has nothing held back.
        const s = this.runs.get(e.run);
        return s ? endAlerts(o, s, e.run) : [];
      }
      default:
        return [];
    }
  }

  private forgettingOf(run: string): ForgettingState {
    let f = this.forgetting.get(run);
    if (!f) {
      f = new ForgettingState();
      // A further layer (RUN/LAYER) seen first after its run's task was announced starts from it.
      const slash = run.lastIndexOf('/');
      if (slash > 0) f.task = this.forgetting.get(run.slice(0, slash))?.task;
      this.forgetting.set(run, f);
    }
    return f;
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
