/** Bad command lines and bad files: exit codes (man/sentrycam.1) and messages that name the problem. */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { encodeFrame } from '../../src/protocol/encode.js';
import { Recorder } from '../../src/record/recorder.js';
import { ENTRY_HEADER_BYTES } from '../../src/protocol/recording-format.js';
import { runCli, startWatch, tempDir, epochSignature } from './cli-process.js';

test('an invalid --listen exits 2 with a message naming the address', async (t) => {
  for (const [listen, message] of [
    ['localhost:5555', /listen address "localhost:5555" is not tcp:\/\/HOST:PORT or ipc:\/\/\/PATH/],
    ['tcp://127.0.0.1:99999', /port 99999 is outside 1-65535/],
    ['udp://127.0.0.1:5555', /is not tcp:\/\/HOST:PORT/],
  ] as const) {
    const p = runCli(['watch', '--headless', '--json', '--no-record', '--listen', listen]);
    t.is(await p.exit(), 2, listen);
    t.regex(p.stderr(), message);
    t.regex(p.stderr(), /^sentrycam watch: /);
    t.deepEqual(p.events, [], 'nothing on stdout: no listening event');
  }
});

test('bad option values and unknown commands exit 2', async (t) => {
  const maxFrame = runCli(['watch', '--headless', '--no-record', '--listen', 'tcp://127.0.0.1:5731', '--max-frame', 'lots']);
  t.is(await maxFrame.exit(), 2);
  t.regex(maxFrame.stderr(), /size "lots" is not a number of bytes/);
  const unknown = runCli(['wtach']);
  t.is(await unknown.exit(), 2);
  t.regex(unknown.stderr(), /Run 'sentrycam --help' for usage/);
  const speed = runCli(['replay', 'whatever.scamrec', '--headless', '--speed', '-1']);
  t.is(await speed.exit(), 2);
  t.regex(speed.stderr(), /--speed must be a number >= 0, got -1/);
});

test('listening on a non-loopback address prints a warning on stderr and still works', async (t) => {
  const watch = await startWatch(['--listen', 'tcp://0.0.0.0:5732', '--no-record']);
  t.regex(watch.stderr(), /warning: listening on tcp:\/\/0\.0\.0\.0:5732, reachable from the network; SP has no authentication/);
  watch.child.kill('SIGINT');
  t.is(await watch.exit(), 0);
  t.like(watch.events.at(-1), { event: 'summary', frames: 0 });
  const local = await startWatch(['--listen', 'tcp://127.0.0.1:5733', '--no-record']);
  local.child.kill('SIGINT');
  t.is(await local.exit(), 0);
  t.is(local.stderr(), '', 'no warning for loopback');
});

test('an address already in use exits 1 with a message', async (t) => {
  const first = await startWatch(['--listen', 'tcp://127.0.0.1:5734', '--no-record']);
  const second = runCli(['watch', '--headless', '--json', '--no-engine', '--no-record', '--listen', 'tcp://127.0.0.1:5734']);
  t.is(await second.exit(), 1);
  t.regex(second.stderr(), /cannot listen on tcp:\/\/127\.0\.0\.1:5734: .*in use/i);
  first.child.kill('SIGINT');
  t.is(await first.exit(), 0);
});

test('replay and inspect of a file that is not a recording exit 1 naming the file', async (t) => {
  const dir = tempDir('notrec');
  const file = path.join(dir, 'notes.txt');
  fs.writeFileSync(file, 'not a recording at all');
  const replay = runCli(['replay', file, '--headless', '--json', '--no-engine']);
  t.is(await replay.exit(), 1);
  t.is(replay.stderr(), `sentrycam replay: ${file} is not a SentryCam recording (it does not start with "SCAMREC" and a format version)\n`);
  const inspect = runCli(['inspect', file]);
  t.is(await inspect.exit(), 1);
  t.regex(inspect.stderr(), /sentrycam inspect: .*notes\.txt is not a SentryCam recording/);
  const missing = runCli(['inspect', path.join(dir, 'nope.scamrec')]);
  t.is(await missing.exit(), 1);
  t.regex(missing.stderr(), /ENOENT.*nope\.scamrec/);
});

