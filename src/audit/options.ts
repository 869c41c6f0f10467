/** Every threshold of the auditor, with its default and the reason for it (docs/alerts.md). */
import { checkTriggerOptions, type BadDirection, type TriggerOptions } from './trigger.js';

/** Geometry signals the geometry alert may watch (geometry-signals.ts, drift.ts). */
export type GeometrySignal = 'D' | 'V' | 'sep' | 'drift';

/** What the geometry signals are computed on. */
export type GeometrySource = 'layout' | 'activations';

/**
 * A signal, optionally qualified by its source ("activations:drift"); an unqualified name is
 * computed on `geometrySource`.
 */
export type GeometryMetric = GeometrySignal | `${GeometrySource}:${GeometrySignal}`;

/** A metric with its source spelled out. */
export type QualifiedMetric = `${GeometrySource}:${GeometrySignal}`;

/** The direction each geometry signal moves in when training goes wrong. */
export const GEOMETRY_BAD: Readonly<Record<GeometrySignal, BadDirection>> = { D: 'down', V: 'up', sep: 'down', drift: 'up' };

/** The signal of a qualified metric ("activations:drift" -> "drift"). */
export function signalOf(m: QualifiedMetric): GeometrySignal {
  return m.slice(m.indexOf(':') + 1) as GeometrySignal;
}

/** The source of a qualified metric ("activations:drift" -> "activations"). */
export function sourceOf(m: QualifiedMetric): GeometrySource {
  return m.slice(0, m.indexOf(':')) as GeometrySource;
}

/** Options of `Auditor`; every field is optional, `resolveAuditOptions` fills the defaults. */
export interface AuditOptions {
  /** Epochs observed before a trigger may fire (early training is a transient; docs/alerts.md#the-causal-trigger). */
  readonly burnIn?: number;
  /** k consecutive bad moves. */
  readonly consecutive?: number;
  /** The last move must exceed this many stds of the previous `window` values (the paper's 0.2 fired on stable runs). */
  readonly stdMargin?: number;
  /** Epochs the std is taken over. */
  readonly window?: number;
  /** Geometry trigger: the k moves together must change the metric by more than this share (0 = off). */
  readonly minRelChange?: number;
  /**
   * Where the geometry alert measures class geometry: the engine's 2-D layout (as the paper does) or
   * the raw activations of the train split (for sessions without a projection, e.g. --no-engine).
   */
  readonly geometrySource?: GeometrySource;
  /** Which geometry signals the geometry alert watches; it fires on the first of them. */
  readonly geometryMetrics?: readonly GeometryMetric[];
  /**
   * Overrides for the validation-loss baseline's trigger. By default it is the same rule as the
   * geometry trigger (burnIn, consecutive, stdMargin, window) without minRelChange (docs/alerts.md#loss).
   */
  readonly loss?: Partial<Omit<TriggerOptions, 'bad'>>;
  /** Metric name of the baseline. */
  readonly lossMetric?: string;
  /** Quantile of distances from the centroid used as the layout's radius. */
  readonly radiusPercentile?: number;
  /** Collapse when D (centroid distance / radius) falls below this after burn-in. */
  readonly collapseD?: number;
  /** Collapse when the effective rank falls below this share of the run's highest so far. */
  readonly collapseRankRatio?: number;
  /** dead_units alert when at least this share of dimensions is zero for every sample. */
  readonly deadUnitShare?: number;
  /** silence alert when a producer said nothing for at least this long. */
  readonly silenceSeconds?: number;
  /** lost_frames alert once at least this many frames were lost since the last such alert. */
  readonly lostFrames?: number;
  /** nan, lost_frames and silence repeat at most this often per run (and at most once per epoch). */
  readonly maxRepeats?: number;
  /** Rows used to estimate the effective rank. */
  readonly maxRankRows?: number;
  /** Rows (a fixed subset chosen by id) the activation drift is measured on. */
  readonly maxDriftRows?: number;
}

/** AuditOptions with every default filled in. */
export type ResolvedAuditOptions = Required<Omit<AuditOptions, 'loss' | 'geometryMetrics'>> & {
  readonly loss: Omit<TriggerOptions, 'bad'>;
  /** Every metric qualified by its source, duplicates removed. */
  readonly geometryMetrics: readonly QualifiedMetric[];
};

