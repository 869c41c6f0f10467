/** What the auditor remembers about one run, and the bookkeeping every input does on it. */
import type { AlertKind } from '../model/events.js';
import { DriftTracker } from './drift.js';
import { GEOMETRY_BAD, signalOf, type GeometrySource, type QualifiedMetric, type ResolvedAuditOptions } from './options.js';
import { CausalTrigger } from './trigger.js';
import { ChangeDetector, cusumThreshold } from './cusum.js';

/** When the geometry and loss alerts of a run fired (null: not yet). */
export interface RunAlertEpochs {
  readonly geometry: number | null;
  readonly loss: number | null;
}

/** Everything the auditor remembers about one run. */
export interface AuditRunState {
  /** One trigger per watched geometry metric (detector 'trigger'); the first to fire is the run's geometry alert. */
  readonly geometry: Map<QualifiedMetric, CausalTrigger>;
  /** One change detector per watched geometry metric (detector 'cusum'). */
  readonly detectors: Map<QualifiedMetric, ChangeDetector>;
  /** The validation-loss baseline. */
  readonly loss: CausalTrigger;
  geometryEpoch: number | null;
  lossEpoch: number | null;
  /** Once-per-run kinds already fired. */
  readonly fired: Set<AlertKind>;
  /** Once-per-run alerts keyed finer than by kind ("dead_units:warning"). */
  readonly firedKeys: Set<string>;
  /** The train split's dead-unit share over the last refWindow epochs, and epochs seen (dying-units check). */
  deadUnits: { seen: number; readonly shares: number[]; readonly epochs: number[] } | null;
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
  /** Epochs with an effective rank per split (the rank-collapse check waits out the burn-in). */
  readonly rankEpochs: Map<string, number>;
}

/** A fresh run: triggers and trackers built from the resolved options. */
export function newRunState(o: ResolvedAuditOptions): AuditRunState {
  const base = { burnIn: o.burnIn, consecutive: o.consecutive, stdMargin: o.stdMargin, window: o.window, minRelChange: o.minRelChange };
  const cusum = o.geometryDetector === 'cusum';
  const detector = (m: QualifiedMetric): ChangeDetector => {
    // The run's false-alarm budget is shared by its signals: each gets targetArl times their number.
    const signals = o.geometryMetrics.length;
    return new ChangeDetector({
      bad: GEOMETRY_BAD[signalOf(m)],
      k: o.cusumK,
      h: cusumThreshold(o.targetArl * signals, o.cusumK),
      hInfo: cusumThreshold(o.infoArl * signals, o.cusumK),
      burnIn: o.burnIn,
      refWindow: o.refWindow,
      minNoise: o.minNoise,
      winsor: o.winsor,
      floor: o.logFloor,
      warnWhileRising: o.warnWhileRising,
    });
  };
  return {
    geometry: cusum ? new Map() : new Map(o.geometryMetrics.map((m) => [m, new CausalTrigger({ ...base, bad: GEOMETRY_BAD[signalOf(m)] })])),
    detectors: cusum ? new Map(o.geometryMetrics.map((m) => [m, detector(m)])) : new Map(),
    loss: new CausalTrigger({ ...o.loss, bad: 'up' }),
    geometryEpoch: null,
    lossEpoch: null,
    fired: new Set(),
    firedKeys: new Set(),
    deadUnits: null,
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
    rankEpochs: new Map(),
  };
}

/** Input arrived for a run: it is not silent, and its latest epoch may have moved. */
export function touch(s: AuditRunState, epoch: number): void {
  s.silent.clear();
  if (Number.isFinite(epoch) && (s.lastEpoch === null || epoch > s.lastEpoch)) s.lastEpoch = epoch;
}
