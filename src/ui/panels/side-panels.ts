/**
 * The small panels of the side column: class legend, metrics, density gauge and loss sparklines.
 * Each paints inside a rectangle it is given (its frame's inside) and nothing else.
 */
import type { EpochMetrics } from '../../model/epoch-layout.js';
import type { SeriesPoint } from '../dashboard-state.js';
import { SEVERITY_RANK, type Severity } from '../../model/events.js';
import { fitText, type Painter } from '../cell-painter.js';
import type { Rect } from '../layout-math.js';
import { DEFAULT_COLOR, FLAG_BOLD, FLAG_UNDERLINE, packAttr } from '../palette.js';
import type { Coloring } from '../scatter-widget.js';
import { chooseScale, markColumns, sparkline, type SparkScale } from './sparkline.js';
import type { Theme } from './theme.js';

/** One legend entry: a coloured swatch and a name. */
interface LegendEntry {
  readonly color: number;
  readonly flags: number;
  readonly name: string;
}

/**
 * Legend entries for a colouring mode.
 * @param classes class names from hello (sanitised), if any.
 * @param classCount number of classes seen in the labels/predictions (used when names are absent).
 */
export function legendEntries(theme: Theme, coloring: Coloring, classes: readonly string[] | undefined, classCount: number): LegendEntry[] {
  const pal = theme.palette;
  if (coloring === 'correctness') {
    return [
      { color: pal.correct, flags: 0, name: 'correct' },
      { color: pal.wrong, flags: FLAG_BOLD | FLAG_UNDERLINE, name: 'misclassified' },
    ];
  }
  const n = Math.max(classes?.length ?? 0, classCount);
  const out: LegendEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ color: pal.classColor(i), flags: 0, name: legendName(i, classes?.[i]) });
  return out;
}

/** "3 cat"; a name that is its own index (digits: "3") is shown once, not as "3 3". */
export function legendName(index: number, name: string | undefined): string {
  if (name === undefined) return `${index} class ${index}`;
  return name === String(index) ? name : `${index} ${name}`;
}

/** Legend entries when colouring by task: one per task seen, "task N". */
export function taskLegendEntries(theme: Theme, taskCount: number): LegendEntry[] {
  return Array.from({ length: taskCount }, (_, t) => ({ color: theme.palette.classColor(t), flags: 0, name: `task ${t}` }));
}

/** Paint the legend, in as many columns as the height requires; "+N" marks what did not fit. */
export function paintLegend(p: Painter, r: Rect, theme: Theme, entries: readonly LegendEntry[]): void {
  if (r.width <= 0 || r.height <= 0) return;
  if (entries.length === 0) {
    p.text(r.left, r.top, 'no classes yet', theme.dim, r.width);
    return;
  }
  const swatch = theme.ascii ? '#' : '■';
  const ncols = Math.max(1, Math.ceil(entries.length / r.height));
  // A column narrower than 10 cells leaves ~5 letters of a name: keep fewer and report the rest.
  const fitCols = Math.max(1, Math.min(ncols, Math.floor(r.width / 10)));
  const colW = Math.floor(r.width / fitCols);
  const capacity = fitCols * r.height;
  const shown = entries.length > capacity ? capacity - 1 : entries.length;
  for (let k = 0; k < shown; k++) {
    const x = r.left + Math.floor(k / r.height) * colW;
    const y = r.top + (k % r.height);
    const e = entries[k];
    p.put(x, y, swatch, packAttr(e.color, DEFAULT_COLOR, e.flags));
    p.text(x + 2, y, fitText(e.name, colW - 3), theme.text);
  }
  if (shown < entries.length) {
    const k = shown;
    p.text(r.left + Math.floor(k / r.height) * colW, r.top + (k % r.height), `+${entries.length - shown} more`, theme.dim, colW);
  }
}

/** Names and formats of the metrics panel, in display order. */
const METRICS: readonly { readonly key: keyof EpochMetrics; readonly label: string; readonly fmt: (v: number) => string }[] = [
  { key: 'nn15', label: 'nn15', fmt: (v) => v.toFixed(3) },
  { key: 'trust15', label: 'trust15', fmt: (v) => v.toFixed(3) },
  { key: 'ppr', label: 'ppr', fmt: (v) => v.toFixed(3) },
  { key: 'stability', label: 'stability', fmt: (v) => v.toFixed(3) },
  { key: 'update_ms', label: 'update_ms', fmt: (v) => v.toFixed(0) },
  { key: 'D', label: 'D', fmt: (v) => v.toFixed(3) },
  { key: 'V', label: 'V', fmt: (v) => v.toFixed(3) },
];

