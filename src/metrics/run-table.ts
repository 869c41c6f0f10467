/**
 * What the metrics exporter knows of each run, kept from the session's events: the latest value of
 * every signal, counts of alerts, rejects and losses. Bounded: at most `maxRuns` runs (the least
 * recently active is evicted first, series and all), at most `maxMetricNames` training-metric
 * names per run (more are dropped and counted), and an ended run is evicted `endedTtlMs` after its
 * end. A run enters only with an accepted `hello`, so frames that name runs never announced (which
 * anyone who can connect may send) cannot push real runs out.
 */
import type { AlertEvent, AlertKind, Event, Severity } from '../model/events.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import type { Split } from '../model/epoch-data.js';
import { LayoutGeometry } from './layout-geometry.js';

/** The layout geometry signals (docs/alerts.md#geometry), measured on each projected epoch. */
export type LayoutSignal = 'D' | 'V' | 'sep' | 'drift';

/** The engine's per-epoch measures exported as gauges (docs/method.md). */
export const ENGINE_GAUGES = ['nn15', 'trust15', 'ppr', 'stability', 'sample_rate', 'update_ms'] as const;
export type EngineGauge = (typeof ENGINE_GAUGES)[number];

/** Every alert kind and severity (a Record, so that a kind added to the model fails to compile until listed here). */
const KINDS: Readonly<Record<AlertKind, true>> = { geometry: true, loss: true, nan: true, collapse: true, dead_units: true, lost_frames: true, silence: true, engine: true, forgetting: true };
const SEVERITY_SET: Readonly<Record<Severity, true>> = { info: true, warning: true, critical: true };
export const ALERT_KINDS = Object.keys(KINDS) as readonly AlertKind[];
export const SEVERITIES = Object.keys(SEVERITY_SET) as readonly Severity[];

/** Engine states an epoch event can report. */
export const ENGINE_STATES = ['projected', 'skipped', 'off', 'failed'] as const;

export interface RunRecord {
  readonly run: string;
  layer: string;
  model: string;
  dim: number;
  /** Latest epoch reported (any engine state); -1 before the first. */
  epoch: number;
  /** Latest epoch the engine projected; -1 before the first. */
  projectedEpoch: number;
  /** Rows of the latest epoch, per split. */
  readonly samples: Map<Split, number>;
  /** Epochs reported, by engine state (each epoch counted once, not once per split). */
  readonly epochs: Map<string, number>;
  /** The engine's measures of the latest projected epoch (absent where it masked them: a degenerate layout). */
  readonly engine: Map<EngineGauge, number>;
  /** The latest projected layout had every point on one spot (a dead network); 0 before the first. */
  degenerate: boolean;
  /** Latest value of each training metric the producer sent, by name. */
  readonly training: Map<string, number>;
  /** Training-metric names refused because the run already had maxMetricNames. */
  droppedNames: number;
  /** Geometry of the latest projected epoch. */
  readonly geometry: Map<LayoutSignal, number>;
  readonly layouts: LayoutGeometry;
  /** Alerts, by `${kind} ${severity}`. */
  readonly alerts: Map<string, number>;
  /** The geometry alert, once it fired: its epoch, its signal and the signal's value then. */
  geometryAlert?: { readonly epoch: number; readonly metric: string; readonly value: number };
  rejected: number;
  lost: number;
  ended: boolean;
  endedAt: number;
  /** Clock of the latest event of this run, ms. */
  lastEventAt: number;
}

export interface RunTableOptions {
  /**
   * Most runs kept. 32: a monitor watches one or a few runs (one monitor per run or per node, one
   * Prometheus for the fleet); 32 runs x ~60 series stays near 2,000 series, far below the sample
   * limits scrape configs commonly set (10k-50k per target).
   */
  readonly maxRuns?: number;
  /** Most training-metric names per run. 64: training logs carry a handful to a few dozen scalars. */
  readonly maxMetricNames?: number;
  /**
   * How long an ended run stays, ms. 10 minutes: many scrapes at any usual interval (15 s - 1 min)
   * record its final values before its series go stale.
   */
  readonly endedTtlMs?: number;
  /** Quantile of distances used as the layout's radius (as the auditor's radiusPercentile). */
  readonly radiusPercentile?: number;
  /** Clock, ms (tests). */
  readonly now?: () => number;
}

/** Process-wide counts that belong to no run. */
export interface Totals {
  /** Rejects by code (codes are a fixed set). */
  readonly rejectedByCode: Map<string, number>;
  lost: number;
  runsEvicted: number;
  namesDropped: number;
  /** Alerts that name no kept run (the monitor's own, e.g. an engine restart, have run ''), by `${kind} ${severity}`. */
  readonly otherAlerts: Map<string, number>;
  /** Alerts the monitor's rate limit dropped, by kind (told by the next alert of the kind that passes). */
  readonly alertsSuppressed: Map<AlertKind, number>;
  /** Notices by `${topic} ${level}` (topics are the monitor's own words). */
  readonly notices: Map<string, number>;
}

export class RunTable {
  /** In order of last activity, oldest first (a Map keeps insertion order; touching re-inserts). */
  private readonly runs = new Map<string, RunRecord>();
  readonly totals: Totals = { rejectedByCode: new Map(), lost: 0, runsEvicted: 0, namesDropped: 0, otherAlerts: new Map(), alertsSuppressed: new Map(), notices: new Map() };
  private readonly maxRuns: number;
  private readonly maxMetricNames: number;
  private readonly endedTtlMs: number;
  private readonly percentile: number;
  private readonly now: () => number;

