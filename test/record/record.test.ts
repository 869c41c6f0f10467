import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Recorder, runFileStem } from '../../src/record/recorder.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { ENTRY_HEADER_BYTES, RECORD_MAGIC } from '../../src/protocol/recording-format.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { crc32 } from '../../src/util/crc32.js';
import { Pipeline } from '../../src/session/pipeline.js';
import type { Event } from '../../src/model/events.js';
import { runFrames, tempDir } from './helpers.js';

test('the recorder writes each frame verbatim with its time, one file per run', async (t) => {
  const dir = tempDir(t, 'verbatim');
  const errors: Error[] = [];
  const rec = new Recorder(dir, (e) => errors.push(e));
  const a = runFrames('alpha', 2);
  const b = runFrames('beta/β', 1);
  a.forEach((f, i) => rec.append('alpha', f, 1000 + i));
  b.forEach((f, i) => rec.append('beta/β', f, 2000.5 + i));
  await rec.close();
  t.deepEqual(errors, []);
  t.deepEqual(fs.readdirSync(dir).sort(), ['alpha.scamrec', 'beta_.scamrec']);
  t.deepEqual([...rec.paths.entries()].sort(), [['alpha', path.join(dir, 'alpha.scamrec')], ['beta/β', path.join(dir, 'beta_.scamrec')]]);
  const ra = readRecording(path.join(dir, 'alpha.scamrec'));
  t.is(ra.truncatedBytes, 0);
  t.is(ra.frames.length, a.length);
  ra.frames.forEach((f, i) => {
    t.true(f.frame.equals(a[i]!), `frame ${i} is byte-equal`);
    t.is(f.time, 1000 + i);
  });
  const rb = readRecording(path.join(dir, 'beta_.scamrec'));
  t.deepEqual(rb.frames.map((f) => f.time), [2000.5, 2001.5, 2002.5, 2003.5]);
  t.true(rb.frames.every((f, i) => f.frame.equals(b[i]!)));
  // The layout on disk (docs/recording-format.md), read without the reader: magic, then per entry
  // marker, u32 LE length, f64 LE time, CRC-32 of the frame, CRC-32 of the header so far, frame bytes.
  const raw = fs.readFileSync(path.join(dir, 'alpha.scamrec'));
  t.true(raw.subarray(0, 8).equals(Buffer.from('SCAMREC2')));
  t.true(raw.subarray(8, 12).equals(Buffer.from([0xd3, 0xc5, 0x52, 0x0a])));
  t.is(raw.readUInt32LE(12), a[0]!.length);
  t.is(raw.readDoubleLE(16), 1000);
  t.is(raw.readUInt32LE(24), crc32(a[0]!));
  t.is(raw.readUInt32LE(28), crc32(raw.subarray(8, 28)));
  t.true(raw.subarray(32, 32 + a[0]!.length).equals(a[0]!));
  t.is(raw.length, 8 + a.reduce((s, f) => s + 24 + f.length, 0));
});

test('the pipeline records every accepted frame verbatim and no rejected one', async (t) => {
  const dir = tempDir(t, 'pipeline');
  const events: Event[] = [];
  const pipeline = new Pipeline({ sink: (e) => events.push(e), recordDir: dir, silenceMs: Infinity });
  const good = runFrames('r', 3);
  const badMagic = Buffer.from(good[1]!);
  badMagic[0] = 0x58;
  const dupBatch = encodeFrame({ type: 'batch', run: 'r', producer: '9', seq: 0, epoch: 1 }, {
    x: { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) },
    id: { dtype: 'int32', shape: [2], data: Int32Array.of(5, 5) },
  });
  const noHello = runFrames('nobody', 1)[1]!;
  const stream = [good[0]!, badMagic, good[1]!, dupBatch, noHello, ...good.slice(2)];
  stream.forEach((f, i) => pipeline.receive(f, 10 * i));
  const summary = await pipeline.close();
  t.like(summary, { frames: stream.length, rejected: 3, epochs: 3 });
  t.deepEqual(fs.readdirSync(dir), ['r.scamrec'], 'a run that never said hello gets no file');
  const rec = readRecording(path.join(dir, 'r.scamrec'));
  t.is(rec.frames.length, good.length);
  t.true(rec.frames.every((f, i) => f.frame.equals(good[i]!)));
  t.deepEqual(rec.frames.map((f) => f.time), [0, 20, 50, 60, 70, 80, 90, 100]);
});