/** Defaults; each one's reason and the sweep behind the trigger's are in docs/alerts.md#how-the-defaults-were-chosen. */
export const AUDIT_DEFAULTS: Readonly<Required<Omit<AuditOptions, 'loss'>>> = {
  burnIn: 5,
  consecutive: 2,
  stdMargin: 1,
  window: 10,
  // Off: the std margin alone kept stable runs quiet.
  minRelChange: 0,
  geometrySource: 'layout',
  geometryMetrics: ['activations:drift'],
  lossMetric: 'val_loss',
  // 0.95 ignores the handful of outliers a parametric projection throws far out.
  radiusPercentile: 0.95,
  // Healthy class centroids sit a sizeable share of the radius apart; 5% means they coincide.
  collapseD: 0.05,
  // A sharp drop: less than a third of the best rank the run has had.
  collapseRankRatio: 0.3,
  // Some dead ReLUs are normal; half the layer dead is not.
  deadUnitShare: 0.5,
  // An epoch of a small model takes seconds; half a minute of nothing is worth a look.
  silenceSeconds: 30,
  // Any loss is worth knowing about (the producer drops frames only when its queue overflows).
  lostFrames: 1,
  // Enough to follow a failure over many epochs; keeps the alert log and --on-alert runs bounded.
  maxRepeats: 20,
  // 128 rows: the Gram matrix costs ~8 ms at D = 512 on the receiving thread; a participation ratio
  // well below 128 (the collapse case) is still resolved.
  maxRankRows: 128,
  // The audit runs on the receiving thread: a fixed subset of ids keeps drift at a few ms for a
  // 5000 x 512 epoch (all rows cost ~100 ms) while its mean over 1000+ samples barely moves.
  maxDriftRows: 1024,
};

const SIGNALS: readonly string[] = ['D', 'V', 'sep', 'drift'];
const SOURCES: readonly string[] = ['layout', 'activations'];

/** Splits "source:signal" (or a bare signal, with the default source); throws on unknown names. */
export function qualifyMetric(m: string, source: GeometrySource): QualifiedMetric {
  const [a, b] = m.includes(':') ? m.split(':', 2) : [source, m];
  if (!SOURCES.includes(a!) || !SIGNALS.includes(b!)) {
    throw new Error(`audit options: unknown geometry metric ${JSON.stringify(m)} (use D, V, sep or drift, optionally prefixed layout: or activations:)`);
  }
  return `${a}:${b}` as QualifiedMetric;
}

/** Fills defaults and checks every value, naming the first bad option. */
export function resolveAuditOptions(opts: AuditOptions = {}): ResolvedAuditOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as AuditOptions;
  const r = { ...AUDIT_DEFAULTS, ...defined };
  const base = {
    burnIn: r.burnIn,
    consecutive: r.consecutive,
    stdMargin: r.stdMargin,
    window: r.window,
    minRelChange: r.minRelChange,
  };
  checkTriggerOptions({ ...base, bad: 'up' }, 'audit options');
  const lossOverrides = Object.fromEntries(Object.entries(opts.loss ?? {}).filter(([, v]) => v !== undefined));
  // The baseline is the geometry trigger's rule (burn-in, k, margin, window) without its
  // relative-change guard: a stricter baseline would flatter the geometry alert's lead (docs/alerts.md#loss).
  const loss = { ...base, minRelChange: 0, ...lossOverrides };
  checkTriggerOptions({ ...loss, bad: 'up' }, 'audit options (loss)');
  if (!Array.isArray(r.geometryMetrics) || r.geometryMetrics.length === 0) {
    throw new Error('audit options: geometryMetrics must list at least one of D, V, sep, drift');
  }
  if (r.geometrySource !== 'layout' && r.geometrySource !== 'activations') {
    throw new Error(`audit options: geometrySource must be 'layout' or 'activations', got ${String(r.geometrySource)}`);
  }
  const geometryMetrics = [...new Set(r.geometryMetrics.map((m) => qualifyMetric(String(m), r.geometrySource)))];
  if (typeof r.lossMetric !== 'string' || r.lossMetric === '') throw new Error('audit options: lossMetric must be a non-empty string');
  const shares: Array<[string, number]> = [
    ['radiusPercentile', r.radiusPercentile],
    ['collapseRankRatio', r.collapseRankRatio],
    ['deadUnitShare', r.deadUnitShare],
  ];
  for (const [name, v] of shares) {
    if (!(Number.isFinite(v) && v > 0 && v <= 1)) throw new Error(`audit options: ${name} must be in (0, 1], got ${v}`);
  }
  const nonNeg: Array<[string, number]> = [
    ['collapseD', r.collapseD],
    ['silenceSeconds', r.silenceSeconds],
  ];
  for (const [name, v] of nonNeg) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`audit options: ${name} must be a finite number >= 0, got ${v}`);
  }
  const ints: Array<[string, number, number]> = [
    ['lostFrames', r.lostFrames, 1],
    ['maxRepeats', r.maxRepeats, 1],
    ['maxRankRows', r.maxRankRows, 2],
    ['maxDriftRows', r.maxDriftRows, 2],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new Error(`audit options: ${name} must be an integer >= ${min}, got ${v}`);
  }
  return { ...r, loss, geometryMetrics };
}
