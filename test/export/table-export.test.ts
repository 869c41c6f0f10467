/**
 * `sentrycam export --format csv|arrow` as a real child process, read back: the CSV with an RFC 4180
 * reader, the Arrow IPC file with apache-arrow's own reader (Debian has no pyarrow to read it with).
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { tableFromIPC } from 'apache-arrow';
import { finish, ROOT } from '../helpers/processes.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { exportFormat } from '../../src/cli/export.js';
import { layoutBatch } from '../../src/export/arrow-layouts.js';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { SYN_EPOCHS, SYN_RUN, SYN_TEST, SYN_TRAIN, csvObjects, parseCsv, record, synFrames } from './table-helpers.js';

function exportCli(args: string[]) {
  return finish(spawn(process.execPath, ['bin/sentrycam.js', 'export', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), 300_000);
}

const tmp = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `scam-table-${tag}-`));

/** Layout rows as comparable strings, in file order. */
type Row = { run: string; epoch: number; split: string; id: number; x: number; y: number; label: number | null; pred: number | null };
const key = (r: Row) => `${r.epoch}/${r.split}/${r.id} label=${r.label} pred=${r.pred}`;

test('exportFormat: --format wins; else -o\'s extension; else svg', (t) => {
  t.is(exportFormat(undefined, 'a.csv'), 'csv');
  t.is(exportFormat(undefined, 'a.CSV'), 'csv');
  t.is(exportFormat(undefined, 'a.arrow'), 'arrow');
  t.is(exportFormat(undefined, 'a.feather'), 'arrow');
  t.is(exportFormat(undefined, 'a.svg'), 'svg');
  t.is(exportFormat(undefined, 'dir'), 'svg');
  t.is(exportFormat('csv', 'a.svg'), 'csv');
});

