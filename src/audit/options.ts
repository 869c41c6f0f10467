/** Every threshold of the auditor, with its default and the reason for it (docs/alerts.md). */
import { checkTriggerOptions, type BadDirection, type TriggerOptions } from './trigger.js';

/** Geometry signals the geometry alert may watch (geometry-signals.ts, drift.ts). */
export type GeometrySignal = 'D' | 'V' | 'sep' | 'drift' | 'rescale';

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
export const GEOMETRY_BAD: Readonly<Record<GeometrySignal, BadDirection>> = { D: 'down', V: 'up', sep: 'down', drift: 'up', rescale: 'up' };

/** The signal of a qualified metric ("activations:drift" -> "drift"). */
export function signalOf(m: QualifiedMetric): GeometrySignal {
  return m.slice(m.indexOf(':') + 1) as GeometrySignal;
}

/** The source of a qualified metric ("activations:drift" -> "activations"). */
export function sourceOf(m: QualifiedMetric): GeometrySource {
  return m.slice(0, m.indexOf(':')) as GeometrySource;
}

/**
 * How the geometry alert decides: `cusum`, a sequential change detector on the log of each signal
 * with a threshold from the target run length between false alarms (docs/alerts.md#the-change-detector);
 * `trigger`, the paper's causal trigger (burn-in, k bad moves, std margin), the rule before it.
 */
export type GeometryDetector = 'cusum' | 'trigger';

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
  /** The geometry alert's detector: the change detector (default) or the causal trigger. */
  readonly geometryDetector?: GeometryDetector;
  /** Change detector: average healthy epochs between false geometry warnings of a run (all watched signals together). */
  readonly targetArl?: number;
  /** Change detector: the same for the geometry info (a shorter run length: a lower threshold). */
  readonly infoArl?: number;
  /** Change detector: allowance k, in noise units; levels within k of the reference never add up. */
  readonly cusumK?: number;
  /** Change detector: levels in the running median reference. */
  readonly refWindow?: number;
  /** Change detector: smallest noise, in log units (0.1: a 10% change is never significant alone). */
  readonly minNoise?: number;
  /** Change detector: a level this many noise units below the reference enters the reference clipped there. */
  readonly winsor?: number;
  /** Change detector: added to a signal before its log (drift near 0 means a settled representation). */
  readonly logFloor?: number;
  /** Change detector: warn only while the signal still moves the bad way (a receding excursion stays an info). */
  readonly warnWhileRising?: boolean;
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
  /** Collapse when the effective rank falls below this share of the run's highest so far (0 = off). */
  readonly collapseRankRatio?: number;
  /** Collapse when the effective rank falls below this share of (classes - 1), the rank a collapsed classifier keeps. */
  readonly collapseRankClasses?: number;
  /** dead_units info when at least this share of dimensions is zero for every sample. */
  readonly deadUnitShare?: number;
  /** dead_units warning when the dead share rose this much above its recent median (units are dying). */
  readonly deadUnitRise?: number;
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
  /** The forgetting alert (continual learning, docs/alerts.md#forgetting): off unless asked for. */
  readonly alertForgetting?: boolean;
  /** Forgetting: an ended task's samples moved at least this many of their spreads since it ended... */
  readonly forgettingDrift?: number;
  /** ...and the share of their neighbours from other tasks rose at least this much. */
  readonly forgettingMix?: number;
  /** Forgetting: train rows (a fixed subset by id) measured; its exact k-NN costs rows^2 * D. */
  readonly maxForgettingRows?: number;
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
  geometryDetector: 'cusum',
  // One false geometry warning per 1000 healthy epochs: about one per 30 runs of 30 epochs.
  targetArl: 1000,
  // Info: evidence building up, one per 100 healthy epochs.
  infoArl: 100,
  // Detect shifts of about 2 noise units (k = half the shift); smaller wander never adds up.
  cusumK: 1,
  // Five epochs: long enough that one odd epoch does not move the reference, short enough to follow a decaying schedule.
  refWindow: 5,
  // The quietest healthy design run wanders by ~0.1 in log drift from epoch to epoch (docs/alerts.md).
  minNoise: 0.1,
  // Huber's usual clipping constant.
  winsor: 1.5,
  // 1% of the radius per epoch: a representation moving less is at rest.
  logFloor: 0.01,
  // "Act now" is for an excursion that is still growing.
  warnWhileRising: true,
  geometrySource: 'layout',
  // Drift alone: adding rescale gained a design run but warned on a held-out healthy one (docs/alerts.md#why-three-ramps-fall-short).
  geometryMetrics: ['activations:drift'],
  lossMetric: 'val_loss',
  // 0.95 ignores the handful of outliers a parametric projection throws far out.
  radiusPercentile: 0.95,
  // Healthy class centroids sit a sizeable share of the radius apart; 5% means they coincide.
  collapseD: 0.05,
  // Off: a healthy classifier's rank falls by design (neural collapse towards classes - 1).
  collapseRankRatio: 0,
  // Below a fifth of (classes - 1), under 2 directions for 10 classes: the healthy design runs stay above 2.5.
  collapseRankClasses: 0.2,
  // Some dead ReLUs are normal; half the layer dead is worth a look (info), not an action.
  deadUnitShare: 0.5,
  // 15% of the layer newly dead: healthy design runs never rose more than 6%.
  deadUnitRise: 0.15,
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
  // Opt-in: it needs tasks (protocol 1.1) and means something only for continual learning.
  alertForgetting: false,
  // Split MNIST, the demo's fixtures (docs/alerts.md#forgetting): the forgetting run's old task moves
  // 1.6-1.9 spreads and its mix rises by 0.12 at the switch; the joint control's moves 1.16-1.24 and its mix falls.
  forgettingDrift: 0.5,
  forgettingMix: 0.05,
  // 256 rows: 256^2 * D multiply-adds per epoch on the receiving thread, 51 ms at D = 64 on a 2-core
  // machine under load 25 (`npx tsx bench/forgetting-cost.ts 256 64`); 512 rows cost 170 ms there.
  maxForgettingRows: 256,
};

