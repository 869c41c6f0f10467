/** `sentrycam audit`: the real CLI replays recordings and prints the evidence table. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { finish, ROOT } from '../helpers/processes.js';

function audit(args: readonly string[]): ReturnType<typeof finish> {
  return finish(spawn(process.execPath, ['bin/sentrycam.js', 'audit', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), 120_000);
}

const HEALTHY = 'fixtures/runs/torch-mlp-digits-sgd-const-s1.scamrec.gz';
const RAMP = 'fixtures/runs/torch-mlp-digits-lr-ramp-s1.scamrec.gz';

test('a table row per recording (every FILE kept, though a repeated option takes its last value): geometry warning, val-loss alert and lead', async (t) => {
  const r = await audit([HEALTHY, RAMP]);
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.is(lines[0], '| run | kind | part | first geometry warning (epoch, signal) | val-loss alert (epoch) | lead (epochs) | other alerts |');
  t.is(lines.length, 4, 'header, rule, two rows; no summary without a manifest');
  t.regex(lines[2]!, /^\| torch-mlp-digits-sgd-const-s1 \| — \| — \| — \| 24 \| — \|/);
  t.regex(lines[3]!, /^\| torch-mlp-digits-lr-ramp-s1 \| — \| — \| 10 \(activations:drift\) \| 14 \| \+4 \|/);
});

test('with the manifest: ground truth in the rows and the false-alarm line', async (t) => {
  const r = await audit([HEALTHY, RAMP, '--manifest', 'fixtures/runs/corpus.json']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /\| torch-mlp-digits-lr-ramp-s1 \| lr-ramp from 8 \(developing\) \| design \| 10 /);
  t.regex(r.stdout, /design: healthy 1 runs, 0 with a geometry warning, 0 with a critical alert; 0 false alarms in 25 healthy epochs past burn-in/);
});

test('alert options apply: the old causal trigger is one flag away', async (t) => {
  const r = await audit([RAMP, '--geometry-detector', 'trigger', '--json']);
  t.is(r.code, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as { run: string; geometry: { signal: string } | null }[];
  t.is(row!.run, 'torch-mlp-digits-lr-ramp-s1');
  t.truthy(row!.geometry);
});

test('a repeated option still takes its last value', async (t) => {
  const r = await audit([RAMP, '--target-arl', '0', '--target-arl', '1000', '--json']);
  t.is(r.code, 0, r.stderr);
  t.is((JSON.parse(r.stdout) as unknown[]).length, 1);
});

test('usage and read errors exit 2 and 1 with a message', async (t) => {
  const none = await audit([]);
  t.is(none.code, 2);
  t.regex(none.stderr, /name at least one recording, or a --manifest/);
  const missing = await audit(['fixtures/runs/no-such.scamrec.gz']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /sentrycam audit: .*no-such/);
  const bad = await audit([HEALTHY, '--target-arl', '0']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /targetArl/);
});
