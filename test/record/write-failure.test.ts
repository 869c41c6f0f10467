/**
 * Fault: a write error (disk full) stopped recording silently. Now the run whose write failed is
 * reported once (RecordError; a record_error event in the session), its file is cut back to its
 * last whole entry and renamed RUN.scamrec.incomplete, or removed when it holds no entry (no empty
 * file is left), and the other runs record on. On a real tiny tmpfs where we are root; otherwise
 * with a disk that fills after the same budget (an injected ENOSPC that writes what fits first).
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Recorder, type RecordError } from '../../src/record/recorder.js';
import type { RecorderFs } from '../../src/record/fs-ops.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { Pipeline } from '../../src/session/pipeline.js';
import type { Event } from '../../src/model/events.js';
import { fullDiskFs } from './fs-wrappers.js';
import { runFrames } from './helpers.js';

/** Free space on the small disk: 16 pages. */
const DISK = 64 * 1024;

/** A folder on a DISK-byte tmpfs (root), or a plain folder whose file operations run out of space after DISK bytes. */
function smallDisk(t: ExecutionContext): { dir: string; fs?: RecorderFs } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-rec-full-'));
  let mounted = false;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // No mount here (a container without the capability): fall back to the injected full disk.
    }
  }
  t.teardown(() => {
    if (mounted) execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  t.log(mounted ? `tmpfs of ${DISK} bytes` : `injected ENOSPC after ${DISK} bytes`);
  return mounted ? { dir } : { dir, fs: fullDiskFs(DISK) };
}

/** A batch frame of about `bytes` bytes (one column). */
function bigBatch(run: string, seq: number, bytes: number, epoch = 0): Buffer {
  const n = Math.ceil(bytes / 8);
  return encodeFrame({ type: 'batch', run, producer: '0', seq, epoch }, {
    x: { dtype: 'float32', shape: [n, 1], data: new Float32Array(n).fill(1) },
    id: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
  });
}

test('disk full: the failing run is reported once and kept up to its last whole frame, an empty one removed, the others record on', async (t) => {
  const disk = smallDisk(t);
  const errors: RecordError[] = [];
  const rec = new Recorder(disk.dir, (e) => errors.push(e), { fs: disk.fs });
  const b = runFrames('b', 1);
  const a = runFrames('a', 1);
  // b: its first frames are on disk before anything fills it.
  rec.append('b', b[0]!, 1);
  rec.append('b', b[1]!, 2);
  await rec.sync('b');
  // a: a hello, then a batch larger than the disk: the write fails part way.
  rec.append('a', a[0]!, 3);
  await rec.sync('a');
  rec.append('a', bigBatch('a', 1, 2 * DISK), 4);
  t.is(rec.append('a', a[2]!, 5), undefined, 'queued: the failure is not known yet');
  await rec.endRun('a');
  // c: its first frame alone is larger than the disk, so nothing of it is ever whole on disk.
  rec.append('c', bigBatch('c', 0, 2 * DISK), 6);
  await rec.endRun('c');
  // b goes on: the space of a's cut-off entry and of c's file was given back.
  rec.append('b', b[2]!, 7);
  rec.append('b', b[3]!, 8);
  await rec.endRun('b');
  await rec.close();

  t.deepEqual(errors.map((e) => [e.run, e.file && path.basename(e.file)]), [['a', 'a.scamrec.incomplete'], ['c', null]]);
  t.regex(errors[0]!.message, /^recording of run "a" stopped: ENOSPC.*; the 1 frame written before are kept in .*a\.scamrec\.incomplete$/);
  t.regex(errors[1]!.message, /^recording of run "c" stopped: ENOSPC.*; no frame had been written, so the file was removed$/);
  t.deepEqual(fs.readdirSync(disk.dir).sort(), ['a.scamrec.incomplete', 'b.scamrec'], 'no empty file, no file of c');
  const ra = readRecording(path.join(disk.dir, 'a.scamrec.incomplete'));
  t.like(ra.report, { frames: 1, truncatedBytes: 0, damage: { entries: 0 } }, 'cut back to its last whole entry');
  t.true(ra.frames[0]!.frame.equals(a[0]!));
  const rb = readRecording(path.join(disk.dir, 'b.scamrec'));
  t.is(rb.frames.length, b.length);
  t.true(rb.frames.every((f, i) => f.frame.equals(b[i]!)));
  t.deepEqual([...rec.paths].map(([run, p]) => [run, path.basename(p)]).sort(), [['a', 'a.scamrec.incomplete'], ['b', 'b.scamrec'], ['c', 'c.scamrec']]);
});

test('disk full under a session: a record_error event, and the run is still assembled, shown and summarised', async (t) => {
  const disk = smallDisk(t);
  const events: Event[] = [];
  const pipeline = new Pipeline({ sink: (e) => events.push(e), recordDir: disk.dir, recorder: { fs: disk.fs }, silenceMs: Infinity });
  let seq = 0;
  const id = () => ({ run: 'a', producer: '0', seq: seq++ });
  const sent = [
    encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim: 1 }),
    ...[0, 1].flatMap((epoch) => [bigBatch('a', seq++, epoch === 1 ? 2 * DISK : 64, epoch), encodeFrame({ type: 'epoch_end', ...id(), epoch })]),
    encodeFrame({ type: 'end', ...id() }),
  ];
  sent.forEach((f, i) => pipeline.receive(f, i));
  const summary = await pipeline.close();
  const errors = events.filter((e) => e.event === 'record_error');
  t.is(errors.length, 1);
  t.like(errors[0], { event: 'record_error', run: 'a', file: path.join(disk.dir, 'a.scamrec.incomplete') });
  t.like(summary, { rejected: 0, lost: 0, epochs: 2 });
  t.deepEqual(events.filter((e) => e.event === 'epoch').map((e) => (e as { epoch: number }).epoch), [0, 1]);
  t.true(events.findIndex((e) => e.event === 'record_error') < events.findIndex((e) => e.event === 'summary'));
  t.deepEqual(fs.readdirSync(disk.dir), ['a.scamrec.incomplete']);
  t.is(readRecording(path.join(disk.dir, 'a.scamrec.incomplete')).frames.length, 3, 'hello and epoch 0');
});
