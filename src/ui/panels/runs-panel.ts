/** The runs panel (key R): one row per run and layer, the one on display marked, alerting ones flagged. */
import { fitText, type Painter } from '../cell-painter.js';
import type { RunView } from '../dashboard-state.js';
import type { Rect } from '../layout-math.js';
import { DEFAULT_COLOR, FLAG_BOLD, packAttr } from '../palette.js';
import type { Theme } from './theme.js';

/** One row of the table, as data (tests read it without a terminal). */
export interface RunRow {
  /** 1-9 for the digit keys; null beyond 9 and for a run's further layers. */
  readonly key: number | null;
  readonly name: string;
  readonly layer: string;
  readonly epoch: number | null;
  /** projected / skipped / off / failed of the newest epoch, 'ended', or '-'. */
  readonly engine: string;
  readonly lastAlert: string;
  readonly fps: number | null;
  readonly shown: boolean;
  readonly flagged: boolean;
}

/** Rows for the streams, in the runs panel's order. */
export function runRows(streams: readonly RunView[], runs: readonly RunView[], shown: readonly (string | null)[], fps: (run: string) => number | null): RunRow[] {
  return streams.map((s) => {
    const at = runs.indexOf(s);
    const newest = s.latestEpoch === null ? undefined : s.epochs.get(s.latestEpoch);
    const a = s.lastAlert;
    return {
      key: at >= 0 && at < 9 ? at + 1 : null,
      name: s.run,
      layer: s.layer ?? '-',
      epoch: s.latestEpoch,
      engine: s.ended ? 'ended' : (newest?.engine ?? '-'),
      lastAlert: a ? `${a.severity[0].toUpperCase()} ${a.kind}${a.epoch === null ? '' : ` e${a.epoch}`}` : '-',
      fps: fps(s.base),
      shown: shown.includes(s.run),
      flagged: s.flag !== null,
    };
  });
}

const COLUMNS = ['', 'run', 'layer', 'epoch', 'engine', 'last alert', 'fr/s'] as const;

/** The text cells of a row (the header when row is undefined). */
function cells(row: RunRow | undefined): string[] {
  if (!row) return [...COLUMNS];
  const mark = `${row.flagged ? '!' : row.shown ? '>' : ' '}${row.key ?? ' '}`;
  const fps = row.fps === null ? '-' : row.fps < 10 ? row.fps.toFixed(1) : row.fps.toFixed(0);
  return [mark, row.name, row.layer, row.epoch === null ? '-' : String(row.epoch), row.engine, row.lastAlert, fps];
}

/** The table as text lines, columns as wide as their widest cell (run names cut at 24). */
export function runTable(rows: readonly RunRow[]): string[] {
  const table = [cells(undefined), ...rows.map(cells)].map((c) => c.map((v, i) => (i === 1 ? fitText(v, 24) : v)));
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
}

/** Paint the panel as a box over `area` (its top part). */
export function paintRuns(p: Painter, area: Rect, theme: Theme, rows: readonly RunRow[]): void {
  const lines = runTable(rows);
  const height = Math.min(area.height, lines.length + 2);
  const width = Math.min(area.width, Math.max(30, ...lines.map((l) => l.length + 2)));
  const r: Rect = { left: area.left, top: area.top, width, height };
  p.fill(r, ' ', theme.text);
  const inner = p.frame(r, "runs · Tab, 1-9: show · R: close", theme.bold, theme.title, theme.ascii);
  const flagAttr = packAttr(theme.palette.severityColor('critical'), DEFAULT_COLOR, FLAG_BOLD);
  lines.slice(0, inner.height).forEach((l, k) => {
    const row = k === 0 ? undefined : rows[k - 1];
    const attr = k === 0 ? theme.dim : row?.flagged ? flagAttr : row?.shown ? theme.bold : theme.text;
    p.text(inner.left, inner.top + k, fitText(l, inner.width), attr, inner.width);
  });
}
