/**
 * Alerts read straight from an assembled epoch's activations, no projection needed: dead units and
 * effective-rank collapse (docs/alerts.md#dead-units and docs/alerts.md#collapse).
 */
import type { AlertEvent } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import { activationSignals } from './activation-signals.js';
import { deadUnitsAlert, noVarianceAlert, rankDropAlert } from './messages.js';
import type { ResolvedAuditOptions } from './options.js';
import { once } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/**
 * Checks one split of one epoch; pushes its alerts to `out`. No NaN check: decode refuses a batch
 * with a non-finite x (after narrowing to float32), and that refusal raises the nan alert.
 */
export function activationAlerts(o: ResolvedAuditOptions, s: AuditRunState, data: EpochData, out: AlertEvent[]): void {
  const a = activationSignals(data, { maxRankRows: o.maxRankRows });
  if (a.rows > 0 && a.deadShare >= o.deadUnitShare) once(s, out, deadUnitsAlert(data.run, data.epoch, data.split, a, o.deadUnitShare));
  if (a.rows < 2) return;
  const best = s.bestRank.get(data.split);
  if (a.effectiveRank === 0) once(s, out, noVarianceAlert(data.run, data.epoch, data.split, a.dim));
  else if (best && a.effectiveRank < o.collapseRankRatio * best.rank) once(s, out, rankDropAlert(data.run, data.epoch, data.split, a, best, o.collapseRankRatio));
  if (!best || a.effectiveRank > best.rank) s.bestRank.set(data.split, { rank: a.effectiveRank, epoch: data.epoch });
}
