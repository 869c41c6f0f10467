/**
 * Fault: SIGTERM while an --on-alert command ran wrote run X's frames into run Y's file: frames
 * kept arriving after the recorder had closed X's file, and the closed descriptor's number had
 * been reused for Y's. Every descriptor operation of a file now runs in that file's own queue,
 * appends after close are refused (an error, nothing written), and a run's later frames after its
 * end go to a new file, never through an old descriptor.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Recorder, RecordError } from '../../src/record/recorder.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { Tracker } from './fs-wrappers.js';
import { runFrames, tempDir } from './helpers.js';

test('appends after close are refused with an error and write nothing', async (t) => {
  const dir = tempDir(t, 'refused');
  const tracker = new Tracker();
  const reported: Error[] = [];
  const rec = new Recorder(dir, (e) => reported.push(e), { fs: tracker.fs });
  const x = runFrames('x', 1);
  x.slice(0, 2).forEach((f, i) => rec.append('x', f, i));
  await rec.close();
  const before = fs.readFileSync(path.join(dir, 'x.scamrec'));
  const err = rec.append('x', x[2]!, 9);
  t.true(err instanceof RecordError);
  t.like(err, { run: 'x', file: path.join(dir, 'x.scamrec') });
  t.regex(err!.message, /arrived after the recorder closed; not recorded/);
  t.true(rec.append('y', runFrames('y', 0)[0]!, 10) instanceof RecordError, 'no new file after close either');
  await new Promise((r) => setTimeout(r, 50));
  t.true(fs.readFileSync(path.join(dir, 'x.scamrec')).equals(before));
  t.deepEqual(fs.readdirSync(dir), ['x.scamrec']);
  t.deepEqual(reported, [], 'a refusal is returned, not reported: it is part of shutting down');
  t.deepEqual(tracker.violations, []);
});

test('frames of a run after its end go to a new file; another run\'s file, opened meanwhile, gets none of them', async (t) => {
  const dir = tempDir(t, 'reuse');
  const tracker = new Tracker();
  const rec = new Recorder(dir, (e) => t.fail(e.message), { fs: tracker.fs });
  const x1 = runFrames('x', 1);
  x1.forEach((f, i) => rec.append('x', f, i));
  await rec.endRun('x');
  t.is(tracker.filesOpen(dir), 0, 'end closes the run\'s file');
  // Y takes the descriptor number X had; X starts again (hello after end) meanwhile.
  const y = runFrames('y', 1);
  const x2 = runFrames('x', 2);
  y.forEach((f, i) => {
    rec.append('y', f, 100 + i);
    rec.append('x', x2[i]!, 200 + i);
  });
  x2.slice(y.length).forEach((f, i) => rec.append('x', f, 300 + i));
  await rec.close();
  t.deepEqual(tracker.violations, [], 'no write, fsync or close on a descriptor that was not open');
  t.deepEqual(fs.readdirSync(dir).sort(), ['x.1.scamrec', 'x.scamrec', 'y.scamrec']);
  const frames = (name: string) => readRecording(path.join(dir, name)).frames.map((f) => f.frame);
  t.deepEqual(frames('x.scamrec'), x1);
  t.deepEqual(frames('x.1.scamrec'), x2);
  t.deepEqual(frames('y.scamrec'), y);
  t.is(rec.paths.get('x'), path.join(dir, 'x.1.scamrec'));
});

test('a session that has closed records nothing more: frames received after close leave the files as they were', async (t) => {
  const dir = tempDir(t, 'late');
  const pipeline = new Pipeline({ sink: () => {}, recordDir: dir, silenceMs: Infinity });
  const x = runFrames('x', 2);
  x.slice(0, 3).forEach((f, i) => pipeline.receive(f, i));
  await pipeline.close();
  const before = fs.readFileSync(path.join(dir, 'x.scamrec'));
  x.slice(3).forEach((f, i) => pipeline.receive(f, 10 + i));
  pipeline.receive(runFrames('y', 0)[0]!, 20);
  await new Promise((r) => setTimeout(r, 50));
  t.true(fs.readFileSync(path.join(dir, 'x.scamrec')).equals(before));
  t.deepEqual(fs.readdirSync(dir), ['x.scamrec']);
  t.is(readRecording(path.join(dir, 'x.scamrec')).frames.length, 3);
});

test('a close asked for by the frame being received (its end finished the session: --exit-on-end) still records that frame', async (t) => {
  const dir = tempDir(t, 'exit-on-end');
  let closing: Promise<unknown> | undefined;
  const pipeline: Pipeline = new Pipeline({ sink: (e) => e.event === 'end' && (closing ??= pipeline.close()), recordDir: dir, silenceMs: Infinity });
  const frames = runFrames('r', 1);
  frames.forEach((f, i) => pipeline.receive(f, i));
  t.truthy(closing);
  await closing;
  t.deepEqual(readRecording(path.join(dir, 'r.scamrec')).frames.map((f) => f.frame), frames);
});
