import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordRun } from '../../src/tools/record-fixtures.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { Frame } from '../../src/protocol/types.js';

test('recordRun writes a gzipped recording that reads back as the trainer frame sequence', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-rec-'));
  try {
    const file = await recordRun(dir, { seed: 3, unstable: true, epochs: 2, gzip: true });
    t.is(path.basename(file), 'demo-mnist-unstable-s3.scamrec.gz');
    t.deepEqual(fs.readdirSync(dir), ['demo-mnist-unstable-s3.scamrec.gz'], 'the uncompressed file is removed');
    const rec = readRecording(file);
    t.is(rec.truncatedBytes, 0);
    const frames: Frame[] = rec.frames.map(({ frame }, i) => {
      const r = decodeFrame(frame);
      if (!r.ok) throw new Error(`frame ${i}: ${r.reject.reason}`);
      return r.frame;
    });
    t.is(frames.length, 1 + 2 * 7 + 1);
    t.deepEqual(frames.map((f) => f.seq), frames.map((_, i) => i));
    t.is(frames[0]!.type, 'hello');
    t.deepEqual(frames.slice(1, 8).map((f) => f.type), ['batch', 'batch', 'batch', 'batch', 'batch', 'metrics', 'epoch_end']);
    t.is(frames.at(-1)!.type, 'end');
    t.true(frames.every((f) => f.run === 'demo-mnist-unstable-s3'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
