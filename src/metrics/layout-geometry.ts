/**
 * The geometry signals of each projected layout of one run, as the auditor measures them on its
 * layout source (docs/alerts.md#geometry): class geometry of the train points, and drift of the
 * same samples since the previous layout. Shared by the metrics exporter and the data export.
 * Holds the previous layout's normalised train positions (n x 2 floats) for the drift.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import { geometrySignals } from '../audit/geometry-signals.js';
import { DriftTracker } from '../audit/drift.js';

/** The signals of one layout; a signal that cannot be measured is absent (no labels, one spot, first epoch). */
export type LayoutSignals = Partial<Record<'D' | 'V' | 'sep' | 'drift', number>>;

export class LayoutGeometry {
  private readonly drift: DriftTracker;

  /** @param percentile quantile of distances used as the radius (the auditor's radiusPercentile). */
  constructor(private readonly percentile = 0.95) {
    this.drift = new DriftTracker({ percentile });
  }

  /** Feed layouts in epoch order. */
  push(layout: EpochLayout): LayoutSignals {
    const g = geometrySignals(layout, { percentile: this.percentile });
    const drift = this.drift.push(layout.positions, 2, layout.n, layout.ids, (i) => layout.split[i] === 0);
    const out: { -readonly [K in keyof LayoutSignals]: number } = {};
    if (g) {
      out.D = g.D;
      out.V = g.V;
      // sep is infinite when every class is a single spot (V = 0): no finite value to report.
      if (Number.isFinite(g.sep)) out.sep = g.sep;
    }
    if (drift !== null) out.drift = drift;
    return out;
  }
}