  constructor(opts: RunTableOptions = {}) {
    this.maxRuns = opts.maxRuns ?? 32;
    this.maxMetricNames = opts.maxMetricNames ?? 64;
    this.endedTtlMs = opts.endedTtlMs ?? 10 * 60_000;
    this.percentile = opts.radiusPercentile ?? 0.95;
    this.now = opts.now ?? Date.now;
    for (const [name, v] of [['maxRuns', this.maxRuns], ['maxMetricNames', this.maxMetricNames]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`metrics: ${name} must be an integer >= 1, got ${v}`);
    }
    if (!(this.endedTtlMs >= 0)) throw new Error(`metrics: endedTtlMs must be >= 0, got ${this.endedTtlMs}`);
  }

  /** The runs kept now (ended runs past their time are evicted first). */
  list(): RunRecord[] {
    this.expire();
    return [...this.runs.values()];
  }

  get(run: string): RunRecord | undefined {
    return this.runs.get(run);
  }

  onEvent(e: Event): void {
    switch (e.event) {
      case 'hello':
        this.hello(e.run, e.layer, e.model ?? '', e.dim);
        return;
      case 'epoch': {
        const r = this.touch(e.run);
        if (!r) return;
        if (e.epoch !== r.epoch) {
          r.epoch = e.epoch;
          const state = e.engine ?? 'off';
          r.epochs.set(state, (r.epochs.get(state) ?? 0) + 1);
        }
        r.samples.set(e.split, e.n);
        if (e.engine === 'projected') {
          r.projectedEpoch = e.epoch;
          r.degenerate = e.degenerate === true;
          for (const g of ENGINE_GAUGES) {
            const v = e[g];
            if (typeof v === 'number' && Number.isFinite(v)) r.engine.set(g, v);
            else r.engine.delete(g);
          }
        }
        return;
      }
      case 'layout':
        // A backfilled (older) epoch must not move the gauges back in time.
        if (!e.backfill) this.layout(e.layout);
        return;
      case 'metrics': {
        const r = this.touch(e.run);
        if (!r) return;
        for (const [name, v] of Object.entries(e.values)) {
          if (!r.training.has(name) && r.training.size >= this.maxMetricNames) {
            r.droppedNames++;
            this.totals.namesDropped++;
            continue;
          }
          r.training.set(name, v);
        }
        return;
      }
      case 'alert':
        this.alert(e);
        return;
      case 'reject': {
        this.totals.rejectedByCode.set(e.code, (this.totals.rejectedByCode.get(e.code) ?? 0) + 1);
        const r = e.run === null ? undefined : this.touch(e.run);
        if (r) r.rejected++;
        return;
      }
      case 'lost': {
        this.totals.lost += e.count;
        const r = this.touch(e.run);
        if (r) r.lost += e.count;
        return;
      }
      case 'end': {
        const r = this.touch(e.run);
        if (r) {
          r.ended = true;
          r.endedAt = this.now();
        }
        return;
      }
      case 'notice': {
        const key = `${e.topic} ${e.level}`;
        this.totals.notices.set(key, (this.totals.notices.get(key) ?? 0) + 1);
        return;
      }
      default:
        return;
    }
  }

  private hello(run: string, layer: string, model: string, dim: number): void {
    // Ingest accepts one hello per producer: a second producer of a known run only refreshes it.
    const known = this.touch(run);
    if (known) return;
    this.runs.set(run, {
      run,
      layer,
      model,
      dim,
      epoch: -1,
      projectedEpoch: -1,
      samples: new Map(),
      epochs: new Map(),
      engine: new Map(),
      degenerate: false,
      training: new Map(),
      droppedNames: 0,
      geometry: new Map(),
      layouts: new LayoutGeometry(this.percentile),
      alerts: new Map(),
      rejected: 0,
      lost: 0,
      ended: false,
      endedAt: 0,
      lastEventAt: this.now(),
    });
    this.expire();
    while (this.runs.size > this.maxRuns) {
      this.runs.delete(this.runs.keys().next().value!);
      this.totals.runsEvicted++;
    }
  }

  private layout(layout: EpochLayout): void {
    const r = this.touch(layout.run);
    if (!r) return;
    r.geometry.clear();
    for (const [k, v] of Object.entries(r.layouts.push(layout))) r.geometry.set(k as LayoutSignal, v);
  }

  private alert(e: AlertEvent): void {
    if (e.suppressed) this.totals.alertsSuppressed.set(e.kind, (this.totals.alertsSuppressed.get(e.kind) ?? 0) + e.suppressed);
    const key = `${e.kind} ${e.severity}`;
    const r = this.touch(e.run);
    if (!r) {
      this.totals.otherAlerts.set(key, (this.totals.otherAlerts.get(key) ?? 0) + 1);
      return;
    }
    r.alerts.set(key, (r.alerts.get(key) ?? 0) + 1);
    if (e.kind === 'geometry' && !r.geometryAlert && e.epoch !== null) {
      const values = e.evidence['values'];
      const last = Array.isArray(values) ? values[values.length - 1] : undefined;
      r.geometryAlert = { epoch: e.epoch, metric: String(e.evidence['metric'] ?? ''), value: typeof last === 'number' ? last : NaN };
    }
  }

  /** The run's record, moved to the most recently active end; undefined for a run never announced. */
  private touch(run: string): RunRecord | undefined {
    const r = this.runs.get(run);
    if (!r) return undefined;
    this.runs.delete(run);
    this.runs.set(run, r);
    r.lastEventAt = this.now();
    return r;
  }

  private expire(): void {
    const now = this.now();
    for (const r of [...this.runs.values()]) {
      if (r.ended && now - r.endedAt >= this.endedTtlMs) {
        this.runs.delete(r.run);
        this.totals.runsEvicted++;
      }
    }
  }
}