test('csv and arrow hold the same layout rows: every point of every epoch, ids exact, labels and predictions as sent; epochs and alerts files beside them', async (t) => {
  const dir = tmp('syn');
  const { frames, points, valLoss } = synFrames();
  const rec = await record(dir, frames);
  const csvOut = path.join(dir, 'layouts.csv');
  const arrowOut = path.join(dir, 'layouts.arrow');
  const [csvRun, arrowRun] = await Promise.all([exportCli([rec, '-o', csvOut, '--reproducible']), exportCli([rec, '-o', arrowOut, '--reproducible'])]);
  t.is(csvRun.code, 0, csvRun.stderr);
  t.is(arrowRun.code, 0, arrowRun.stderr);
  t.deepEqual(csvRun.stdout.trim().split('\n'), [csvOut, path.join(dir, 'layouts.epochs.csv'), path.join(dir, 'layouts.alerts.csv')]);

  const csvRows: Row[] = csvObjects(fs.readFileSync(csvOut, 'utf8')).map((o) => ({
    run: o.run!,
    epoch: Number(o.epoch),
    split: o.split!,
    id: Number(o.id),
    // Read as float32 (what was computed): the shortest text must give back the very same float32.
    x: Math.fround(Number(o.x)),
    y: Math.fround(Number(o.y)),
    label: o.label === '' ? null : Number(o.label),
    pred: o.pred === '' ? null : Number(o.pred),
  }));
  t.deepEqual(parseCsv(fs.readFileSync(csvOut, 'utf8'))[0], ['run', 'epoch', 'split', 'id', 'x', 'y', 'label', 'pred']);
  t.is(csvRows.length, SYN_EPOCHS * (SYN_TRAIN + SYN_TEST));
  t.true(csvRows.every((r) => r.run === SYN_RUN), 'a run name with a quote and a comma survives CSV quoting');
  t.deepEqual(csvRows.map(key).sort(), points.map((p) => key({ ...p, run: SYN_RUN, x: 0, y: 0 })).sort());
  t.true(csvRows.every((r) => Number.isFinite(r.x) && Number.isFinite(r.y)));

  const table = tableFromIPC(fs.readFileSync(arrowOut));
  t.deepEqual(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`), ['run:Utf8', 'epoch:Int32', 'split:Utf8', 'id:Int64', 'x:Float32', 'y:Float32', 'label:Int32', 'pred:Int32']);
  t.is(table.batches.length, SYN_EPOCHS, 'one record batch per epoch');
  const arrowRows: Row[] = table.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    return { run: o.run as string, epoch: o.epoch as number, split: o.split as string, id: Number(o.id as bigint), x: o.x as number, y: o.y as number, label: o.label as number | null, pred: o.pred as number | null };
  });
  // The same seed and fixed work: the same layouts, and the CSV's shortest float32 text reads back exactly.
  t.deepEqual(arrowRows, csvRows);

  const epochs = csvObjects(fs.readFileSync(path.join(dir, 'layouts.epochs.csv'), 'utf8'));
  t.deepEqual(epochs.map((e) => [e.run, e.epoch, e.n_train, e.n_test, e.engine]), Array.from({ length: SYN_EPOCHS }, (_, k) => [SYN_RUN, String(k), String(SYN_TRAIN), String(SYN_TEST), 'projected']));
  t.deepEqual(epochs.map((e) => Number(e['metric.val_loss'])), valLoss);
  t.deepEqual(epochs.map((e) => Number(e['metric.grad_norm'])), [0.5, 1.5, 2.5, 3.5], 'step-level metrics fill the epoch row');
  t.true(epochs.every((e) => Number(e.nn15) > 0 && Number(e.nn15) <= 1 && Number(e.layout_sep) > 0));
  t.is(epochs[0]!.layout_drift, '', 'no drift before a second layout');
  t.true(Number(epochs[1]!.layout_drift) > 0);
  t.deepEqual(parseCsv(fs.readFileSync(path.join(dir, 'layouts.alerts.csv'), 'utf8')), [['run', 'epoch', 'kind', 'severity', 'message', 'evidence']]);
});

test('--epoch N keeps that epoch\'s rows; a run or epoch the file lacks exits 1 naming what it holds; --epoch with --all is a usage error', async (t) => {
  const dir = tmp('one');
  const rec = await record(dir, synFrames().frames);
  const out = path.join(dir, 'e2.csv');
  const one = await exportCli([rec, '-o', out, '--epoch', '2', '--reproducible']);
  t.is(one.code, 0, one.stderr);
  const rows = csvObjects(fs.readFileSync(out, 'utf8'));
  t.is(rows.length, SYN_TRAIN + SYN_TEST);
  t.true(rows.every((r) => r.epoch === '2'));
  t.is(csvObjects(fs.readFileSync(path.join(dir, 'e2.epochs.csv'), 'utf8')).length, SYN_EPOCHS, 'the epochs file still covers every epoch');

  const noEpoch = await exportCli([rec, '-o', path.join(dir, 'x.csv'), '--epoch', '9']);
  t.is(noEpoch.code, 1);
  t.regex(noEpoch.stderr, /has no epoch 9 \(epochs 0-3\)/);
  const noRun = await exportCli([rec, '-o', path.join(dir, 'y.arrow'), '--run', 'other']);
  t.is(noRun.code, 1);
  t.regex(noRun.stderr, /no run "other" in .* \(runs: syn "run", one\)/);
  const both = await exportCli([rec, '-o', path.join(dir, 'z.csv'), '--epoch', '1', '--all']);
  t.is(both.code, 2);
});

test('a real recorded run (PyTorch CNN, unstable): 30 epochs of 413 points; the alerts file holds the evidence table\'s alerts; the metrics are the recorded ones', async (t) => {
  const fixture = path.join(ROOT, 'fixtures/runs/torch-cnn-digits-unstable-s1.scamrec.gz');
  const dir = tmp('torch');
  const out = path.join(dir, 'torch.csv');
  const done = await exportCli([fixture, '--format', 'csv', '-o', out, '--reproducible']);
  t.is(done.code, 0, done.stderr);
  const rows = csvObjects(fs.readFileSync(out, 'utf8'));
  t.is(rows.length, 30 * 413);
  const alerts = csvObjects(fs.readFileSync(path.join(dir, 'torch.alerts.csv'), 'utf8'));
  const first = (kind: string) => alerts.find((a) => a.kind === kind);
  // As in the README's evidence table (test/audit/evidence.test.ts pins it): geometry 11, loss 13, dead units and collapse 15.
  t.like(first('geometry'), { epoch: '11', severity: 'warning' });
  t.is(JSON.parse(first('geometry')!.evidence!).metric, 'activations:drift');
  t.like(first('loss'), { epoch: '13' });
  t.like(first('dead_units'), { epoch: '15' });
  t.like(first('collapse'), { epoch: '15' });
  // The metrics the trainer sent, value for value.
  const sent = new Map<number, Record<string, number>>();
  for (const { frame } of readRecording(fixture).frames) {
    const d = decodeFrame(frame);
    if (d.ok && d.frame.type === 'metrics' && d.frame.step === undefined) sent.set(d.frame.epoch, d.frame.values);
  }
  const epochs = csvObjects(fs.readFileSync(path.join(dir, 'torch.epochs.csv'), 'utf8'));
  t.is(epochs.length, 30);
  for (const e of epochs) t.is(Number(e['metric.val_loss']), sent.get(Number(e.epoch))!.val_loss);
  // From epoch 15 every point sits on one spot: degenerate, its measures empty rather than NaN text.
  t.like(epochs[20], { degenerate: 'true', nn15: '' });
});

// Regression: the protocol takes epochs up to 2^53 - 1, and the Arrow file's int32 epoch column
// silently wrapped epoch 2^31 to -2^31.
test('arrow export of an epoch past int32 is refused, naming the epoch and the CSV way out; 2^31 - 1 still fits', (t) => {
  const layout = (epoch: number) => ({
    run: 'r', epoch, n: 1, ids: Float64Array.of(1), positions: Float32Array.of(0, 0), split: Uint8Array.of(0),
    metrics: { update_ms: 1 },
  }) as unknown as EpochLayout;
  t.is(layoutBatch(layout(2 ** 31 - 1)).getChildAt(1)?.get(0), 2 ** 31 - 1);
  const err = t.throws(() => layoutBatch(layout(2 ** 31)));
  t.regex(err!.message, /epoch 2147483648 of run "r" is past 2147483647.*--format csv/);
});
