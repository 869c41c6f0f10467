/** Format 1 recordings (SentryCam before format 2, and the stored fixtures) still read, plain and gzipped. */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { RecordingReader, parseRecording, readRecording } from '../../src/sources/recording-reader.js';
import { V1_ENTRY_HEADER_BYTES } from '../../src/protocol/recording-format.js';
import { summarizeRecording } from '../../src/cli/inspect.js';
import { ROOT } from '../helpers/processes.js';
import { runFrames, tempDir, v1Bytes } from './helpers.js';

test('a v1 file reads frame for frame, with its times, plain and gzipped, whole and streamed', async (t) => {
  const dir = tempDir(t, 'v1');
  const frames = runFrames('old', 3);
  const bytes = v1Bytes(frames, (i) => 5000 + 10 * i);
  fs.writeFileSync(path.join(dir, 'old.scamrec'), bytes);
  fs.writeFileSync(path.join(dir, 'old.scamrec.gz'), zlib.gzipSync(bytes));
  for (const name of ['old.scamrec', 'old.scamrec.gz']) {
    const file = path.join(dir, name);
    const whole = readRecording(file);
    t.like(whole.report, { version: 1, frames: frames.length, truncatedBytes: 0, damage: { entries: 0 } });
    t.true(whole.frames.every((f, i) => f.frame.equals(frames[i]!) && f.time === 5000 + 10 * i), name);
    const reader = await RecordingReader.open(file);
    const streamed: Buffer[] = [];
    for await (const f of reader.frames()) streamed.push(f.frame);
    t.is(reader.version, 1);
    t.true(streamed.length === frames.length && streamed.every((f, i) => f.equals(frames[i]!)), name);
  }
});

test('a v1 file cut mid-frame reads up to its last whole frame and reports the cut', (t) => {
  const frames = runFrames('old', 2);
  const bytes = v1Bytes(frames);
  const r = parseRecording(bytes.subarray(0, bytes.length - 5), 'cut');
  t.is(r.frames.length, frames.length - 1);
  t.is(r.report.truncatedBytes, V1_ENTRY_HEADER_BYTES + frames.at(-1)!.length - 5);
  t.is(r.report.damage.entries, 0);
});

test('a stored v1 fixture (a real demo run) inspects as before', async (t) => {
  const file = path.join(ROOT, 'fixtures', 'runs', 'demo-mnist-unstable-s1.scamrec.gz');
  const s = await summarizeRecording(file);
  t.like(s, { version: 1, rejected: 0, lost: 0, truncatedBytes: 0, damage: { entries: 0 } });
  t.is(s.runs.length, 1);
  t.true(s.runs[0]!.epochs.length > 10 && s.runs[0]!.ended);
});
