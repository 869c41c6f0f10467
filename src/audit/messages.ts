/**
 * The words and evidence of every alert. Pure templates: they take what a check found and return
 * the alert; deciding whether it fires (and rate limiting) is the checks' job. Scripts read the
 * evidence fields through the headless JSON (man/sentrycam.1): extend them, never rename.
 */
import type { AlertEvent, AlertKind, LostEvent, MetricsEvent, RejectEvent } from '../model/events.js';
import type { Split } from '../model/epoch-data.js';
import type { ActivationSignals } from './activation-signals.js';
import type { EpochGeometry, GeometrySignals } from './geometry-signals.js';
import { GEOMETRY_BAD, signalOf, sourceOf, type GeometrySignal, type QualifiedMetric, type ResolvedAuditOptions } from './options.js';
import type { TriggerFiring } from './trigger.js';
import type { ChangeFiring } from './cusum.js';

/** An alert before the rate limit has had its say (it may amend message and evidence). */
export type AlertDraft = Omit<AlertEvent, 'event'>;

/** A human name of each geometry signal, and what its bad move means. */
const GEOMETRY_WORDS: Readonly<Record<GeometrySignal, { name: string; meaning: string }>> = {
  D: { name: 'inter-class distance D', meaning: 'class centroids are moving together' },
  V: { name: 'intra-class variance V', meaning: 'classes are spreading out' },
  sep: { name: 'class separation D/sqrt(V)', meaning: 'classes are merging' },
  drift: { name: 'representation drift', meaning: 'the same samples move further every epoch: the representation is churning' },
  rescale: { name: 'change of scale', meaning: 'the spread of the representation jumps from epoch to epoch: the steps are too large for the layer' },
};

/** The epoch's class geometry, drift and rescale, as far as they were measured. */
function geometryEvidence(g: EpochGeometry): Record<string, number> {
  return {
    ...(g.classGeo ? { D: round(g.classGeo.D), V: round(g.classGeo.V), sep: round(g.classGeo.sep) } : {}),
    ...(g.drift !== undefined ? { drift: round(g.drift, 6) } : {}),
    ...(g.rescale !== undefined ? { rescale: round(g.rescale, 6) } : {}),
  };
}

function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Three significant digits; exponent form for very small or large magnitudes. */
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

/** The epochs list of evidence that only knows the run's latest epoch (if any). */
function lastEpochs(lastEpoch: number | null): number[] {
  return lastEpoch === null ? [] : [lastEpoch];
}

/** Appended to the last alert of a repeating kind the rate limit lets through. */
export function repeatLimitNote(message: string, kind: AlertKind, maxRepeats: number): string {
  return `${message} (last ${kind} alert for this run: limit of ${maxRepeats} reached)`;
}

export function layoutCollapseAlert(run: string, epoch: number): AlertDraft {
  return {
    run,
    epoch,
    kind: 'collapse',
    severity: 'critical',
    message: `collapse at epoch ${epoch}: every point of the layout landed on one spot (the representation no longer tells samples apart; a dead network?)`,
    evidence: { metric: 'layout_radius', values: [0], epochs: [epoch], degenerate: true },
  };
}

export function centroidCollapseAlert(run: string, epoch: number, c: GeometrySignals, o: ResolvedAuditOptions): AlertDraft {
  return {
    run,
    epoch,
    kind: 'collapse',
    severity: 'critical',
    message: `collapse at epoch ${epoch}: class centroids nearly coincide (D = ${fmt(c.D)} of the ${o.geometrySource === 'layout' ? 'layout' : 'activations\''} radius, below ${o.collapseD}); the classes have merged`,
    evidence: { metric: 'D', values: [round(c.D)], epochs: [epoch], threshold: o.collapseD, V: round(c.V), sep: round(c.sep), source: o.geometrySource },
  };
}

