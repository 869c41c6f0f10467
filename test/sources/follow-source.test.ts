/**
 * Following a recording while it is written: FollowSource on a file that grows in pieces of any
 * size, and `replay --follow` as a real child process beside a live Recorder.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { FollowSource } from '../../src/sources/follow-source.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { Recorder } from '../../src/record/recorder.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { createRng } from '../../src/util/random.js';
import { SYN_RUN, synFrames } from '../export/table-helpers.js';
import { eventsOf, runCli, type JsonEvent } from '../cli/cli-process.js';

const tmp = (tag: string) => fs.mkdtempSync(path.join(os.tmpdir(), `scam-follow-${tag}-`));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records frames with the real Recorder (times 10 ms apart); returns the file. */
async function recordAll(dir: string, frames: readonly Buffer[]): Promise<string> {
  const rec = new Recorder(dir, (e) => {
    throw e;
  });
  frames.forEach((f, i) => rec.append(SYN_RUN, f, Date.UTC(2025, 0, 1) + 10 * i));
  await rec.close();
  return rec.paths.get(SYN_RUN)!;
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`test: ${what} did not happen in ${timeoutMs} ms`);
    await sleep(20);
  }
}

test('a file that grows in pieces of any size (1 byte to 2 MiB, cutting headers and frames) yields every frame once, whole, in order, with its time', async (t) => {
  const dir = tmp('pieces');
  const { frames } = synFrames();
  // One frame larger than the follower's 1 MiB read chunk.
  const n = 150_000;
  const big = encodeFrame({ run: SYN_RUN, producer: '0', seq: 999, type: 'batch', epoch: 9 }, {
    x: { dtype: 'float32', shape: [n, 6], data: new Float32Array(n * 6).fill(0.5) },
    id: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
  });
  const all = [...frames.slice(0, 5), big, ...frames.slice(5)];
  const whole = fs.readFileSync(await recordAll(path.join(dir, 'a'), all));
  const expected = readRecording(path.join(dir, 'a', fs.readdirSync(path.join(dir, 'a'))[0]!)).frames;
  t.is(expected.length, all.length);

  const grown = path.join(dir, 'grown.scamrec');
  fs.writeFileSync(grown, whole.subarray(0, 3)); // not even the whole magic yet
  const source = new FollowSource(grown, { pollMs: 10 });
  const got: { frame: Buffer; time: number }[] = [];
  const done = source.open((frame, time) => void got.push({ frame: Buffer.from(frame), time }));
  const rng = createRng(5);
  for (let at = 3; at < whole.length; ) {
    const size = Math.min(whole.length - at, rng.next() < 0.5 ? 1 + Math.floor(rng.next() * 40) : 1 + Math.floor(rng.next() * 2 ** 21));
    fs.appendFileSync(grown, whole.subarray(at, at + size));
    at += size;
    await sleep(Math.floor(rng.next() * 15));
  }
  await until('every frame', () => got.length >= expected.length);
  await sleep(100); // nothing more must come
  source.close();
  await done;
  t.is(got.length, expected.length);
  got.forEach((g, i) => {
    t.true(g.frame.equals(expected[i]!.frame), `frame ${i}`);
    t.is(g.time, expected[i]!.time);
  });
});

test('close() ends a follow at once, also when it comes while the size is being checked (fault: it slept one more poll interval)', async (t) => {
  const dir = tmp('close');
  const file = await recordAll(dir, synFrames().frames.slice(0, 2));
  // A poll interval far longer than the test's timeout: only an immediate stop passes.
  for (let round = 0; round < 20; round++) {
    const source = new FollowSource(file, { pollMs: 600_000 });
    let count = 0;
    // After the last frame the follower yields once, then checks the file's size again: two
    // turns later it is inside that check, with no sleep yet to wake.
    const done = source.open(() => {
      if (++count === 2) setImmediate(() => setImmediate(() => source.close()));
    });
    await done;
    t.is(count, 2);
  }
  // And once asleep.
  const again = new FollowSource(file, { pollMs: 600_000 });
  let n = 0;
  const done2 = again.open(() => void n++);
  await until('both frames', () => n === 2);
  await sleep(200);
  again.close();
  await done2;
  t.is(n, 2);
});

