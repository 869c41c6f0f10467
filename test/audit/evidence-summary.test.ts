import test from 'ava';
import type { AlertEvent, AlertKind } from '../../src/model/events.js';
import { evidenceMarkdown, evidenceRows, runKind } from '../../src/audit/evidence-summary.js';

function alert(run: string, kind: AlertKind, epoch: number | null, metric = 'x'): AlertEvent {
  return { event: 'alert', run, epoch, kind, severity: 'warning', message: '', evidence: { metric } };
}

test('rows: first geometry and loss epochs per run, lead = loss - geometry', (t) => {
  const alerts = [
    alert('a', 'geometry', 7, 'sep'),
    alert('b', 'loss', 9, 'val_loss'),
    alert('a', 'collapse', 16),
    alert('a', 'loss', 14, 'val_loss'),
    alert('a', 'collapse', 17),
    alert('b', 'geometry', 12, 'D'),
  ];
  const rows = evidenceRows('x.scamrec', alerts, ['quiet', 'a']);
  t.deepEqual(rows.map((r) => r.run), ['quiet', 'a', 'b']);
  t.deepEqual(
    rows.map((r) => [r.geometryEpoch, r.geometryMetric, r.lossEpoch, r.lead, r.others]),
    [
      [null, null, null, null, []],
      [7, 'sep', 14, 7, ['collapse@16']],
      [12, 'D', 9, -3, []],
    ],
  );
});

test('run kind comes from the file or run name', (t) => {
  t.is(runKind('demo-unstable-s1.scamrec', 'x'), 'unstable');
  t.is(runKind('a.scamrec', 'demo-UNSTABLE'), 'unstable');
  t.is(runKind('demo-stable-s1.scamrec', 'demo-stable-s1'), 'stable');
});

test('markdown table', (t) => {
  const rows = evidenceRows('u.scamrec', [alert('u', 'geometry', 7, 'sep'), alert('u', 'loss', 14)], ['u', 'demo-stable']);
  t.is(
    evidenceMarkdown(rows),
    [
      '| run | kind | geometry alert (epoch, signal) | val-loss alert (epoch) | lead (epochs) | other alerts |',
      '|---|---|---|---|---|---|',
      '| u | stable | 7 (sep) | 14 | +7 | — |',
      '| demo-stable | stable | — | — | — | — |',
    ].join('\n'),
  );
});