/** A large share of the layer is dead (info), or all of it (critical). */
export function deadUnitsAlert(run: string, epoch: number, split: Split, a: ActivationSignals, threshold: number): AlertDraft {
  const all = a.deadShare >= 1;
  return {
    run,
    epoch,
    kind: 'dead_units',
    severity: all ? 'critical' : 'info',
    message: `dead units at epoch ${epoch}: ${a.deadUnits} of ${a.dim} dimensions (${Math.round(a.deadShare * 100)}%) are zero for every sample (threshold ${Math.round(threshold * 100)}%)${all ? '; the layer is dead' : ''}`,
    evidence: { metric: 'dead_share', values: [round(a.deadShare)], epochs: [epoch], dead_units: a.deadUnits, dim: a.dim, threshold, split },
  };
}

/** Units are dying: the dead share rose well above its recent level. */
export function dyingUnitsAlert(run: string, epoch: number, split: Split, a: ActivationSignals, before: number, beforeEpochs: readonly number[], rise: number): AlertDraft {
  return {
    run,
    epoch,
    kind: 'dead_units',
    severity: 'warning',
    message: `units dying at epoch ${epoch}: ${a.deadUnits} of ${a.dim} dimensions (${Math.round(a.deadShare * 100)}%) are zero for every sample, up from ${Math.round(before * 100)}% (median of epochs ${beforeEpochs[0]}-${beforeEpochs[beforeEpochs.length - 1]}); the layer is losing capacity (threshold: a rise of ${Math.round(rise * 100)}% of the layer)`,
    evidence: {
      metric: 'dead_share',
      direction: 'up',
      values: [round(before), round(a.deadShare)],
      epochs: [beforeEpochs[beforeEpochs.length - 1]!, epoch],
      dead_units: a.deadUnits,
      dim: a.dim,
      rise: round(a.deadShare - before),
      threshold_rise: rise,
      split,
    },
  };
}

/** The effective rank fell far below what telling the classes apart needs. */
export function rankClassesAlert(run: string, epoch: number, split: Split, a: ActivationSignals, classes: number, share: number): AlertDraft {
  const limit = share * (classes - 1);
  return {
    run,
    epoch,
    kind: 'collapse',
    severity: 'critical',
    message: `collapse at epoch ${epoch}: effective rank of the activations is ${fmt(a.effectiveRank)}, below ${fmt(limit)} (${share} of classes - 1 = ${classes - 1}); the layer can no longer keep ${classes} classes apart`,
    evidence: { metric: 'effective_rank', values: [round(a.effectiveRank)], epochs: [epoch], classes, threshold: round(limit), threshold_share: share, split, rows: a.rankRows },
  };
}

export function noVarianceAlert(run: string, epoch: number, split: Split, dim: number): AlertDraft {
  return {
    run,
    epoch,
    kind: 'collapse',
    severity: 'critical',
    message: `collapse at epoch ${epoch}: every sample has the same representation (no variance left in ${dim} dimensions)`,
    evidence: { metric: 'effective_rank', values: [0], epochs: [epoch], split },
  };
}

export function rankDropAlert(run: string, epoch: number, split: Split, a: ActivationSignals, best: { rank: number; epoch: number }, ratio: number): AlertDraft {
  return {
    run,
    epoch,
    kind: 'collapse',
    severity: 'critical',
    message: `collapse at epoch ${epoch}: effective rank of the activations fell to ${fmt(a.effectiveRank)} from ${fmt(best.rank)} at epoch ${best.epoch} (below ${ratio} of its best)`,
    evidence: { metric: 'effective_rank', values: [round(best.rank), round(a.effectiveRank)], epochs: [best.epoch, epoch], threshold_ratio: ratio, split, rows: a.rankRows },
  };
}

export function nonFiniteRejectAlert(run: string, lastEpoch: number | null, e: RejectEvent): AlertDraft {
  return {
    run,
    epoch: lastEpoch,
    kind: 'nan',
    severity: 'critical',
    message: `NaN/Inf from the producer: ${e.reason}`,
    evidence: { metric: 'non_finite', values: [], epochs: lastEpochs(lastEpoch), producer: e.producer, seq: e.seq, reason: e.reason },
  };
}