const SIGNALS: readonly string[] = ['D', 'V', 'sep', 'drift', 'rescale'];
const SOURCES: readonly string[] = ['layout', 'activations'];

/** Splits "source:signal" (or a bare signal, with the default source); throws on unknown names. */
export function qualifyMetric(m: string, source: GeometrySource): QualifiedMetric {
  const [a, b] = m.includes(':') ? m.split(':', 2) : [source, m];
  if (!SOURCES.includes(a!) || !SIGNALS.includes(b!)) {
    throw new Error(`audit options: unknown geometry metric ${JSON.stringify(m)} (use D, V, sep, drift or rescale, optionally prefixed layout: or activations:)`);
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
    throw new Error('audit options: geometryMetrics must list at least one of D, V, sep, drift, rescale');
  }
  if (r.geometrySource !== 'layout' && r.geometrySource !== 'activations') {
    throw new Error(`audit options: geometrySource must be 'layout' or 'activations', got ${String(r.geometrySource)}`);
  }
  const geometryMetrics = [...new Set(r.geometryMetrics.map((m) => qualifyMetric(String(m), r.geometrySource)))];
  if (typeof r.lossMetric !== 'string' || r.lossMetric === '') throw new Error('audit options: lossMetric must be a non-empty string');
  const shares: Array<[string, number]> = [
    ['radiusPercentile', r.radiusPercentile],
    ['deadUnitShare', r.deadUnitShare],
    ['deadUnitRise', r.deadUnitRise],
  ];
  for (const [name, v] of shares) {
    if (!(Number.isFinite(v) && v > 0 && v <= 1)) throw new Error(`audit options: ${name} must be in (0, 1], got ${v}`);
  }
  const nonNeg: Array<[string, number]> = [
    ['collapseD', r.collapseD],
    ['silenceSeconds', r.silenceSeconds],
    ['logFloor', r.logFloor],
    ['forgettingDrift', r.forgettingDrift],
  ];
  const unit: Array<[string, number]> = [
    ['collapseRankRatio', r.collapseRankRatio],
    ['collapseRankClasses', r.collapseRankClasses],
    ['forgettingMix', r.forgettingMix],
  ];
  for (const [name, v] of unit) {
    if (!(Number.isFinite(v) && v >= 0 && v <= 1)) throw new Error(`audit options: ${name} must be in [0, 1] (0 = off), got ${v}`);
  }
  const positive: Array<[string, number]> = [
    ['cusumK', r.cusumK],
    ['minNoise', r.minNoise],
    ['winsor', r.winsor],
  ];
  for (const [name, v] of positive) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`audit options: ${name} must be a finite number > 0, got ${v}`);
  }
  if (!(Number.isFinite(r.targetArl) && r.targetArl > 1)) throw new Error(`audit options: targetArl must be a number > 1, got ${r.targetArl}`);
  if (!(Number.isFinite(r.infoArl) && r.infoArl > 1 && r.infoArl <= r.targetArl)) {
    throw new Error(`audit options: infoArl must be a number > 1 and at most targetArl (${r.targetArl}), got ${r.infoArl}`);
  }
  if (typeof r.alertForgetting !== 'boolean') throw new Error(`audit options: alertForgetting must be true or false, got ${String(r.alertForgetting)}`);
  if (typeof r.warnWhileRising !== 'boolean') throw new Error(`audit options: warnWhileRising must be true or false, got ${String(r.warnWhileRising)}`);
  if (r.geometryDetector !== 'cusum' && r.geometryDetector !== 'trigger') {
    throw new Error(`audit options: geometryDetector must be 'cusum' or 'trigger', got ${String(r.geometryDetector)}`);
  }
  for (const [name, v] of nonNeg) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`audit options: ${name} must be a finite number >= 0, got ${v}`);
  }
  const ints: Array<[string, number, number]> = [
    ['lostFrames', r.lostFrames, 1],
    ['maxRepeats', r.maxRepeats, 1],
    ['maxRankRows', r.maxRankRows, 2],
    ['maxDriftRows', r.maxDriftRows, 2],
    ['refWindow', r.refWindow, 1],
    ['maxForgettingRows', r.maxForgettingRows, 2],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) throw new Error(`audit options: ${name} must be an integer >= ${min}, got ${v}`);
  }
  return { ...r, loss, geometryMetrics };
}
