/**
 * Fault: nothing bounded the write queue, so a producer faster than the disk grew it in memory
 * without end. Beyond maxQueueBytes a frame is now dropped, not queued: the run is reported once
 * per episode (until its frames are taken again), the frames kept are written in order, and the
 * file is marked incomplete (RUN.scamrec.incomplete) when the run's recording ends.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { ENTRY_HEADER_BYTES } from '../../src/protocol/recording-format.js';
import { Recorder, RecordError } from '../../src/record/recorder.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { gatedFs } from './fs-wrappers.js';
import { tempDir } from './helpers.js';

/** A metrics frame of run `run`, numbered `seq`, padded to about 1 KB. */
const frame = (run: string, seq: number) => encodeFrame({ type: 'metrics', run, producer: '0', seq, epoch: 0, values: { loss: seq }, pad: 'x'.repeat(1000) });

test('beyond the queue cap frames are dropped and reported, the queue never grows past it, and the file is marked incomplete', async (t) => {
  const dir = tempDir(t, 'queue');
  const gate = gatedFs();
  const errors: RecordError[] = [];
  const size = ENTRY_HEADER_BYTES + frame('r', 0).length;
  const cap = 10 * size;
  const rec = new Recorder(dir, (e) => errors.push(e), { fs: gate.fs, maxQueueBytes: cap });
  const kept: Buffer[] = [];
  let refused = 0;
  for (let seq = 0; seq < 30; seq++) {
    const f = frame('r', seq);
    const err = rec.append('r', f, seq);
    if (err) {
      t.true(err instanceof RecordError && /write queue full .* cap \d+/.test(err.message));
      refused++;
    } else {
      kept.push(f);
    }
    t.true(rec.queuedBytes <= cap, `queued ${rec.queuedBytes}`);
  }
  t.is(kept.length, 10);
  t.is(refused, 20);
  t.is(errors.length, 1, 'one report for the episode, not one per frame');
  t.like(errors[0], { run: 'r', file: path.join(dir, 'r.scamrec') });
  // Another run overflowing is its own report.
  t.true(rec.append('s', frame('s', 0), 0) instanceof RecordError);
  t.is(errors.length, 2);
  // The disk catches up: frames are taken again, and a later overflow is a new episode.
  gate.open();
  await rec.sync('r');
  t.is(rec.queuedBytes, 0);
  const later = frame('r', 30);
  t.is(rec.append('r', later, 30), undefined);
  kept.push(later);
  await rec.close();
  t.deepEqual(fs.readdirSync(dir).sort(), ['r.scamrec.incomplete'], 'no file for s: nothing of it was written');
  const r = readRecording(path.join(dir, 'r.scamrec.incomplete'));
  t.deepEqual(r.frames.map((f) => f.frame), kept);
  t.is(rec.paths.get('r'), path.join(dir, 'r.scamrec.incomplete'));
});

test('a frame larger than the cap is taken when the queue is empty (it is in memory already)', async (t) => {
  const dir = tempDir(t, 'queue-big');
  const rec = new Recorder(dir, (e) => t.fail(e.message), { maxQueueBytes: 100 });
  const f = frame('r', 0);
  t.is(rec.append('r', f, 0), undefined);
  await rec.close();
  t.deepEqual(readRecording(path.join(dir, 'r.scamrec')).frames.map((x) => x.frame), [f]);
});
