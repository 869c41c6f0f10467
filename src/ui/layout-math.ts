/**
 * Where each panel goes for a terminal of a given size. Pure: the dashboard calls it on every
 * frame with the current size, so a resize re-lays out everything, scatter included.
 *
 * full    (>= 72x18): status line on top; scatter (largest) with the alert log under it on the
 *                     left; a side column with legend, metrics, density gauge and loss sparklines.
 * compact (>= 30x8):  status line, scatter, and (from 12 rows) a short alert log.
 * tiny    (smaller):  only a "terminal too small" message.
 */

/** A rectangle of terminal cells. */
export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Rectangles of every panel; absent panels are not drawn at this size. */
export interface DashboardLayout {
  readonly mode: 'full' | 'compact' | 'tiny';
  readonly cols: number;
  readonly rows: number;
  readonly status?: Rect;
  readonly scatter?: Rect;
  readonly alerts?: Rect;
  readonly legend?: Rect;
  readonly metrics?: Rect;
  readonly gauge?: Rect;
  readonly loss?: Rect;
}

/** Smallest terminal for the full layout: side column minimums (4+6+3+4 rows) plus the status line. */
export const FULL_MIN_COLS = 72;
export const FULL_MIN_ROWS = 18;
export const COMPACT_MIN_COLS = 30;
export const COMPACT_MIN_ROWS = 8;

// Side column panel heights (borders included). Metrics: 7 values in two columns need 4 rows.
const GAUGE_H = 4;
const METRICS_MIN_H = 6;
const METRICS_PREF_H = 9;
const LEGEND_MIN_H = 3;
const LOSS_MIN_H = 4;

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

/**
 * Lay out the dashboard.
 * @param cols terminal width in cells.
 * @param rows terminal height in cells.
 * @param classes number of classes to list in the legend (its preferred height).
 */
export function computeLayout(cols: number, rows: number, classes = 10): DashboardLayout {
  if (!Number.isFinite(cols) || !Number.isFinite(rows)) {
    throw new Error(`computeLayout: size must be finite, got ${cols}x${rows}`);
  }
  cols = Math.max(0, Math.floor(cols));
  rows = Math.max(0, Math.floor(rows));
  if (cols < COMPACT_MIN_COLS || rows < COMPACT_MIN_ROWS) return { mode: 'tiny', cols, rows };
  const status: Rect = { left: 0, top: 0, width: cols, height: 1 };

  if (cols < FULL_MIN_COLS || rows < FULL_MIN_ROWS) {
    // Alerts only from 12 rows: below that the scatter would be too flat to read.
    const alertsH = rows >= 12 ? 4 : 0;
    const scatter: Rect = { left: 0, top: 1, width: cols, height: rows - 1 - alertsH };
    const alerts = alertsH > 0 ? { left: 0, top: rows - alertsH, width: cols, height: alertsH } : undefined;
    return { mode: 'compact', cols, rows, status, scatter, alerts };
  }

  // ~30% of the width for the side column, between what its text needs and what stops paying off.
  const sideW = clamp(Math.floor(cols * 0.3), 28, 44);
  const mainW = cols - sideW;
  // ~22% of the height for the alert log: 2 to 8 messages.
  const alertsH = clamp(Math.floor((rows - 1) * 0.22), 4, 10);
  const scatter: Rect = { left: 0, top: 1, width: mainW, height: rows - 1 - alertsH };
  const alerts: Rect = { left: 0, top: rows - alertsH, width: mainW, height: alertsH };

  // Side column: start every panel at its minimum, then hand out the spare rows in order of
  // usefulness: metrics to full height, legend to one class per row, the rest to the loss plot.
  const sideH = rows - 1;
  let metricsH = METRICS_MIN_H;
  let legendH = LEGEND_MIN_H;
  let spare = sideH - (GAUGE_H + METRICS_MIN_H + LEGEND_MIN_H + LOSS_MIN_H);
  const addMetrics = Math.min(spare, METRICS_PREF_H - METRICS_MIN_H);
  metricsH += addMetrics;
  spare -= addMetrics;
  // The legend never takes more than a third of the column (100 classes would swallow it).
  const legendPref = clamp(Math.max(1, classes) + 2, LEGEND_MIN_H, Math.max(LEGEND_MIN_H, Math.floor(sideH / 3)));
  const addLegend = Math.min(spare, legendPref - LEGEND_MIN_H);
  legendH += addLegend;
  spare -= addLegend;
  const lossH = LOSS_MIN_H + spare;

  let top = 1;
  const legend: Rect = { left: mainW, top, width: sideW, height: legendH };
  top += legendH;
  const metrics: Rect = { left: mainW, top, width: sideW, height: metricsH };
  top += metricsH;
  const gauge: Rect = { left: mainW, top, width: sideW, height: GAUGE_H };
  top += GAUGE_H;
  const loss: Rect = { left: mainW, top, width: sideW, height: lossH };
  return { mode: 'full', cols, rows, status, scatter, alerts, legend, metrics, gauge, loss };
}
