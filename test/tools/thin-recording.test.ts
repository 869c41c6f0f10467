import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchFrame, endFrame, epochEndFrame, helloFrame, metricsFrame } from '../../src/producer/frame-builders.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { RECORD_MAGIC, entryHeader } from '../../src/protocol/recording-format.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { thinFrame, thinRecording } from '../../src/tools/thin-recording.js';

const id = (seq: number) => ({ run: 'r', producer: '0', seq });

function batch(seq: number, ids: number[]): Buffer {
  const n = ids.length;
  return batchFrame(id(seq), {
    epoch: 3,
    split: 'test',
    n,
    dim: 2,
    x: Float32Array.from(ids.flatMap((i) => [i, -i])),
    ids,
    labels: ids.map((i) => i % 3),
    preds: ids.map((i) => (i + 1) % 3),
  });
}

test('a batch frame keeps the rows whose id is a multiple of every, with all their fields', (t) => {
  const out = decodeFrame(thinFrame(batch(5, [0, 1, 2, 3, 4, 5, 6, 9, 12]), 3));
  t.true(out.ok);
  if (!out.ok || out.frame.type !== 'batch') return;
  const f = out.frame;
  t.is(f.n, 5);
  t.deepEqual([...f.ids], [0, 3, 6, 9, 12]);
  t.deepEqual([...f.x], [0, -0, 3, -3, 6, -6, 9, -9, 12, -12]);
  t.deepEqual([...f.labels!], [0, 0, 0, 0, 0]);
  t.deepEqual([...f.preds!], [1, 1, 1, 1, 1]);
  t.is(f.seq, 5);
  t.is(f.epoch, 3);
  t.is(f.split, 'test');
  t.is(f.run, 'r');
});

test('a batch with no matching id keeps its first row; other frames come back unchanged', (t) => {
  const out = decodeFrame(thinFrame(batch(1, [5, 7]), 4));
  t.true(out.ok && out.frame.type === 'batch' && out.frame.n === 1 && out.frame.ids[0] === 5);
  const others = [helloFrame(id(0), { layer: 'l', dim: 2 }), epochEndFrame(id(2), { epoch: 3 }), metricsFrame(id(3), { epoch: 3, values: { val_loss: 1 } }), endFrame(id(4))];
  for (const f of others) t.is(thinFrame(f, 4), f);
  const junk = Buffer.from('not a frame');
  t.is(thinFrame(junk, 4), junk);
  t.throws(() => thinFrame(junk, 0), { message: /every must be an integer >= 1/ });
});

test('a recording thins into a gzipped recording the reader reads, times kept', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-thin-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const frames = [helloFrame(id(0), { layer: 'l', dim: 2 }), batch(1, [0, 1, 2, 3]), epochEndFrame(id(2), { epoch: 3 })];
  const input = path.join(dir, 'in.scamrec');
  fs.writeFileSync(input, Buffer.concat([RECORD_MAGIC, ...frames.flatMap((f, i) => [entryHeader(f, 1000 + i), f])]));
  const output = path.join(dir, 'out.scamrec.gz');
  const r = await thinRecording(input, output, 2);
  t.is(r.frames, 3);
  const back = readRecording(output);
  t.deepEqual(back.frames.map((f) => f.time), [1000, 1001, 1002]);
  t.true(back.frames[0]!.frame.equals(frames[0]!));
  const b = decodeFrame(back.frames[1]!.frame);
  t.true(b.ok && b.frame.type === 'batch' && b.frame.n === 2);
});