test('a file truncated under the follower is an error; a gzipped file or one that is not a recording is refused at once', async (t) => {
  const dir = tmp('bad');
  const file = await recordAll(dir, synFrames().frames);
  const source = new FollowSource(file, { pollMs: 10 });
  let count = 0;
  const done = source.open(() => void count++);
  await until('some frames', () => count > 3);
  fs.truncateSync(file, 100);
  await t.throwsAsync(done, { message: /shrank from \d+ to 100 bytes while being followed/ });

  const gz = path.join(dir, 'x.scamrec.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file)));
  t.throws(() => new FollowSource(gz), { message: /is gzipped/ });
  const text = path.join(dir, 'notes.txt');
  fs.writeFileSync(text, 'hello, these are notes');
  t.throws(() => new FollowSource(text), { message: /is not a SentryCam recording/ });
  t.throws(() => new FollowSource(path.join(dir, 'missing.scamrec')), { code: 'ENOENT' });
});

/** The epoch events a session prints, reduced to what a replay of the same file must reproduce. */
function epochs(events: readonly JsonEvent[]): string[] {
  return events.filter((e) => e.event === 'epoch').map((e) => `${String(e.epoch)}/${String(e.split)} n=${String(e.n)} ${String(e.engine)} nn15=${String(e.nn15)} stability=${String(e.stability)}`);
}

test('replay --follow beside a live Recorder: each epoch shows while the run is still being written, and the whole matches a replay of the finished file', async (t) => {
  const dir = tmp('live');
  const { frames } = synFrames();
  const rec = new Recorder(path.join(dir, 'rec'), (e) => t.fail(e.message));
  const t0 = Date.UTC(2025, 0, 1);
  let i = 0;
  const append = async (upTo: (f: Buffer, k: number) => boolean) => {
    for (; i < frames.length && upTo(frames[i]!, i); i++) rec.append(SYN_RUN, frames[i]!, t0 + 10 * i);
    await rec.sync(SYN_RUN);
  };
  // hello and epoch 0 (batches, metrics, epoch_end: frames 1-5).
  await append((_, k) => k <= 5);
  const file = rec.paths.get(SYN_RUN)!;
  const follower = runCli(['replay', file, '--follow', '--headless', '--json', '--exit-on-end', '--reproducible']);
  t.teardown(() => follower.child.kill('SIGKILL'));
  // The writer goes on only once the follower has shown epoch 0: it is following, not reading at the end.
  await follower.waitFor((e) => e.event === 'epoch' && e.epoch === 0 && e.split === 'test', 120_000, 'epoch 0');
  t.false(eventsOf(follower, 'epoch').some((e) => (e.epoch as number) > 0));
  for (let epoch = 1; epoch < 4; epoch++) {
    await append((_, k) => k <= 1 + 5 * epoch + 4);
    await follower.waitFor((e) => e.event === 'epoch' && e.epoch === epoch && e.split === 'test', 120_000, `epoch ${epoch}`);
  }
  await append(() => true); // end
  await rec.close();
  t.is(await follower.exit(120_000), 0, follower.stderr());
  t.deepEqual(eventsOf(follower, 'summary').map((s) => [s.frames, s.rejected, s.lost, s.epochs]), [[frames.length, 0, 0, 4]]);

  const replay = runCli(['replay', file, '--headless', '--json', '--reproducible']);
  t.is(await replay.exit(120_000), 0, replay.stderr());
  t.deepEqual(epochs(follower.events), epochs(replay.events));
  t.is(epochs(follower.events).length, 8);
  t.deepEqual(eventsOf(follower, 'metrics').map((m) => m.values), eventsOf(replay, 'metrics').map((m) => m.values));
});

test('replay --follow: --speed is a usage error; a gzipped file exits 1 before anything starts', async (t) => {
  const dir = tmp('cli');
  const file = await recordAll(dir, synFrames().frames.slice(0, 2));
  const speed = runCli(['replay', file, '--follow', '--speed', '2', '--headless', '--json']);
  t.is(await speed.exit(60_000), 2);
  t.regex(speed.stderr(), /--speed does not apply to --follow/);
  const gz = path.join(dir, 'r.scamrec.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file)));
  const gzipped = runCli(['replay', gz, '--follow', '--headless', '--json']);
  t.is(await gzipped.exit(60_000), 1);
  t.regex(gzipped.stderr(), /is gzipped/);
  t.deepEqual(gzipped.events, []);
});
