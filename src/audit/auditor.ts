/**
 * The auditor: turns layouts, epoch data, metrics and transport events into alerts. Pure: it keeps
 * per-run state but reads no clock and touches no I/O; every method takes its input and returns the
 * alerts it caused (usually none).
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { AlertEvent, AlertKind, LostEvent, MetricsEvent, RejectEvent, Severity } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import { activationSignals } from './activation-signals.js';
import { DriftTracker } from './drift.js';
import { activationGeometry, geometrySignals, type GeometrySignals } from './geometry-signals.js';
import { resolveAuditOptions, type AuditOptions, type GeometrySignal, type GeometrySource, type QualifiedMetric, type ResolvedAuditOptions } from './options.js';
import { CausalTrigger, type BadDirection, type TriggerFiring } from './trigger.js';

/** Bad direction and a human name of each geometry metric. */
const GEOMETRY_META: Readonly<Record<GeometrySignal, { bad: BadDirection; name: string; meaning: string }>> = {
  D: { bad: 'down', name: 'inter-class distance D', meaning: 'class centroids are moving together' },
  V: { bad: 'up', name: 'intra-class variance V', meaning: 'classes are spreading out' },
  sep: { bad: 'down', name: 'class separation D/sqrt(V)', meaning: 'classes are merging' },
  drift: { bad: 'up', name: 'representation drift', meaning: 'the same samples move further every epoch: the representation is churning' },
};

/** The geometry of one epoch as the triggers see it; class metrics are absent without labels. */
type EpochGeometry = Partial<Record<GeometrySignal, number>> & { readonly classGeo: GeometrySignals | null };

/** Kinds that may repeat (rate limited); the others fire at most once per run. */
const REPEATING: ReadonlySet<AlertKind> = new Set<AlertKind>(['nan', 'lost_frames', 'silence']);

/** When the geometry and loss alerts of a run fired (null: not yet). */
export interface RunAlertEpochs {
  readonly geometry: number | null;
  readonly loss: number | null;
}

/** Everything the auditor remembers about one run. */
interface RunState {
  readonly geometry: Map<QualifiedMetric, CausalTrigger>;
  readonly loss: CausalTrigger;
  geometryEpoch: number | null;
  lossEpoch: number | null;
  /** Once-per-run kinds already fired. */
  readonly fired: Set<AlertKind>;
  /** Latest epoch seen in any input, for rate limiting and context. */
  lastEpoch: number | null;
  /** Repeating kinds: epoch of the last alert and how many were sent. */
  readonly repeatEpoch: Map<AlertKind, number | null>;
  readonly repeatCount: Map<AlertKind, number>;
  /** Events a repeating kind held back since its last alert (reported in the next one). */
  readonly suppressed: Map<AlertKind, number>;
  /** Lost frames not yet reported, and in total. */
  lostPending: number;
  lostTotal: number;
  /** Producers currently in a reported silent stretch. */
  readonly silent: Set<string>;
  /** Epochs with class geometry from `geometrySource` (for the collapse burn-in). */
  layouts: number;
  /** Drift trackers, one per source. */
  readonly drift: Record<GeometrySource, DriftTracker>;
  /** Highest effective rank per split so far. */
  readonly bestRank: Map<string, { rank: number; epoch: number }>;
}

function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** "1 epoch", "3 epochs". */
function epochs(k: number): string {
  return `${k} epoch${k === 1 ? '' : 's'}`;
}

/** "a → b → c". */
function chain(values: readonly number[]): string {
  return values.map(fmt).join(' → ');
}

export class Auditor {
  readonly options: ResolvedAuditOptions;
  private readonly runs = new Map<string, RunState>();

