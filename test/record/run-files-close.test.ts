/**
 * A run's file is not held open for the life of the monitor: `end` closes it (fsync first), a run
 * silent for idleCloseMs gives its descriptor back and appends to the same file when it goes on,
 * and beyond maxOpenFiles the least recently written file is closed for room.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../../src/record/recorder.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { Tracker } from './fs-wrappers.js';
import { runFrames, tempDir } from './helpers.js';

test('through the session, a run that says hello again after its end is recorded in a new file', async (t) => {
  const dir = tempDir(t, 'end');
  const pipeline = new Pipeline({ sink: () => {}, recordDir: dir, silenceMs: Infinity });
  const first = runFrames('r', 1);
  first.forEach((f, i) => pipeline.receive(f, i));
  const again = runFrames('r', 1);
  again.forEach((f, i) => pipeline.receive(f, 100 + i));
  await pipeline.close();
  t.deepEqual(fs.readdirSync(dir).sort(), ['r.1.scamrec', 'r.scamrec']);
  t.deepEqual(readRecording(path.join(dir, 'r.scamrec')).frames.map((f) => f.frame), first);
  // What ingest accepts of the second start (its hello at least) is in the new file.
  t.true(readRecording(path.join(dir, 'r.1.scamrec')).frames[0]!.frame.equals(again[0]!));
  t.is(pipeline.recordings.get('r'), path.join(dir, 'r.1.scamrec'));
});

test('a run of several producers keeps one file until its last producer has sent end', async (t) => {
  const dir = tempDir(t, 'producers');
  const pipeline = new Pipeline({ sink: () => {}, recordDir: dir, silenceMs: Infinity });
  const seqs = new Map<string, number>();
  const id = (producer: string) => {
    const seq = seqs.get(producer) ?? 0;
    seqs.set(producer, seq + 1);
    return { run: 'r', producer, seq };
  };
  const batch = (producer: string, epoch: number, ids: number[]) =>
    encodeFrame({ type: 'batch', ...id(producer), epoch }, {
      x: { dtype: 'float32', shape: [ids.length, 1], data: Float32Array.from(ids) },
      id: { dtype: 'int32', shape: [ids.length], data: Int32Array.from(ids) },
    });
  const sent = [
    encodeFrame({ type: 'hello', ...id('a'), layer: 'l', dim: 1 }),
    encodeFrame({ type: 'hello', ...id('b'), layer: 'l', dim: 1 }),
    batch('a', 0, [0, 1]),
    encodeFrame({ type: 'epoch_end', ...id('a'), epoch: 0 }),
    encodeFrame({ type: 'end', ...id('a') }),
    batch('b', 0, [2, 3]),
    encodeFrame({ type: 'epoch_end', ...id('b'), epoch: 0 }),
    encodeFrame({ type: 'end', ...id('b') }),
  ];
  sent.forEach((f, i) => pipeline.receive(f, i));
  const summary = await pipeline.close();
  t.like(summary, { rejected: 0, epochs: 1 });
  t.deepEqual(fs.readdirSync(dir), ['r.scamrec']);
  t.deepEqual(readRecording(path.join(dir, 'r.scamrec')).frames.map((f) => f.frame), sent);
});

test('endRun fsyncs then closes: after it no descriptor of the run is open', async (t) => {
  const dir = tempDir(t, 'endsync');
  const tracker = new Tracker();
  const calls: string[] = [];
  const fsops = { ...tracker.fs, fsync: (fd: number) => (calls.push(`fsync ${tracker.openNow.get(fd)}`), tracker.fs.fsync(fd)), close: (fd: number) => (calls.push(`close ${tracker.openNow.get(fd)}`), tracker.fs.close(fd)) };
  const rec = new Recorder(dir, (e) => t.fail(e.message), { fs: fsops });
  runFrames('r', 1).forEach((f, i) => rec.append('r', f, i));
  await rec.endRun('r');
  const file = path.join(dir, 'r.scamrec');
  t.deepEqual(calls.filter((c) => c.endsWith(file)).slice(-2), [`fsync ${file}`, `close ${file}`]);
  t.is(tracker.filesOpen(dir), 0);
  await rec.close();
});

test('a run silent for idleCloseMs gives its descriptor back and appends to the same file when it goes on', async (t) => {
  const dir = tempDir(t, 'idle');
  const tracker = new Tracker();
  const rec = new Recorder(dir, (e) => t.fail(e.message), { fs: tracker.fs, idleCloseMs: 60_000 });
  const frames = runFrames('quiet', 2);
  frames.slice(0, 3).forEach((f, i) => rec.append('quiet', f, i));
  await rec.sync('quiet');
  rec.closeIdle(performance.now() + 30_000);
  await rec.sync('quiet');
  t.is(tracker.filesOpen(dir), 1, 'not silent long enough');
  rec.closeIdle(performance.now() + 60_000);
  await rec.sync('quiet');
  t.is(tracker.filesOpen(dir), 0, 'closed while silent');
  frames.slice(3).forEach((f, i) => rec.append('quiet', f, 10 + i));
  await rec.close();
  t.deepEqual(fs.readdirSync(dir), ['quiet.scamrec'], 'the same file, not a new one');
  t.deepEqual(readRecording(path.join(dir, 'quiet.scamrec')).frames.map((f) => f.frame), frames);
  t.deepEqual(tracker.opens.map((o) => o.creates).filter((c, i) => tracker.opens[i]!.path !== dir), [true, false], 'created once, reopened once to append');
  t.deepEqual(tracker.violations, []);
});

test('beyond maxOpenFiles the least recently written file is closed for room; every run\'s frames stay in order in its own file', async (t) => {
  const dir = tempDir(t, 'cap');
  const tracker = new Tracker();
  const rec = new Recorder(dir, (e) => t.fail(e.message), { fs: tracker.fs, maxOpenFiles: 2 });
  const runs = ['a', 'b', 'c', 'd', 'e'];
  const frames = new Map(runs.map((r) => [r, runFrames(r, 3)]));
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, tracker.filesOpen(dir))), 1);
  for (let k = 0; k < frames.get('a')!.length; k++) {
    for (const r of runs) rec.append(r, frames.get(r)![k]!, k);
    await new Promise((res) => setImmediate(res));
  }
  await rec.close();
  clearInterval(timer);
  t.true(most <= 2, `${most} files open at once`);
  t.deepEqual(tracker.violations, []);
  for (const r of runs) t.deepEqual(readRecording(path.join(dir, `${r}.scamrec`)).frames.map((f) => f.frame), frames.get(r), r);
  t.is(tracker.opens.filter((o) => o.creates).length, runs.length);
});
