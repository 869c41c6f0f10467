import test from 'ava';
import type { AlertEvent, AlertKind, Severity } from '../../src/model/events.js';
import {
  binomialUpper,
  evidenceMarkdown,
  evidenceRow,
  falseAlarms,
  parseCorpusManifest,
  poissonUpper,
  type CorpusEntry,
} from '../../src/audit/evidence-summary.js';

function alert(kind: AlertKind, epoch: number | null, severity: Severity = 'warning', evidence: Record<string, unknown> = { metric: 'x' }): AlertEvent {
  return { event: 'alert', run: 'r', epoch, kind, severity, message: '', evidence };
}

const epochs = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const healthy: CorpusEntry = { run: 'r', file: 'r.scamrec.gz', health: 'healthy', failure: null, variant: null, onset: null, tempo: null, part: 'design' };
const failing: CorpusEntry = { ...healthy, health: 'failing', failure: 'lr-blowup', variant: 'lr-ramp', onset: 6, tempo: 'developing', part: 'held-out' };

test('the first representation warning of any kind is the geometry mark; infos are kept apart', (t) => {
  const row = evidenceRow('r.scamrec', {
    run: 'r',
    epochs: epochs(20),
    alerts: [
      alert('geometry', 7, 'info', { metric: 'activations:drift' }),
      alert('dead_units', 12, 'warning', { metric: 'dead_share' }),
      alert('geometry', 10, 'warning', { metric: 'activations:drift' }),
      alert('loss', 14, 'warning', { metric: 'val_loss' }),
      alert('collapse', 16, 'critical', { metric: 'effective_rank' }),
    ],
  });
  t.deepEqual(row.geometry, { epoch: 10, kind: 'geometry', signal: 'activations:drift', severity: 'warning' });
  t.deepEqual(row.infos.map((i) => i.epoch), [7]);
  t.is(row.loss, 14);
  t.is(row.lossBy, 'val-loss alert');
  t.is(row.lead, 4);
  t.deepEqual(row.criticals, ['collapse@16']);
  t.deepEqual(row.others, ['geometry@7 (info)', 'dead_units@12 (warning)', 'collapse@16 (critical)']);
});

test('a non-finite metric counts as the loss baseline firing, a NaN in the activations does not', (t) => {
  const metricNan = alert('nan', 9, 'critical', { metric: 'non_finite', reason: "metric 'val_loss' is \"nan\"" });
  const xNan = alert('nan', 8, 'critical', { metric: 'non_finite', reason: 'x has 3 NaN/Inf values (first at row 0, column 1)' });
  const row = evidenceRow('r', { run: 'r', epochs: epochs(12), alerts: [alert('geometry', 5), xNan, metricNan, alert('loss', 11)] });
  t.is(row.loss, 9);
  t.is(row.lossBy, 'non-finite metric');
  t.is(row.lead, 4);
  const none = evidenceRow('r', { run: 'r', epochs: epochs(12), alerts: [xNan] });
  t.is(none.loss, null);
  t.is(none.geometry, null);
});

test('exact upper bounds: Poisson (Garwood) and binomial (Clopper-Pearson), one-sided 95%', (t) => {
  // Known values: -ln(0.05) for no event; 4.744 for one; 1 - 0.05^(1/n) for 0 of n.
  t.true(Math.abs(poissonUpper(0) - Math.log(20)) < 1e-9);
  t.true(Math.abs(poissonUpper(1) - 4.7439) < 1e-3);
  t.true(Math.abs(binomialUpper(0, 21) - (1 - 0.05 ** (1 / 21))) < 1e-9);
  t.true(Math.abs(binomialUpper(1, 10) - 0.3942) < 1e-3);
  t.is(binomialUpper(3, 3), 1);
});

test('false alarms count epochs past the burn-in, up to the alarm', (t) => {
  const quiet = evidenceRow('a', { run: 'a', epochs: epochs(30), alerts: [alert('loss', 20)] }, healthy);
  const noisy = evidenceRow('b', { run: 'b', epochs: epochs(30), alerts: [alert('geometry', 14)] }, healthy);
  const broken = evidenceRow('c', { run: 'c', epochs: epochs(30), alerts: [alert('geometry', 8)] }, failing);
  const fa = falseAlarms([quiet, noisy, broken], 5);
  t.is(fa.runs, 2);
  t.is(fa.alarms, 1);
  t.is(fa.epochsAtRisk, 25 + 10);
  t.true(Math.abs(fa.per100 - 100 / 35) < 1e-9);
  t.true(Math.abs(fa.per100Upper95 - (100 * poissonUpper(1)) / 35) < 1e-9);
  t.is(fa.runShare, 0.5);
});

test('markdown: kind, part, signal, baseline and lead', (t) => {
  const rows = [
    evidenceRow('a', { run: 'a', epochs: epochs(30), alerts: [alert('geometry', 9, 'warning', { metric: 'activations:drift' }), alert('loss', 13)] }, { ...failing, run: 'a' }),
    evidenceRow('b', { run: 'b', epochs: epochs(30), alerts: [alert('dead_units', 10, 'warning', { metric: 'dead_share' })] }, { ...failing, run: 'b', variant: 'bias-drift', onset: 10 }),
    evidenceRow('c', { run: 'c', epochs: epochs(30), alerts: [] }, null),
  ];
  t.is(
    evidenceMarkdown(rows),
    [
      '| run | kind | part | first geometry warning (epoch, signal) | val-loss alert (epoch) | lead (epochs) | other alerts |',
      '|---|---|---|---|---|---|---|',
      '| a | lr-ramp from 6 (developing) | held-out | 9 (activations:drift) | 13 | +4 | — |',
      '| b | bias-drift from 10 (developing) | held-out | 10 (dead_share) | — | no val-loss alert | — |',
      '| c | — | — | — | — | — | — |',
    ].join('\n'),
  );
});

test('the manifest parser names the first bad run', (t) => {
  const ok = JSON.stringify({ runs: [healthy, failing] });
  t.is(parseCorpusManifest(ok).length, 2);
  t.throws(() => parseCorpusManifest(JSON.stringify({ runs: [{ ...failing, onset: null }] })), { message: /runs\[0\] \(r\): a failing run needs an onset/ });
  t.throws(() => parseCorpusManifest(JSON.stringify({ runs: [{ ...healthy, part: 'test' }] })), { message: /part must be design or held-out/ });
  t.throws(() => parseCorpusManifest('{}'), { message: /"runs" must be an array/ });
});