export function nonFiniteMetricAlert(e: MetricsEvent, bad: readonly (readonly [string, number])[]): AlertDraft {
  return {
    run: e.run,
    epoch: e.epoch,
    kind: 'nan',
    severity: 'critical',
    message: `non-finite metric at epoch ${e.epoch}: ${bad.map(([k, v]) => `${k} = ${v}`).join(', ')}`,
    evidence: { metric: bad.map(([k]) => k).join(','), values: bad.map(([, v]) => String(v)), epochs: [e.epoch] },
  };
}

/** `pending` frames lost since the last report, `total` in the run; `e` is null at the run's end. */
export function lostFramesAlert(run: string, lastEpoch: number | null, pending: number, total: number, e: LostEvent | null, atEnd: boolean): AlertDraft {
  return {
    run,
    epoch: lastEpoch,
    kind: 'lost_frames',
    severity: 'warning',
    message: `${pending} frame${pending === 1 ? '' : 's'} lost${e ? ` from producer ${e.producer} (expected seq ${e.expected}, got ${e.got})` : ''}${atEnd ? ' before the run ended' : ''}; ${total} lost in this run so far`,
    evidence: {
      metric: 'lost_frames',
      values: [pending],
      epochs: lastEpochs(lastEpoch),
      total,
      ...(e ? { producer: e.producer, expected: e.expected, got: e.got } : {}),
    },
  };
}

export function silenceAlert(run: string, producer: string, seconds: number, lastEpoch: number | null, threshold: number): AlertDraft {
  return {
    run,
    epoch: lastEpoch,
    kind: 'silence',
    severity: 'warning',
    message: `producer ${producer} of run ${run} has been silent for ${Math.round(seconds)} s (threshold ${threshold} s)${lastEpoch === null ? '' : `; last epoch seen ${lastEpoch}`}`,
    evidence: { metric: 'silence_s', values: [round(seconds, 1)], epochs: lastEpochs(lastEpoch), producer, threshold },
  };
}

/** The trigger settings shared by the geometry and loss evidence. */
function triggerEvidence(f: TriggerFiring): Record<string, unknown> {
  return { move: round(f.move, 6), std: round(f.std, 6), threshold: round(f.threshold, 6), rel_change: round(f.relChange) };
}

/** `lossEpoch`: when the run's validation-loss alert fired, if it did. */
export function geometryAlert(run: string, metric: QualifiedMetric, f: TriggerFiring, g: EpochGeometry, o: ResolvedAuditOptions, lossEpoch: number | null): AlertEvent {
  const bad = GEOMETRY_BAD[signalOf(metric)];
  const words = GEOMETRY_WORDS[signalOf(metric)];
  const source = sourceOf(metric);
  const lead = lossEpoch === null ? null : lossEpoch - f.epoch;
  const verb = bad === 'up' ? 'rose' : 'fell';
  const moves = o.consecutive === 1 ? verb : `${verb} ${o.consecutive} epochs in a row`;
  const relation =
    lead === null
      ? 'the validation-loss alert has not fired'
      : lead >= 0
        ? `the validation-loss alert fired ${lead === 0 ? 'at the same epoch' : `at epoch ${lossEpoch}, ${epochs(lead)} later`}`
        : `the validation-loss alert fired ${epochs(-lead)} earlier (epoch ${lossEpoch})`;
  return {
    event: 'alert',
    run,
    epoch: f.epoch,
    kind: 'geometry',
    severity: 'warning',
    message: `geometry at epoch ${f.epoch}: ${words.name} of the ${source === 'layout' ? 'layout' : 'activations'} ${moves} (${chain(f.values)} over epochs ${f.epochs[0]}-${f.epochs[f.epochs.length - 1]}), the last move beyond ${o.stdMargin}x its recent std; ${words.meaning}; ${relation}`,
    evidence: {
      metric,
      direction: bad,
      values: f.values.map((v) => round(v)),
      epochs: f.epochs,
      ...triggerEvidence(f),
      ...geometryEvidence(g),
      source,
      burn_in: o.burnIn,
      consecutive: o.consecutive,
      std_margin: o.stdMargin,
      window: o.window,
      ...(lead === null ? {} : { val_loss_alert_epoch: lossEpoch, lead_epochs: lead }),
    },
  };
}