test('an existing recording is never overwritten: the new file is numbered', async (t) => {
  const dir = tempDir(t, 'numbered');
  fs.writeFileSync(path.join(dir, 'run.scamrec'), 'precious');
  fs.writeFileSync(path.join(dir, 'run.1.scamrec'), 'also precious');
  const r1 = new Recorder(dir, (e) => t.fail(e.message));
  r1.append('run', runFrames('run', 0)[0]!, 1);
  await r1.close();
  const r2 = new Recorder(dir, (e) => t.fail(e.message));
  r2.append('run', runFrames('run', 0)[0]!, 2);
  await r2.close();
  t.is(fs.readFileSync(path.join(dir, 'run.scamrec'), 'utf8'), 'precious');
  t.is(fs.readFileSync(path.join(dir, 'run.1.scamrec'), 'utf8'), 'also precious');
  t.is(readRecording(path.join(dir, 'run.2.scamrec')).frames[0]!.time, 1);
  t.is(readRecording(path.join(dir, 'run.3.scamrec')).frames[0]!.time, 2);
});

test('run names become safe file names inside the recording folder, never starting with a dot or a dash', (t) => {
  t.is(runFileStem('mnist-lr0.1_seed3'), 'mnist-lr0.1_seed3');
  t.is(runFileStem('-rf'), '_rf');
  t.is(runFileStem('--help'), '_help');
  t.is(runFileStem('a/b c'), 'a_b_c');
  t.is(runFileStem('../../etc/passwd'), '__.._etc_passwd');
  t.is(runFileStem('..'), '_');
  t.is(runFileStem('日本'), '_');
  t.is(runFileStem('x'.repeat(128)).length, 100);
  for (const run of ['../x', '/abs', '..', '.hidden', 'a\\b', '-x', '.-x']) {
    const stem = runFileStem(run);
    t.false(stem.includes('/') || stem.includes('\\') || stem.startsWith('.') || stem.startsWith('-'), `${run} -> ${stem}`);
  }
});

test('a file whose tail was cut mid-frame replays up to the last whole frame', async (t) => {
  const dir = tempDir(t, 'cut');
  const frames = runFrames('r', 2);
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  frames.forEach((f, i) => rec.append('r', f, i));
  await rec.close();
  const full = fs.readFileSync(path.join(dir, 'r.scamrec'));
  const ends: number[] = [];
  let pos = RECORD_MAGIC.length;
  for (const f of frames) {
    pos += ENTRY_HEADER_BYTES + f.length;
    ends.push(pos);
  }
  t.is(ends.at(-1), full.length);
  // Cut inside the last frame's bytes, inside its entry header, and right after a whole frame.
  const cuts = [full.length - 1, ends.at(-2)! + 5, ends.at(-2)! + ENTRY_HEADER_BYTES + 2, ends[1]!, RECORD_MAGIC.length + 3];
  for (const cut of cuts) {
    const file = path.join(dir, `cut-${cut}.scamrec`);
    fs.writeFileSync(file, full.subarray(0, cut));
    const r = readRecording(file);
    const whole = ends.filter((e) => e <= cut).length;
    t.is(r.frames.length, whole, `cut at ${cut}`);
    t.is(r.truncatedBytes, cut - (whole ? ends[whole - 1]! : RECORD_MAGIC.length));
    t.true(r.frames.every((f, i) => f.frame.equals(frames[i]!)));
  }
  // Only the magic: a valid, empty recording.
  fs.writeFileSync(path.join(dir, 'magic-only.scamrec'), RECORD_MAGIC);
  const empty = readRecording(path.join(dir, 'magic-only.scamrec'));
  t.deepEqual(empty.frames, []);
  t.like(empty.report, { version: 2, frames: 0, truncatedBytes: 0, damage: { entries: 0, bytes: 0, places: 0 } });
});

test('gzipped recordings are read, including a gzip stream that was itself cut short', async (t) => {
  const dir = tempDir(t, 'gzip');
  const frames = runFrames('r', 3);
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  frames.forEach((f, i) => rec.append('r', f, i));
  await rec.close();
  const plain = fs.readFileSync(path.join(dir, 'r.scamrec'));
  const gz = zlib.gzipSync(plain);
  fs.writeFileSync(path.join(dir, 'r.scamrec.gz'), gz);
  const r = readRecording(path.join(dir, 'r.scamrec.gz'));
  t.is(r.truncatedBytes, 0);
  t.true(r.frames.length === frames.length && r.frames.every((f, i) => f.frame.equals(frames[i]!)));
  // A gzip file cut short (copying while recording): what decompresses is replayed.
  const cut = gz.subarray(0, Math.floor(gz.length * 0.8));
  fs.writeFileSync(path.join(dir, 'cut.scamrec.gz'), cut);
  const rc = readRecording(path.join(dir, 'cut.scamrec.gz'));
  t.true(rc.frames.length < frames.length);
  t.true(rc.frames.every((f, i) => f.frame.equals(frames[i]!)));
});

