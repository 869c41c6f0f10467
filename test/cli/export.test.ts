/** `sentrycam export`: an epoch of a recording as an SVG picture, projected offline. */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { finish, ROOT } from '../helpers/processes.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { decodeFrame } from '../../src/protocol/decode.js';

const FIXTURE = 'fixtures/runs/demo-mnist-s2.scamrec.gz';

function run(args: string[]) {
  return finish(spawn(process.execPath, ['bin/sentrycam.js', 'export', FIXTURE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }), 180_000);
}

test('export --epoch 1 writes one circle per point of the epoch, with the class legend', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sentrycam-export-')), 'e1.svg');
  const done = await run(['--epoch', '1', '-o', out, '--reproducible']);
  t.is(done.code, 0, done.stderr);
  // Points of epoch 1, both splits, counted from the recording itself.
  const points = readRecording(path.join(ROOT, FIXTURE))
    .frames.map((f) => decodeFrame(f.frame))
    .reduce((sum, d) => sum + (d.ok && d.frame.type === 'batch' && d.frame.epoch === 1 ? d.frame.n : 0), 0);
  const svg = fs.readFileSync(out, 'utf8');
  t.true(svg.startsWith('<svg') || svg.startsWith('<?xml'));
  t.true((svg.match(/<circle/g) ?? []).length >= points, `at least ${points} circles`);
  t.regex(svg, /epoch 1/);
  t.regex(svg, />9 9</, 'the legend gives index and class name from hello');
});

test('export of an epoch the recording does not hold exits 1 naming the epochs it has', async (t) => {
  const done = await run(['--epoch', '99', '-o', path.join(os.tmpdir(), 'never.svg')]);
  t.is(done.code, 1);
  t.regex(done.stderr, /no epoch 99 \(epochs 0-29\)/);
});