/** A crossing of the change detector on one geometry signal; `lossEpoch`: when the val-loss alert fired, if it did. */
export function geometryChangeAlert(run: string, metric: QualifiedMetric, f: ChangeFiring, g: EpochGeometry, o: ResolvedAuditOptions, lossEpoch: number | null): AlertEvent {
  const bad = GEOMETRY_BAD[signalOf(metric)];
  const words = GEOMETRY_WORDS[signalOf(metric)];
  const source = sourceOf(metric);
  const warning = f.severity === 'warning';
  const lead = warning && lossEpoch !== null ? lossEpoch - f.epoch : null;
  const relation =
    !warning
      ? 'not enough evidence for a warning yet'
      : lead === null
        ? 'the validation-loss alert has not fired'
        : lead >= 0
          ? `the validation-loss alert fired ${lead === 0 ? 'at the same epoch' : `at epoch ${lossEpoch}, ${epochs(lead)} later`}`
          : `the validation-loss alert fired ${epochs(-lead)} earlier (epoch ${lossEpoch})`;
  const arl = warning ? o.targetArl : o.infoArl;
  const first = f.epochs[0]!;
  return {
    event: 'alert',
    run,
    epoch: f.epoch,
    kind: 'geometry',
    severity: f.severity,
    message:
      `geometry at epoch ${f.epoch}: ${words.name} of the ${source === 'layout' ? 'layout' : 'activations'} has been ${bad === 'up' ? 'above' : 'below'} its usual level since epoch ${first} ` +
      `(${chain(f.values)}; usual ${fmt(f.reference)}); the accumulated evidence, ${fmt(f.statistic)}, reached the ${warning ? 'warning' : 'info'} threshold ${fmt(f.threshold)} ` +
      `(set for one false ${f.severity} per ${arl} healthy epochs); ${words.meaning}; ${relation}`,
    evidence: {
      metric,
      detector: 'cusum',
      direction: bad,
      values: f.values.map((v) => round(v, 6)),
      epochs: f.epochs,
      reference: round(f.reference, 6),
      noise: round(f.noise),
      z: round(f.z),
      statistic: round(f.statistic),
      threshold: round(f.threshold),
      k: o.cusumK,
      target_arl: arl,
      ...geometryEvidence(g),
      source,
      burn_in: o.burnIn,
      ...(lead === null ? {} : { val_loss_alert_epoch: lossEpoch, lead_epochs: lead }),
    },
  };
}

/** `geometryEpoch`: when the run's geometry alert fired, if it did. */
export function lossAlert(run: string, f: TriggerFiring, o: ResolvedAuditOptions, geometryEpoch: number | null): AlertEvent {
  const lead = geometryEpoch === null ? null : f.epoch - geometryEpoch;
  const k = o.loss.consecutive;
  const relation =
    lead === null ? 'no geometry alert before it' : `the geometry alert fired ${lead === 0 ? 'at the same epoch' : `${epochs(lead)} earlier, at epoch ${geometryEpoch}`}`;
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
      ...triggerEvidence(f),
      burn_in: o.loss.burnIn,
      consecutive: k,
      std_margin: o.loss.stdMargin,
      window: o.loss.window,
      ...(lead === null ? {} : { geometry_alert_epoch: geometryEpoch, lead_epochs: lead }),
    },
  };
}
