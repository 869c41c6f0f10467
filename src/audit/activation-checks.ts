/**
 * Alerts read straight from an assembled epoch's activations, no projection needed: dead units and
 * effective-rank collapse (docs/alerts.md#dead-units and docs/alerts.md#collapse).
 */
import type { AlertEvent } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import { activationSignals, type ActivationSignals } from './activation-signals.js';
import { deadUnitsAlert, dyingUnitsAlert, noVarianceAlert, rankClassesAlert, rankDropAlert } from './messages.js';
import type { ResolvedAuditOptions } from './options.js';
import { once, onceFor } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/**
 * Checks one split of one epoch; pushes its alerts to `out`. No NaN check: decode refuses a batch
 * with a non-finite x (after narrowing to float32), and that refusal raises the nan alert.
 */
export function activationAlerts(o: ResolvedAuditOptions, s: AuditRunState, data: EpochData, out: AlertEvent[]): void {
  const a = activationSignals(data, { maxRankRows: o.maxRankRows });
  if (a.rows > 0) deadUnitChecks(o, s, data, a, out);
  if (a.rows < 2) return;
  const best = s.bestRank.get(data.split);
  const classes = classCount(data);
  // Early training may squeeze the layer into a direction or two for an epoch (a loss spike): the rank check waits out the burn-in.
  const seen = s.rankEpochs.get(data.split) ?? 0;
  s.rankEpochs.set(data.split, seen + 1);
  if (a.effectiveRank === 0) once(s, out, noVarianceAlert(data.run, data.epoch, data.split, a.dim));
  else if (seen >= o.burnIn && classes >= 2 && a.effectiveRank < o.collapseRankClasses * (classes - 1)) once(s, out, rankClassesAlert(data.run, data.epoch, data.split, a, classes, o.collapseRankClasses));
  else if (best && o.collapseRankRatio > 0 && a.effectiveRank < o.collapseRankRatio * best.rank) once(s, out, rankDropAlert(data.run, data.epoch, data.split, a, best, o.collapseRankRatio));
  if (!best || a.effectiveRank > best.rank) s.bestRank.set(data.split, { rank: a.effectiveRank, epoch: data.epoch });
}

/**
 * Dead units, three ways (docs/alerts.md#dead-units): the whole layer dead (critical), a large
 * share dead (info), and on the train split after the burn-in a share that rose by `deadUnitRise`
 * over its median of the last `refWindow` epochs (units dying: warning).
 */
function deadUnitChecks(o: ResolvedAuditOptions, s: AuditRunState, data: EpochData, a: ActivationSignals, out: AlertEvent[]): void {
  if (a.deadShare >= 1) onceFor(s, out, 'dead_units:critical', deadUnitsAlert(data.run, data.epoch, data.split, a, o.deadUnitShare));
  else if (a.deadShare >= o.deadUnitShare) onceFor(s, out, 'dead_units:info', deadUnitsAlert(data.run, data.epoch, data.split, a, o.deadUnitShare));
  // Dying is judged on the train split: a small held-out split makes "zero for every sample" noisy.
  if (data.split !== 'train') return;
  let h = s.deadUnits;
  if (!h) h = s.deadUnits = { seen: 0, shares: [], epochs: [] };
  if (h.seen >= o.burnIn && a.deadShare < 1 && h.shares.length > 0) {
    const before = median(h.shares);
    const rise = a.deadShare - before;
    // At least two units: in a tiny layer one unit is already a big share.
    if (rise >= o.deadUnitRise && rise * a.dim >= 2) {
      onceFor(s, out, 'dead_units:warning', dyingUnitsAlert(data.run, data.epoch, data.split, a, before, h.epochs, o.deadUnitRise));
    }
  }
  h.seen++;
  h.shares.push(a.deadShare);
  h.epochs.push(data.epoch);
  // Only the last refWindow epochs are compared with: the history stays that short.
  if (h.shares.length > o.refWindow) {
    h.shares.shift();
    h.epochs.shift();
  }
}

/** Classes the epoch speaks of: the names from hello, else the distinct labels; 0 when unknown. */
function classCount(data: EpochData): number {
  if (data.classes && data.classes.length > 0) return data.classes.length;
  if (!data.labels) return 0;
  return new Set(data.labels).size;
}

function median(v: readonly number[]): number {
  const s = [...v].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
