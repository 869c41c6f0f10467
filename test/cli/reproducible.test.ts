/** `--reproducible`: the same recording and seed give the same layouts, through the real worker engine. */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Recorder } from '../../src/record/recorder.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { createRng } from '../../src/util/random.js';
import { finish, parseLines, ROOT } from '../helpers/processes.js';

const N = 240;
const DIM = 16;
const EPOCHS = 3;

/** Four drifting Gaussian clusters, seeded: a small real-looking run. */
async function writeRecording(dir: string): Promise<string> {
  const rng = createRng(11);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: DIM }, () => rng.normal() * 4));
  const rec = new Recorder(dir, (err) => {
    throw err;
  });
  let seq = 0;
  const put = (header: Record<string, unknown>, tensors = {}) => rec.append('r', encodeFrame({ run: 'r', seq: seq++, ...header }, tensors), 0);
  put({ type: 'hello', layer: 'l', dim: DIM, classes: ['a', 'b', 'c', 'd'] });
  for (let e = 0; e < EPOCHS; e++) {
    const x = new Float32Array(N * DIM);
    const labels = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      labels[i] = i % 4;
      for (let d = 0; d < DIM; d++) x[i * DIM + d] = centres[i % 4]![d]! * (1 + 0.1 * e) + rng.normal();
    }
    const ids = new Int32Array(N).map((_, i) => i);
    put({ type: 'batch', epoch: e }, { x: { dtype: 'float32', shape: [N, DIM], data: x }, id: { dtype: 'int32', shape: [N], data: ids }, label: { dtype: 'int32', shape: [N], data: labels } });
    put({ type: 'epoch_end', epoch: e });
  }
  put({ type: 'end' });
  await rec.close();
  return rec.paths.get('r')!;
}

async function replayMetrics(file: string): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ['bin/sentrycam.js', 'replay', file, '--json', '--reproducible', '--seed', '4'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = await finish(child, 180_000);
  if (done.code !== 0) throw new Error(`replay exited ${done.code}: ${done.stderr}`);
  // Everything but the wall-clock fields.
  return parseLines(done.stdout)
    .filter((e) => e.event === 'epoch')
    .map(({ update_ms: _u, phases_ms: _p, ...rest }) => rest);
}

test('two replays with --reproducible and the same seed give identical epoch metrics', async (t) => {
  const file = await writeRecording(fs.mkdtempSync(path.join(os.tmpdir(), 'sentrycam-repro-')));
  const a = await replayMetrics(file);
  const b = await replayMetrics(file);
  t.is(a.length, EPOCHS);
  t.true(a.every((e) => e.engine === 'projected'));
  t.true(a.every((e) => typeof e.nn15 === 'number' && typeof e.loss === 'number'));
  t.deepEqual(b, a);
});
