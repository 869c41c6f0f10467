/**
 * Fault: the caps of LIMITS applied to live input only; inspect, eval and export read a recording,
 * which holds whatever producers sent, with the defaults and no way to lower them. Every command that
 * reads a recording now takes the same cap flags and --max-frame (a larger entry is skipped and
 * reported, never held, whatever a gzip stream expands to).
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './cli-process.js';
import { runFrames, v2Bytes } from '../record/helpers.js';

function recording(): { dir: string; file: string } {
  const dir = tempDir('reader-limits');
  const file = path.join(dir, 'r.scamrec');
  // hello, 3 x (batch of 3 rows, epoch_end), end
  fs.writeFileSync(file, v2Bytes(runFrames('r', 3)));
  return { dir, file };
}

test('inspect takes the caps: batches over --max-epoch-ids are rejected naming the cap; a bad value exits 2', async (t) => {
  const { dir, file } = recording();
  const plain = runCli(['inspect', file, '--json'], dir);
  t.is(await plain.exit(), 0, plain.stderr());
  t.like(JSON.parse(plain.stdout()), { frames: 8, rejected: 0, runs: [{ run: 'r', epochs: [{ epoch: 0, train: 3 }, { epoch: 1 }, { epoch: 2 }] }] });
  const capped = runCli(['inspect', file, '--json', '--max-epoch-ids', '2'], dir);
  t.is(await capped.exit(), 0, capped.stderr());
  t.like(JSON.parse(capped.stdout()), { frames: 8, rejected: 3, runs: [{ run: 'r', epochs: [] }] });
  const bad = runCli(['inspect', file, '--max-open-epochs', '0'], dir);
  t.is(await bad.exit(), 2);
  t.regex(bad.stderr(), /--max-open-epochs must be an integer >= 1, got 0/);
});

test('eval and export take the caps and --max-frame as readers', async (t) => {
  const { dir, file } = recording();
  const evalCapped = runCli(['eval', file, '--no-umap', '--no-warm-umap', '--reproducible', '--max-epoch-ids', '2'], dir);
  t.is(await evalCapped.exit(60_000), 1);
  t.regex(evalCapped.stderr(), /holds no complete epoch/);
  // Every batch frame is over 100 bytes: skipped by the reader, so no epoch has rows.
  const out = path.join(dir, 'layouts.csv');
  const exportCapped = runCli(['export', file, '--format', 'csv', '-o', out, '--reproducible', '--max-frame', '100'], dir);
  t.is(await exportCapped.exit(60_000), 0, exportCapped.stderr());
  t.is(fs.readFileSync(out, 'utf8').trim().split('\n').length, 1, 'the layouts file has its header only');
  const exportPlain = runCli(['export', file, '--format', 'csv', '-o', out, '--reproducible'], dir);
  t.is(await exportPlain.exit(60_000), 0, exportPlain.stderr());
  t.is(fs.readFileSync(out, 'utf8').trim().split('\n').length, 1 + 3 * 3, 'three epochs of three rows');
});