  /** @param opts thresholds; see AUDIT_DEFAULTS in options.ts for the defaults and why. */
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
    this.touch(s, layout.epoch);
    const out: AlertEvent[] = [];
    const o = this.options;
    const g = geometrySignals(layout, { percentile: o.radiusPercentile });
    if (layout.metrics.degenerate === true || (g === null && layout.labels && allOnOneSpot(layout))) {
      this.once(s, out, {
        run: layout.run,
        epoch: layout.epoch,
        kind: 'collapse',
        severity: 'critical',
        message: `collapse at epoch ${layout.epoch}: every point of the layout landed on one spot (the representation no longer tells samples apart; a dead network?)`,
        evidence: { metric: 'layout_radius', values: [0], epochs: [layout.epoch], degenerate: true },
      });
      return out;
    }
    if (!this.wants('layout')) return out;
    const drift = this.options.geometryMetrics.includes('layout:drift')
      ? s.drift.layout.push(layout.positions, 2, layout.n, layout.ids, (i) => layout.split[i] === 0)
      : null;
    this.feedGeometry('layout', layout.run, s, layout.epoch, { ...g, drift: drift ?? undefined, classGeo: g }, out);
    return out;
  }

  /** True when some geometry metric, or the centroid-collapse check, is computed on this source. */
  private wants(source: GeometrySource): boolean {
    return this.options.geometrySource === source || this.options.geometryMetrics.some((m) => m.startsWith(`${source}:`));
  }

  /** Geometry signals of one epoch from one source into its triggers, and centroid collapse. */
  private feedGeometry(source: GeometrySource, run: string, s: RunState, epoch: number, g: EpochGeometry, out: AlertEvent[]): void {
    const o = this.options;
    for (const [metric, trigger] of s.geometry) {
      if (!metric.startsWith(`${source}:`)) continue;
      const v = g[signalOf(metric)];
      if (v === undefined) continue;
      const f = trigger.push(epoch, v);
      if (f !== null && s.geometryEpoch === null) out.push(this.geometryAlert(run, s, metric, f, g));
    }
    if (source !== o.geometrySource) return;
    const c = g.classGeo;
    if (c === null) return;
    s.layouts++;
    if (s.layouts > o.burnIn && c.D < o.collapseD) {
      this.once(s, out, {
        run,
        epoch,
        kind: 'collapse',
        severity: 'critical',
        message: `collapse at epoch ${epoch}: class centroids nearly coincide (D = ${fmt(c.D)} of the ${o.geometrySource === 'layout' ? 'layout' : 'activations\''} radius, below ${o.collapseD}); the classes have merged`,
        evidence: { metric: 'D', values: [round(c.D)], epochs: [epoch], threshold: o.collapseD, V: round(c.V), sep: round(c.sep), source: o.geometrySource },
      });
    }
  }

  /** An assembled epoch: non-finite values, dead units, effective-rank collapse. */
  onEpochData(data: EpochData): AlertEvent[] {
    const s = this.state(data.run);
    this.touch(s, data.epoch);
    const o = this.options;
    const out: AlertEvent[] = [];
    const a = activationSignals(data, { maxRankRows: o.maxRankRows });
    if (data.split === 'train' && this.wants('activations')) {
      // Class geometry only when a class metric or the centroid-collapse check uses it (it costs n*dim).
      const needClasses = o.geometrySource === 'activations' || o.geometryMetrics.some((m) => m.startsWith('activations:') && m !== 'activations:drift');
      const g = needClasses ? activationGeometry(data, { percentile: o.radiusPercentile }) : null;
      const drift = o.geometryMetrics.includes('activations:drift') ? s.drift.activations.push(data.x, data.dim, data.n, data.ids, idSubset(data.ids, o.maxDriftRows)) : null;
      this.feedGeometry('activations', data.run, s, data.epoch, { ...g, drift: drift ?? undefined, classGeo: g }, out);
    }
    if (a.nonFinite > 0) {
      this.repeat(s, out, {
        run: data.run,
        epoch: data.epoch,
        kind: 'nan',
        severity: 'critical',
        message: `NaN/Inf in the activations of epoch ${data.epoch} (${data.split}): ${a.nonFinite} of ${a.rows * a.dim} values`,
        evidence: { metric: 'x', values: [a.nonFinite], epochs: [data.epoch], split: data.split, total_values: a.rows * a.dim },
      });
    }
    if (a.rows > 0 && a.deadShare >= o.deadUnitShare) {
      this.once(s, out, {
        run: data.run,
        epoch: data.epoch,
        kind: 'dead_units',
        severity: a.deadShare >= 1 ? 'critical' : 'warning',
        message: `dead units at epoch ${data.epoch}: ${a.deadUnits} of ${a.dim} dimensions (${Math.round(a.deadShare * 100)}%) are zero for every sample (threshold ${Math.round(o.deadUnitShare * 100)}%)`,
        evidence: {
          metric: 'dead_share',
          values: [round(a.deadShare)],
          epochs: [data.epoch],
          dead_units: a.deadUnits,
          dim: a.dim,
          threshold: o.deadUnitShare,
          split: data.split,
        },
      });
    }
    if (a.rows >= 2) {
      const best = s.bestRank.get(data.split);
      if (a.effectiveRank === 0) {
        this.once(s, out, {
          run: data.run,
          epoch: data.epoch,
          kind: 'collapse',
          severity: 'critical',
          message: `collapse at epoch ${data.epoch}: every sample has the same representation (no variance left in ${a.dim} dimensions)`,
          evidence: { metric: 'effective_rank', values: [0], epochs: [data.epoch], split: data.split },
        });
      } else if (best && a.effectiveRank < o.collapseRankRatio * best.rank) {
        this.once(s, out, {
          run: data.run,
          epoch: data.epoch,
          kind: 'collapse',
          severity: 'critical',
          message: `collapse at epoch ${data.epoch}: effective rank of the activations fell to ${fmt(a.effectiveRank)} from ${fmt(best.rank)} at epoch ${best.epoch} (below ${o.collapseRankRatio} of its best)`,
          evidence: {
            metric: 'effective_rank',
            values: [round(best.rank), round(a.effectiveRank)],
            epochs: [best.epoch, data.epoch],
            threshold_ratio: o.collapseRankRatio,
            split: data.split,
            rows: a.rankRows,
          },
        });
      }
      if (!best || a.effectiveRank > best.rank) s.bestRank.set(data.split, { rank: a.effectiveRank, epoch: data.epoch });
    }
    return out;
  }

  /** A refused frame: `non_finite` becomes a nan alert (its reason names the tensor or metric). */
  onReject(e: RejectEvent): AlertEvent[] {
    if (e.code !== 'non_finite') return [];
    const run = e.run ?? '';
    const s = this.state(run);
    const out: AlertEvent[] = [];
    this.repeat(s, out, {
      run,
      epoch: s.lastEpoch,
      kind: 'nan',
      severity: 'critical',
      message: `NaN/Inf from the producer: ${e.reason}`,
      evidence: { metric: 'non_finite', values: [], epochs: s.lastEpoch === null ? [] : [s.lastEpoch], producer: e.producer, seq: e.seq, reason: e.reason },
    });
    return out;
  }

  /** Scalar metrics: the validation-loss baseline, and non-finite values. */
  onMetrics(e: MetricsEvent): AlertEvent[] {
    const s = this.state(e.run);
    this.touch(s, e.epoch);
    const out: AlertEvent[] = [];
    const bad = Object.entries(e.values).filter(([, v]) => !Number.isFinite(v));
    if (bad.length > 0) {
      this.repeat(s, out, {
        run: e.run,
        epoch: e.epoch,
        kind: 'nan',
        severity: 'critical',
        message: `non-finite metric at epoch ${e.epoch}: ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')}`,
        evidence: { metric: bad.map(([k]) => k).join(','), values: bad.map(([, v]) => String(v)), epochs: [e.epoch] },
      });
    }
    const v = e.values[this.options.lossMetric];
    if (v !== undefined && Number.isFinite(v)) {
      // The first value of an epoch counts; later ones (the trigger ignores epochs it has seen) do not.
      const f = s.loss.push(e.epoch, v);
      if (f !== null) out.push(this.lossAlert(e.run, s, f));
    }
    return out;
  }

  /** A gap in a producer's seq: lost_frames, rate limited, counts carried to the next alert. */
  onLost(e: LostEvent): AlertEvent[] {
    const s = this.state(e.run);
    s.lostPending += e.count;
    s.lostTotal += e.count;
    const out: AlertEvent[] = [];
    if (s.lostPending >= this.options.lostFrames) this.lostAlert(e.run, s, out, e);
    return out;
  }

  /** A producer said nothing for `seconds`: one silence alert per silent stretch. */
  onSilence(run: string, producer: string, seconds: number): AlertEvent[] {
    const s = this.state(run);
    const out: AlertEvent[] = [];
    if (!(seconds >= this.options.silenceSeconds) || s.silent.has(producer)) return out;
    const sent = this.repeat(s, out, {
      run,
      epoch: s.lastEpoch,
      kind: 'silence',
      severity: 'warning',
      message: `producer ${producer} of run ${run} has been silent for ${Math.round(seconds)} s (threshold ${this.options.silenceSeconds} s)${s.lastEpoch === null ? '' : `; last epoch seen ${s.lastEpoch}`}`,
      evidence: { metric: 'silence_s', values: [round(seconds, 1)], epochs: s.lastEpoch === null ? [] : [s.lastEpoch], producer, threshold: this.options.silenceSeconds },
    }, true);
    if (sent) s.silent.add(producer);
    return out;
  }

  /** The run ended: report lost frames still held back by the rate limit. */
  onEnd(run: string): AlertEvent[] {
    const s = this.runs.get(run);
    const out: AlertEvent[] = [];
    if (!s) return out;
    if (s.lostPending > 0) this.lostAlert(run, s, out, null, true);
    s.silent.clear();
    return out;
  }

  // --- internals -------------------------------------------------------------------------------

  private state(run: string): RunState {
    let s = this.runs.get(run);
    if (!s) {
      const o = this.options;
      const base = { burnIn: o.burnIn, consecutive: o.consecutive, stdMargin: o.stdMargin, window: o.window, minRelChange: o.minRelChange };
      s = {
        geometry: new Map(o.geometryMetrics.map((m) => [m, new CausalTrigger({ ...base, bad: GEOMETRY_META[signalOf(m)].bad })])),
        loss: new CausalTrigger({ ...o.loss, bad: 'up' }),
        geometryEpoch: null,
        lossEpoch: null,
        fired: new Set(),
        lastEpoch: null,
        repeatEpoch: new Map(),
        repeatCount: new Map(),
        suppressed: new Map(),
        lostPending: 0,
        lostTotal: 0,
        silent: new Set(),
        layouts: 0,
        drift: { layout: new DriftTracker({ percentile: o.radiusPercentile }), activations: new DriftTracker({ percentile: o.radiusPercentile }) },
        bestRank: new Map(),
      };
      this.runs.set(run, s);
    }
    return s;
  }

  /** Input arrived for a run: it is not silent, and its latest epoch may have moved. */
  private touch(s: RunState, epoch: number): void {
    s.silent.clear();
    if (Number.isFinite(epoch) && (s.lastEpoch === null || epoch > s.lastEpoch)) s.lastEpoch = epoch;
  }

  /** Pushes a once-per-run alert unless its kind already fired for the run. */
  private once(s: RunState, out: AlertEvent[], a: Omit<AlertEvent, 'event'>): void {
    if (s.fired.has(a.kind)) return;
    s.fired.add(a.kind);
    out.push({ event: 'alert', ...a });
  }

  /**
   * Pushes a repeating alert unless rate limited: at most one per run per epoch (the latest epoch
   * seen), at most maxRepeats per run. Held-back events are counted into the next alert's evidence.
   * `perStretch` skips the per-epoch limit (silence has its own: once per silent stretch).
   */
  private repeat(s: RunState, out: AlertEvent[], a: Omit<AlertEvent, 'event'>, perStretch = false): boolean {
    const count = s.repeatCount.get(a.kind) ?? 0;
    const sameEpoch = s.repeatEpoch.has(a.kind) && s.repeatEpoch.get(a.kind) === s.lastEpoch;
    if (count >= this.options.maxRepeats || (!perStretch && sameEpoch)) {
      s.suppressed.set(a.kind, (s.suppressed.get(a.kind) ?? 0) + 1);
      return false;
    }
    const suppressed = s.suppressed.get(a.kind) ?? 0;
    s.suppressed.set(a.kind, 0);
    s.repeatCount.set(a.kind, count + 1);
    s.repeatEpoch.set(a.kind, s.lastEpoch);
    const last = count + 1 === this.options.maxRepeats;
    out.push({
      event: 'alert',
      ...a,
      message: last ? `${a.message} (last ${a.kind} alert for this run: limit of ${this.options.maxRepeats} reached)` : a.message,
      evidence: { ...a.evidence, ...(suppressed > 0 ? { suppressed_since_last: suppressed } : {}) },
    });
    return true;
  }

  private lostAlert(run: string, s: RunState, out: AlertEvent[], e: LostEvent | null, atEnd = false): void {
    const pending = s.lostPending;
    const a: Omit<AlertEvent, 'event'> = {
      run,
      epoch: s.lastEpoch,
      kind: 'lost_frames',
      severity: 'warning',
      message: `${pending} frame${pending === 1 ? '' : 's'} lost${e ? ` from producer ${e.producer} (expected seq ${e.expected}, got ${e.got})` : ''}${atEnd ? ' before the run ended' : ''}; ${s.lostTotal} lost in this run so far`,
      evidence: {
        metric: 'lost_frames',
        values: [pending],
        epochs: s.lastEpoch === null ? [] : [s.lastEpoch],
        total: s.lostTotal,
        ...(e ? { producer: e.producer, expected: e.expected, got: e.got } : {}),
      },
    };
    // Suppressed lost events are already summed into `pending`, so the count is not repeated.
    if (atEnd) {
      out.push({ event: 'alert', ...a });
      s.lostPending = 0;
      return;
    }
    if (this.repeat(s, out, a)) s.lostPending = 0;
    else s.suppressed.delete('lost_frames');
  }

  private geometryAlert(run: string, s: RunState, metric: QualifiedMetric, f: TriggerFiring, g: EpochGeometry): AlertEvent {
    s.geometryEpoch = f.epoch;
    s.fired.add('geometry');
    const meta = GEOMETRY_META[signalOf(metric)];
    const source = sourceOf(metric);
    const o = this.options;
    const lead = s.lossEpoch === null ? null : s.lossEpoch - f.epoch;
    const verb = meta.bad === 'up' ? 'rose' : 'fell';
    const moves = o.consecutive === 1 ? verb : `${verb} ${o.consecutive} epochs in a row`;
    const relation =
      lead === null
        ? 'the validation-loss alert has not fired'
        : lead >= 0
          ? `the validation-loss alert fired ${lead === 0 ? 'at the same epoch' : `at epoch ${s.lossEpoch}, ${epochs(lead)} later`}`
          : `the validation-loss alert fired ${epochs(-lead)} earlier (epoch ${s.lossEpoch})`;
    return {
      event: 'alert',
      run,
      epoch: f.epoch,
      kind: 'geometry',
      severity: 'warning',
      message: `geometry at epoch ${f.epoch}: ${meta.name} of the ${source === 'layout' ? 'layout' : 'activations'} ${moves} (${chain(f.values)} over epochs ${f.epochs[0]}-${f.epochs[f.epochs.length - 1]}), the last move beyond ${o.stdMargin}x its recent std; ${meta.meaning}; ${relation}`,
      evidence: {
        metric,
        direction: meta.bad,
        values: f.values.map((v) => round(v)),
        epochs: f.epochs,
        move: round(f.move, 6),
        std: round(f.std, 6),
        threshold: round(f.threshold, 6),
        rel_change: round(f.relChange),
        ...(g.classGeo ? { D: round(g.classGeo.D), V: round(g.classGeo.V), sep: round(g.classGeo.sep) } : {}),
        ...(g.drift !== undefined ? { drift: round(g.drift, 6) } : {}),
        source,
        burn_in: o.burnIn,
        consecutive: o.consecutive,
        std_margin: o.stdMargin,
        window: o.window,
        ...(lead === null ? {} : { val_loss_alert_epoch: s.lossEpoch, lead_epochs: lead }),
      },
    };
  }

  private lossAlert(run: string, s: RunState, f: TriggerFiring): AlertEvent {
    s.lossEpoch = f.epoch;
    s.fired.add('loss');
    const o = this.options;
    const lead = s.geometryEpoch === null ? null : f.epoch - s.geometryEpoch;
    const k = o.loss.consecutive;
    const relation =
      lead === null ? 'no geometry alert before it' : `the geometry alert fired ${lead === 0 ? 'at the same epoch' : `${epochs(lead)} earlier, at epoch ${s.geometryEpoch}`}`;
    return {
      event: 'alert',
      run,
      epoch: f.epoch,
      kind: 'loss',
      severity: 'warning',
      message: `loss at epoch ${f.epoch}: ${o.lossMetric} rose ${k === 1 ? '' : `${k} epochs in a row `}(${chain(f.values)} over epochs ${f.epochs[0]}-${f.epochs[f.epochs.length - 1]}); ${relation}`,
      evidence: {
        metric: o.lossMetric,
        direction: 'up',
        values: f.values.map((v) => round(v, 6)),
        epochs: f.epochs,
        move: round(f.move, 6),
        std: round(f.std, 6),
        threshold: round(f.threshold, 6),
        rel_change: round(f.relChange),
        burn_in: o.loss.burnIn,
        consecutive: k,
        std_margin: o.loss.stdMargin,
        window: o.loss.window,
        ...(lead === null ? {} : { geometry_alert_epoch: s.geometryEpoch, lead_epochs: lead }),
      },
    };
  }
}

function signalOf(m: QualifiedMetric): GeometrySignal {
  return m.slice(m.indexOf(':') + 1) as GeometrySignal;
}

function sourceOf(m: QualifiedMetric): GeometrySource {
  return m.slice(0, m.indexOf(':')) as GeometrySource;
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

/**
 * A fixed subset of about `max` rows, chosen by a hash of each row's id: the same samples are
 * chosen every epoch whatever order they arrive in, and id patterns (multiples of 4, ranks'
 * ranges) do not alias with the stride.
 */
export function idSubset(ids: Float64Array, max: number): (i: number) => boolean {
  const n = ids.length;
  if (n <= max) return () => true;
  // Keep ids whose hash falls below max/n of the 32-bit range.
  const limit = Math.floor((max / n) * 0x100000000);
  return (i) => {
    const v = ids[i]!;
    let h = Math.imul((v | 0) ^ Math.floor(v / 0x100000000), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    return h >>> 0 < limit;
  };
}