/** Text of each metric line, e.g. "nn15       0.912"; '-' when the value is missing. */
export function metricLines(m: Partial<EpochMetrics> | undefined, width: number): string[] {
  return METRICS.map(({ key, label, fmt }) => {
    const v = m?.[key];
    const value = typeof v === 'number' && Number.isFinite(v) ? fmt(v) : '-';
    const pad = Math.max(1, width - label.length - value.length);
    return label + ' '.repeat(pad) + value;
  });
}

/** Paint the metrics, one column if the height allows, else two. Degenerate epochs say so. */
export function paintMetrics(p: Painter, r: Rect, theme: Theme, m: Partial<EpochMetrics> | undefined): void {
  if (r.width <= 0 || r.height <= 0) return;
  let rows = r.height;
  let top = r.top;
  if (m?.degenerate) {
    p.text(r.left, top, fitText('degenerate: all points on one spot', r.width), packAttr(theme.palette.wrong, DEFAULT_COLOR, FLAG_BOLD), r.width);
    top++;
    rows--;
  }
  if (rows <= 0) return;
  const ncols = rows >= METRICS.length ? 1 : 2;
  const gap = ncols > 1 ? 1 : 0;
  const colW = Math.floor((r.width - gap) / ncols);
  const lines = metricLines(m, colW);
  for (let k = 0; k < lines.length; k++) {
    const c = Math.floor(k / Math.ceil(lines.length / ncols));
    const y = top + (k % Math.ceil(lines.length / ncols));
    if (y >= top + rows) continue;
    p.text(r.left + c * (colW + gap), y, fitText(lines[k], colW), theme.text, colW);
  }
}

/** A horizontal bar for a 0-1 value, `width` cells: filled part then empty part. */
export function gaugeBar(value: number, width: number, ascii: boolean): string {
  if (width <= 0) return '';
  const v = Number.isFinite(value) ? Math.max(0, Math.min(1, value)) : 0;
  const filled = Math.round(v * width);
  return (ascii ? '#' : '█').repeat(filled) + (ascii ? '.' : '░').repeat(width - filled);
}

/**
 * Paint the density gauge: sampling rate r and relative density rho(r) of the displayed epoch. The
 * rate row reads 'fallbk' when the density search found no tipping point and used its fallback rate.
 */
export function paintGauge(p: Painter, r: Rect, theme: Theme, m: Partial<EpochMetrics> | undefined): void {
  if (r.width <= 0 || r.height <= 0) return;
  const rowsDef: [string, number | undefined][] = [
    [m?.sample_fallback ? 'fallbk' : 'sample', m?.sample_rate],
    ['density', m?.rel_density],
  ];
  const labelW = 8;
  const valueW = 5;
  rowsDef.slice(0, r.height).forEach(([label, v], k) => {
    const y = r.top + k;
    p.text(r.left, y, label, theme.text, labelW);
    const barW = r.width - labelW - valueW - 1;
    const known = typeof v === 'number' && Number.isFinite(v);
    if (barW > 0) p.text(r.left + labelW, y, gaugeBar(known ? v : 0, barW, theme.ascii), known ? theme.accent : theme.dim, barW);
    const s = known ? v.toFixed(2) : '-';
    p.text(r.left + r.width - s.length, y, s, theme.bold, valueW);
  });
}