test('a file that is not a recording gives a clear error naming the file', (t) => {
  const dir = tempDir(t, 'notrec');
  const text = path.join(dir, 'notes.txt');
  fs.writeFileSync(text, 'hello world, not a recording');
  t.throws(() => readRecording(text), { message: `${text} is not a SentryCam recording (it does not start with "SCAMREC" and a format version)` });
  const newer = path.join(dir, 'newer.scamrec');
  fs.writeFileSync(newer, 'SCAMREC3 and whatever format 3 holds');
  t.throws(() => readRecording(newer), { message: `${newer} is in recording format version 3, newer than this SentryCam reads (versions 1-2)` });
  const empty = path.join(dir, 'empty.scamrec');
  fs.writeFileSync(empty, '');
  t.throws(() => readRecording(empty), { message: /empty\.scamrec is not a SentryCam recording/ });
  const gzText = path.join(dir, 'notes.gz');
  fs.writeFileSync(gzText, zlib.gzipSync(Buffer.from('just text')));
  t.throws(() => readRecording(gzText), { message: /notes\.gz is not a SentryCam recording/ });
  const corrupt = path.join(dir, 'corrupt.scamrec.gz');
  // A valid gzip member header, then a deflate block of the reserved type 3: undecodable.
  fs.writeFileSync(corrupt, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, 0x07, 0xff, 0xff]));
  t.throws(() => readRecording(corrupt), { message: /corrupt\.scamrec\.gz: gzip data is corrupt/ });
  t.throws(() => readRecording(path.join(dir, 'missing.scamrec')), { message: /ENOENT.*missing\.scamrec/ });
});

test('sync makes what was appended readable from disk while the file is still open', async (t) => {
  const dir = tempDir(t, 'sync');
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  const frames = runFrames('r', 1);
  rec.append('r', frames[0]!, 1);
  rec.append('r', frames[1]!, 2);
  await rec.sync('r');
  const r = readRecording(path.join(dir, 'r.scamrec'));
  t.is(r.frames.length, 2);
  t.true(r.frames[1]!.frame.equals(frames[1]!));
  await rec.sync('unknown run');
  await rec.close();
});

test('a recording folder that vanishes does not crash the monitor: one record_error event, and frames still flow', async (t) => {
  const dir = tempDir(t, 'vanish');
  const events: Event[] = [];
  const pipeline = new Pipeline({ sink: (e) => events.push(e), recordDir: path.join(dir, 'runs'), silenceMs: Infinity });
  fs.rmSync(path.join(dir, 'runs'), { recursive: true });
  for (const f of runFrames('r', 2)) t.notThrows(() => pipeline.receive(f, 0));
  const summary = await pipeline.close();
  t.like(summary, { rejected: 0, epochs: 2 });
  const errors = events.filter((e) => e.event === 'record_error');
  t.is(errors.length, 1, 'reported once, not once per frame');
  t.like(errors[0], { event: 'record_error', run: 'r', file: null });
  t.regex((errors[0] as { message: string }).message, /recording of run "r" stopped: ENOENT.*runs.*r\.scamrec'; no file was made/);
  t.true(events.some((e) => e.event === 'end'));
  t.true(events.indexOf(errors[0]!) < events.findIndex((e) => e.event === 'summary'), 'before the summary');
});

test('syncs asked for in quick succession each resolve only once their own frames are in the file', async (t) => {
  const dir = tempDir(t, 'coalesce');
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  const file = path.join(dir, 'r.scamrec');
  const frame = Buffer.alloc(2 ** 20, 3);
  const checks: Promise<void>[] = [];
  let expected = RECORD_MAGIC.length;
  for (let i = 0; i < 20; i++) {
    rec.append('r', frame, i);
    expected += ENTRY_HEADER_BYTES + frame.length;
    const need = expected;
    checks.push(rec.sync('r').then(() => {
      t.true(fs.statSync(file).size >= need, `sync ${i}`);
    }));
  }
  await Promise.all(checks);
  await rec.close();
  t.is(readRecording(file).frames.length, 20);
  t.plan(21);
});
