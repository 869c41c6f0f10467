/**
 * Sensitivity of the evidence to the alert options (docs/alerts.md#sensitivity): the whole corpus
 * replayed once per setting, one summary line each. Every part at once: run it after the rule is
 * fixed, not to choose it.
 *
 *   npx tsx test/audit/corpus/sweep.ts
 */
import type { AuditOptions } from '../../../src/audit/options.js';
import { corpusEvidence } from '../../../src/tools/evidence-table.js';
import type { EvidenceRow } from '../../../src/audit/evidence-summary.js';

const SETTINGS: ReadonlyArray<readonly [string, AuditOptions]> = [
  ['defaults', {}],
  ['targetArl 300', { targetArl: 300 }],
  ['targetArl 3000', { targetArl: 3000 }],
  ['cusumK 0.5', { cusumK: 0.5 }],
  ['minNoise 0.05', { minNoise: 0.05 }],
  ['minNoise 0.2', { minNoise: 0.2 }],
  ['refWindow 10', { refWindow: 10 }],
  ['winsor 3', { winsor: 3 }],
  ['warnWhileRising off', { warnWhileRising: false }],
  ['logFloor 0', { logFloor: 0 }],
  ['deadUnitRise 0.1', { deadUnitRise: 0.1 }],
  ['drift + rescale (budget shared)', { geometryMetrics: ['activations:drift', 'activations:rescale'] }],
  ['old rule (trigger, margin 1)', { geometryDetector: 'trigger' }],
  ['baseline margin 0.2 (paper)', { loss: { stdMargin: 0.2 } }],
  ['old collapse rule (rank < 0.3 of best)', { collapseRankRatio: 0.3 }],
];

function line(rows: readonly EvidenceRow[], part: string): string {
  const mine = rows.filter((r) => part === 'all' || r.truth?.part === part);
  const healthy = mine.filter((r) => r.truth?.health === 'healthy');
  const failing = mine.filter((r) => r.truth?.health === 'failing');
  const developing = failing.filter((r) => r.truth?.tempo === 'developing');
  const early = developing.filter((r) => r.geometry !== null && (r.loss === null || r.lead! >= 2)).length;
  const late = failing.filter((r) => r.geometry !== null && r.loss !== null && r.lead! < 0).length;
  const leads = developing.filter((r) => r.lead !== null).map((r) => r.lead!).sort((a, b) => a - b);
  const m = leads.length >> 1;
  const med = leads.length === 0 ? NaN : leads.length % 2 ? leads[m]! : (leads[m - 1]! + leads[m]!) / 2;
  return `${part}: healthy warned ${healthy.filter((r) => r.geometry).length}/${healthy.length}, criticals ${healthy.filter((r) => r.criticals.length).length}; failing warned ${failing.filter((r) => r.geometry).length}/${failing.length}, after baseline ${late}; developing lead>=2 ${early}/${developing.length}, median lead ${med}`;
}

for (const [name, opts] of SETTINGS) {
  const rows = corpusEvidence(undefined, opts);
  process.stdout.write(`${name}\n  ${line(rows, 'design')}\n  ${line(rows, 'held-out')}\n`);
}
