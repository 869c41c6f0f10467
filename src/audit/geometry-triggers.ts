/**
 * The geometry alert and the geometry-based collapse checks: each epoch's class geometry and drift,
 * from the 2-D layout or from the raw activations, into the run's causal triggers
 * (docs/alerts.md#geometry and docs/alerts.md#collapse).
 */
import type { AlertEvent } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { idSubset, type DriftTracker } from './drift.js';
import { activationGeometry, geometrySignals, type EpochGeometry } from './geometry-signals.js';
import { centroidCollapseAlert, geometryAlert, geometryChangeAlert, layoutCollapseAlert } from './messages.js';
import { signalOf, sourceOf, type GeometrySource, type ResolvedAuditOptions } from './options.js';
import { once } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/** True when some geometry metric, or the centroid-collapse check, is computed on this source. */
export function wantsSource(o: ResolvedAuditOptions, source: GeometrySource): boolean {
  return o.geometrySource === source || o.geometryMetrics.some((m) => m.startsWith(`${source}:`));
}

/** A projected epoch: layout collapse, then (when the layout is watched) its geometry into the triggers. */
export function layoutAlerts(o: ResolvedAuditOptions, s: AuditRunState, layout: EpochLayout): AlertEvent[] {
  const out: AlertEvent[] = [];
  const g = geometrySignals(layout, { percentile: o.radiusPercentile });
  if (layout.metrics.degenerate === true || (g === null && layout.labels && allOnOneSpot(layout))) {
    once(s, out, layoutCollapseAlert(layout.run, layout.epoch));
    return out;
  }
  if (!wantsSource(o, 'layout')) return out;
  const moved = movement(o, s, 'layout', (t) => t.push(layout.positions, 2, layout.n, layout.ids, (i) => layout.split[i] === 0));
  feedGeometry(o, s, 'layout', layout.run, layout.epoch, { ...g, ...moved, classGeo: g }, out);
  return out;
}

/** An assembled train split: its geometry into the triggers, when the activations are watched. */
export function activationGeometryAlerts(o: ResolvedAuditOptions, s: AuditRunState, data: EpochData, out: AlertEvent[]): void {
  if (data.split !== 'train' || !wantsSource(o, 'activations')) return;
  // Class geometry only when a class metric or the centroid-collapse check uses it (it costs n*dim).
  const needClasses = o.geometrySource === 'activations' || o.geometryMetrics.some((m) => m.startsWith('activations:') && !MOVEMENT.has(signalOf(m)));
  const g = needClasses ? activationGeometry(data, { percentile: o.radiusPercentile }) : null;
  const moved = movement(o, s, 'activations', (t) => t.push(data.x, data.dim, data.n, data.ids, idSubset(data.ids, o.maxDriftRows)));
  feedGeometry(o, s, 'activations', data.run, data.epoch, { ...g, ...moved, classGeo: g }, out);
}

/** Signals read from the source's drift tracker rather than from class geometry. */
const MOVEMENT: ReadonlySet<string> = new Set(['drift', 'rescale']);

/** Drift and rescale of one epoch, when either is watched on this source: one push of its tracker serves both. */
function movement(o: ResolvedAuditOptions, s: AuditRunState, source: GeometrySource, push: (t: DriftTracker) => number | null): { drift?: number; rescale?: number } {
  if (!o.geometryMetrics.some((m) => sourceOf(m) === source && MOVEMENT.has(signalOf(m)))) return {};
  const tracker = s.drift[source];
  const drift = push(tracker);
  return { drift: drift ?? undefined, rescale: tracker.rescale ?? undefined };
}

/** Geometry signals of one epoch from one source into its detectors or triggers, and centroid collapse. */
function feedGeometry(o: ResolvedAuditOptions, s: AuditRunState, source: GeometrySource, run: string, epoch: number, g: EpochGeometry, out: AlertEvent[]): void {
  for (const [metric, detector] of s.detectors) {
    if (!metric.startsWith(`${source}:`)) continue;
    const v = g[signalOf(metric)];
    if (v === undefined) continue;
    for (const f of detector.push(epoch, v)) {
      // One info and one warning per run, whichever signal gets there first.
      const key = `geometry:${f.severity}`;
      if (s.firedKeys.has(key)) continue;
      s.firedKeys.add(key);
      if (f.severity === 'warning') {
        s.geometryEpoch = f.epoch;
        s.fired.add('geometry');
        // Another signal's info after the run's warning would say less than what was already said.
        s.firedKeys.add('geometry:info');
      }
      out.push(geometryChangeAlert(run, metric, f, g, o, s.lossEpoch));
    }
  }
  for (const [metric, trigger] of s.geometry) {
    if (!metric.startsWith(`${source}:`)) continue;
    const v = g[signalOf(metric)];
    if (v === undefined) continue;
    const f = trigger.push(epoch, v);
    if (f !== null && s.geometryEpoch === null) {
      s.geometryEpoch = f.epoch;
      s.fired.add('geometry');
      out.push(geometryAlert(run, metric, f, g, o, s.lossEpoch));
    }
  }
  if (source !== o.geometrySource) return;
  const c = g.classGeo;
  if (c === null) return;
  s.layouts++;
  if (s.layouts > o.burnIn && c.D < o.collapseD) once(s, out, centroidCollapseAlert(run, epoch, c, o));
}

/** True when the layout's finite train positions all coincide. */
function allOnOneSpot(layout: EpochLayout): boolean {
  let x0 = NaN;
  let y0 = NaN;
  let seen = 0;
  for (let i = 0; i < layout.n; i++) {
    if (layout.split[i] !== 0) continue;
    const x = layout.positions[2 * i]!;
    const y = layout.positions[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (seen === 0) {
      x0 = x;
      y0 = y;
    } else if (x !== x0 || y !== y0) return false;
    seen++;
  }
  return seen >= 2;
}
