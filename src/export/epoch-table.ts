/**
 * Per-epoch rows for CSV: the engine's measures, the layout geometry and the training metrics of
 * every (run, epoch), from a session's events; and the alerts. Held until written (one row per
 * epoch: small beside the layouts).
 */
import type { AlertEvent, EpochEvent, MetricsEvent } from '../model/events.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { LayoutGeometry, type LayoutSignals } from '../metrics/layout-geometry.js';
import { csvLine } from './csv.js';

/** Engine measures, as named in the headless epoch event; the engine's own `loss` is renamed (it is not the model's). */
const ENGINE_COLUMNS: readonly [column: string, field: keyof EpochEvent][] = [
  ['engine', 'engine'],
  ['nn15', 'nn15'],
  ['trust15', 'trust15'],
  ['ppr', 'ppr'],
  ['recon', 'recon'],
  ['stability', 'stability'],
  ['D', 'D'],
  ['V', 'V'],
  ['degenerate', 'degenerate'],
  ['sample_rate', 'sample_rate'],
  ['rel_density', 'rel_density'],
  ['train_steps', 'train_steps'],
  ['update_ms', 'update_ms'],
  ['projection_loss', 'loss'],
];
const GEOMETRY_COLUMNS: readonly (keyof LayoutSignals)[] = ['D', 'V', 'sep', 'drift'];

interface EpochRow {
  readonly run: string;
  readonly epoch: number;
  readonly n: Map<string, number>;
  event?: EpochEvent;
  geometry?: LayoutSignals;
  /** Epoch-level metric values; step-level ones only fill names the epoch-level ones lack. */
  readonly metrics: Map<string, number>;
  readonly stepMetrics: Map<string, number>;
}

export class EpochTable {
  private readonly rows = new Map<string, EpochRow>();
  private readonly geometry = new Map<string, LayoutGeometry>();
  /** Training-metric names in order of first appearance (the column order). */
  private readonly names: string[] = [];
  readonly alerts: AlertEvent[] = [];

  private row(run: string, epoch: number): EpochRow {
    const key = `${epoch}\u0000${run}`;
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { run, epoch, n: new Map(), metrics: new Map(), stepMetrics: new Map() }));
    return r;
  }

  epoch(e: EpochEvent): void {
    const r = this.row(e.run, e.epoch);
    r.n.set(e.split, e.n);
    r.event = e;
  }

  /** Feed layouts in epoch order per run (the pipeline does). */
  layout(l: EpochLayout): void {
    let g = this.geometry.get(l.run);
    if (!g) this.geometry.set(l.run, (g = new LayoutGeometry()));
    this.row(l.run, l.epoch).geometry = g.push(l);
  }

  metrics(e: MetricsEvent): void {
    const r = this.row(e.run, e.epoch);
    for (const [k, v] of Object.entries(e.values)) {
      if (!this.names.includes(k)) this.names.push(k);
      (e.step === undefined ? r.metrics : r.stepMetrics).set(k, v);
    }
  }

  alert(e: AlertEvent): void {
    this.alerts.push(e);
  }

  /** The epochs as CSV: run, epoch, n_train, n_test, the engine's measures, layout_* geometry, metric.<name> columns. */
  epochsCsv(): string {
    const head = ['run', 'epoch', 'n_train', 'n_test', ...ENGINE_COLUMNS.map(([c]) => c), ...GEOMETRY_COLUMNS.map((g) => `layout_${g}`), ...this.names.map((n) => `metric.${n}`)];
    const sorted = [...this.rows.values()].filter((r) => r.event).sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : a.epoch - b.epoch));
    const lines = sorted.map((r) =>
      csvLine([
        r.run,
        r.epoch,
        r.n.get('train') ?? 0,
        r.n.get('test') ?? 0,
        ...ENGINE_COLUMNS.map(([, f]) => r.event![f] as number | string | boolean | undefined),
        ...GEOMETRY_COLUMNS.map((g) => r.geometry?.[g]),
        ...this.names.map((n) => r.metrics.get(n) ?? r.stepMetrics.get(n)),
      ]),
    );
    return csvLine(head) + lines.join('');
  }

  /** The alerts as CSV, in the order raised: run, epoch, kind, severity, message, evidence (JSON). */
  alertsCsv(): string {
    return csvLine(['run', 'epoch', 'kind', 'severity', 'message', 'evidence']) + this.alerts.map((a) => csvLine([a.run, a.epoch, a.kind, a.severity, a.message, JSON.stringify(a.evidence)])).join('');
  }
}