/** Paint the train/validation loss sparklines with their latest values. */
export function paintLoss(
  p: Painter,
  r: Rect,
  theme: Theme,
  train: readonly SeriesPoint[],
  val: readonly SeriesPoint[],
  alertEpochs: ReadonlyMap<number, Severity> = new Map(),
  taskBoundaries: ReadonlyMap<number, number> = new Map(),
): void {
  if (r.width <= 0 || r.height <= 0) return;
  // Alerts and task boundaries are marked on the epoch axis: one row under the curves, when the
  // panel has rows to spare.
  const axis = (alertEpochs.size > 0 || taskBoundaries.size > 0) && r.height >= 3 && (train.length > 0 || val.length > 0);
  if (axis) {
    const row = { ...r, top: r.top + r.height - 1, height: 1 };
    const points = val.length > 0 ? val : train;
    paintTaskAxis(p, row, theme, points, taskBoundaries);
    paintAlertAxis(p, row, theme, points, alertEpochs);
    r = { ...r, height: r.height - 1 };
  }
  const scale = lossScale(train, val);
  // Task boundaries also run up through the curves' empty cells (a dotted line), so one shows where
  // an alert took its place on the axis row.
  const marked = markColumns((val.length > 0 ? val : train).map((q) => q.epoch), r.width, taskBoundaries, (task) => task);
  const dotted = (line: string): string => [...line].map((ch, c) => (ch === ' ' && marked[c] !== undefined ? (theme.ascii ? ':' : '┊') : ch)).join('');
  const series: [string, readonly SeriesPoint[], number][] = [
    ['train', train, theme.accent],
    ['val', val, packAttr(theme.palette.severityColor('warning'), DEFAULT_COLOR, 0)],
  ];
  if (train.length === 0 && val.length === 0) {
    p.text(r.left, r.top, 'no loss values yet', theme.dim, r.width);
    return;
  }
  const blockH = Math.max(1, Math.floor(r.height / series.length));
  series.forEach(([name, pts, attr], k) => {
    const top = r.top + k * blockH;
    if (top >= r.top + r.height) return;
    const last = pts.length > 0 ? pts[pts.length - 1].value : undefined;
    const label = `${name} ${last === undefined ? '-' : formatLoss(last)}`;
    const labelW = p.text(r.left, top, label, theme.bold, r.width);
    const values = pts.map((q) => q.value);
    if (blockH === 1) {
      // One row: the sparkline follows the label.
      const w = r.width - labelW - 1;
      if (w > 0 && values.length > 0) p.text(r.left + labelW + 1, top, sparkline(values, w, 1, theme.ascii, scale)[0], attr, w);
      return;
    }
    const h = Math.min(blockH - 1, r.top + r.height - top - 1);
    if (values.length === 0 || h <= 0) return;
    sparkline(values, r.width, h, theme.ascii, scale).forEach((line, j) => p.text(r.left, top + 1 + j, taskBoundaries.size > 0 ? dotted(line) : line, attr, r.width));
  });
}


/** One scale for both curves: log when their values together span more than two decades. */
export function lossScale(train: readonly SeriesPoint[], val: readonly SeriesPoint[]): SparkScale {
  return chooseScale([...train, ...val].map((q) => q.value));
}

/** The loss panel's title: says when the curves are on a log scale. */
export function lossTitle(train: readonly SeriesPoint[], val: readonly SeriesPoint[]): string {
  return lossScale(train, val) === 'log' ? 'loss · log scale' : 'loss';
}

/**
 * Task boundaries on the loss panel's axis row: the new task's number (last digit) at the epoch it
 * starts; alerts, drawn after, win a shared column.
 */
function paintTaskAxis(p: Painter, r: Rect, theme: Theme, points: readonly SeriesPoint[], boundaries: ReadonlyMap<number, number>): void {
  const cols = markColumns(
    points.map((q) => q.epoch),
    r.width,
    boundaries,
    (task) => task,
  );
  cols.forEach((task, c) => {
    if (task !== undefined) p.text(r.left + c, r.top, String(task % 10), theme.bold, 1);
  });
}

/**
 * One row under the loss curves: a mark (▲, ^ in ASCII) in the severity's colour at each alert's
 * epoch, aligned with the full-width curve drawn from `points`.
 */
function paintAlertAxis(p: Painter, r: Rect, theme: Theme, points: readonly SeriesPoint[], marks: ReadonlyMap<number, Severity>): void {
  const cols = markColumns(
    points.map((q) => q.epoch),
    r.width,
    marks,
    (s) => SEVERITY_RANK[s],
  );
  cols.forEach((sev, c) => {
    if (sev !== undefined) p.text(r.left + c, r.top, theme.ascii ? '^' : '▲', packAttr(theme.palette.severityColor(sev), DEFAULT_COLOR, 0), 1);
  });
}

/** Loss values span orders of magnitude: 4 significant digits, exponent form when tiny or huge. */
export function formatLoss(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toPrecision(4);
}
