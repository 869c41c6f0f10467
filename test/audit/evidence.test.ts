/**
 * The evidence: every recorded run in fixtures/runs replayed headless through the real CLI.
 * Unstable runs: the geometry alert fires, not before the learning rate started to climb, and
 * before the validation-loss alert (or without one). Stable runs: no geometry alert.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsEvent } from '../../src/model/events.js';
import { evidenceMarkdown, evidenceRows, type EvidenceRow } from '../../src/audit/evidence-summary.js';
import { replayHeadless } from '../../src/tools/evidence-table.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'runs');
const FILES = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => /\.scamrec(\.gz)?$/.test(f)).sort() : [];

/** First epoch whose learning rate is above the previous epoch's (null: never rises). */
function rampStart(metrics: readonly MetricsEvent[]): number | null {
  const lr = metrics.filter((m) => typeof m.values['lr'] === 'number').map((m) => [m.epoch, m.values['lr']!] as const);
  for (let i = 1; i < lr.length; i++) if (lr[i]![1] > lr[i - 1]![1] * (1 + 1e-9)) return lr[i]![0];
  return null;
}

const rows: EvidenceRow[] = [];

test('the fixtures hold at least three stable and three unstable runs', (t) => {
  t.true(FILES.filter((f) => /unstable/.test(f)).length >= 3, `unstable fixtures in ${DIR}`);
  t.true(FILES.filter((f) => !/unstable/.test(f)).length >= 3, `stable fixtures in ${DIR}`);
});

for (const file of FILES) {
  test.serial(`replay ${file}`, async (t) => {
    const r = await replayHeadless(path.join(DIR, file));
    t.is(r.code, 0);
    t.is(r.runs.length, 1, 'one run per recording');
    const [row] = evidenceRows(file, r.alerts, r.runs);
    rows.push(row!);
    const ramp = rampStart(r.metrics);
    if (row!.kind === 'unstable') {
      t.not(ramp, null, 'an unstable run raises its learning rate');
      t.not(row!.geometryEpoch, null, 'the geometry alert fires on an unstable run');
      t.true(row!.geometryEpoch! >= ramp!, `geometry alert at ${row!.geometryEpoch}, before anything changed (ramp from ${ramp})`);
      if (row!.lossEpoch !== null) t.true(row!.geometryEpoch! < row!.lossEpoch, `geometry ${row!.geometryEpoch} before val-loss ${row!.lossEpoch}`);
      t.log(`geometry ${row!.geometryEpoch}, val-loss ${row!.lossEpoch ?? 'none'}, lead ${row!.lead ?? 'n/a'} epochs (lr ramp from ${ramp})`);
    } else {
      t.is(ramp, null, 'a stable run keeps its learning rate');
      t.is(row!.geometryEpoch, null, `no geometry alert on a stable run (fired at ${row!.geometryEpoch})`);
      t.log(`no geometry alert; val-loss ${row!.lossEpoch ?? 'none'}`);
    }
  });
}

test.after.always('evidence table', () => {
  if (rows.length) process.stderr.write(`\n${evidenceMarkdown(rows)}\n`);
});