test('replay of a recording cut mid-frame warns and replays the whole frames', async (t) => {
  const dir = tempDir('cut');
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  let seq = 0;
  const id = () => ({ run: 'cut', seq: seq++ });
  rec.append('cut', encodeFrame({ type: 'hello', ...id(), layer: 'l', dim: 2 }), 1);
  for (let e = 0; e < 3; e++) {
    rec.append('cut', encodeFrame({ type: 'batch', ...id(), epoch: e }, { x: { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }, id: { dtype: 'int32', shape: [2], data: Int32Array.of(0, 1) } }), 2 + e);
    rec.append('cut', encodeFrame({ type: 'epoch_end', ...id(), epoch: e }), 2.5 + e);
  }
  await rec.close();
  const file = path.join(dir, 'cut.scamrec');
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, bytes.subarray(0, bytes.length - 40)); // into the last epoch_end frame
  const replay = runCli(['replay', file, '--headless', '--json', '--no-engine']);
  t.is(await replay.exit(), 0, replay.stderr());
  t.regex(replay.stderr(), /the last \d+ bytes are a cut-off frame .* replayed the 6 whole frames/);
  // Epoch 2's epoch_end was cut: its batch is still completed at the end of the replay.
  t.deepEqual(epochSignature(replay.events), ['cut#0/train n=2 dim=2', 'cut#1/train n=2 dim=2', 'cut#2/train n=2 dim=2']);
  t.like(replay.events.at(-1), { event: 'summary', frames: 6, rejected: 0 });
  const inspect = runCli(['inspect', file, '--json']);
  t.is(await inspect.exit(), 0);
  // The cut entry: its header, then the epoch_end frame, less the 40 bytes cut.
  const lastFrame = encodeFrame({ type: 'epoch_end', run: 'cut', seq: 6, epoch: 2 });
  t.like(JSON.parse(inspect.stdout()), { frames: 6, truncatedBytes: ENTRY_HEADER_BYTES + lastFrame.length - 40 });
});

test('replay --speed paces frames by their recorded times', async (t) => {
  const dir = tempDir('speed');
  const rec = new Recorder(dir, (e) => t.fail(e.message));
  rec.append('paced', encodeFrame({ type: 'hello', run: 'paced', seq: 0, layer: 'l', dim: 1 }), 0);
  rec.append('paced', encodeFrame({ type: 'end', run: 'paced', seq: 1 }), 10_000);
  await rec.close();
  // 10 s of recording at 1000x: the end frame must still come through, in order.
  const replay = runCli(['replay', path.join(dir, 'paced.scamrec'), '--headless', '--json', '--no-engine', '--speed', '1000']);
  t.is(await replay.exit(), 0, replay.stderr());
  t.deepEqual(replay.events.map((e) => e.event), ['listening', 'hello', 'end', 'summary']);
  t.like(replay.events[0], { source: path.join(dir, 'paced.scamrec'), record: null });
});

test('SIGINT sent the moment the listening event is read is handled: summary, exit 0', async (t) => {
  // Scripts wait for "listening" and may stop the monitor at once; the handler must already be in place.
  for (let i = 0; i < 8; i++) {
    const watch = await startWatch(['--listen', 'tcp://127.0.0.1:5735', '--no-record']);
    watch.child.kill('SIGINT');
    t.is(await watch.exit(), 0, `attempt ${i}`);
    t.like(watch.events.at(-1), { event: 'summary' });
  }
});

test('headless text lines never pass escape sequences from a frame through to the terminal', async (t) => {
  const address = 'tcp://127.0.0.1:5736';
  const watch = runCli(['watch', '--headless', '--no-engine', '--no-record', '--listen', address]);
  // Text mode prints no JSON: wait for the listening line.
  const deadline = Date.now() + 30_000;
  while (!watch.textLines.some((l) => l.startsWith('listening')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const { RawPush } = await import('../sources/raw-push.js');
  const push = new RawPush(address);
  const evil = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
  const header = JSON.stringify({ type: 'batch', run: 'r', seq: 0, epoch: 0, tensors: [{ name: evil, dtype: 'bogus', shape: [1], offset: 0, nbytes: 1 }] });
  const frame = Buffer.alloc(12 + header.length * 3 + 1);
  frame.write('SCAM', 0, 'latin1');
  frame[4] = 1;
  const len = frame.write(header, 12, 'utf8');
  frame.writeUInt32LE(len, 8);
  await push.send(frame.subarray(0, 12 + len + 1));
  const deadline2 = Date.now() + 30_000;
  while (!watch.textLines.some((l) => l.startsWith('reject')) && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 50));
  await push.close();
  watch.child.kill('SIGINT');
  t.is(await watch.exit(), 0);
  const reject = watch.textLines.find((l) => l.startsWith('reject'));
  t.truthy(reject, watch.stdout());
  t.false(/[\u0000-\u001f\u007f-\u009f]/.test(watch.stdout().replace(/\n/g, '')), JSON.stringify(watch.stdout()));
  t.true(reject!.includes('\\u001b]0;owned\\u0007'), reject);
});
