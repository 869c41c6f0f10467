/**
 * Fault: one bad length byte in a format 1 recording dropped 142 of its 152 frames, with exit 0.
 * The reader now resynchronises on the next entry whose header checks out and reports the gap;
 * `inspect` and `replay` say so on stderr, and `inspect --json` carries it.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { parseRecording, readRecording } from '../../src/sources/recording-reader.js';
import { ENTRY_HEADER_BYTES, V1_ENTRY_HEADER_BYTES } from '../../src/protocol/recording-format.js';
import { runCli } from '../cli/cli-process.js';
import { entryStarts, runFrames, tempDir, v1Bytes, v2Bytes } from './helpers.js';

const frames = runFrames('r', 75); // 152 frames: hello, 75 x (batch, epoch_end), end
const BAD = 39; // the batch of epoch 19

test('format 2: a bad length byte costs that entry only', (t) => {
  t.is(frames.length, 152);
  const bytes = v2Bytes(frames);
  const at = entryStarts(frames, ENTRY_HEADER_BYTES)[BAD]!;
  for (const [offset, value] of [[4, 0xff], [7, 0x40], [5, 0x00]] as const) {
    const bad = Buffer.from(bytes);
    bad[at + offset] = value;
    const r = parseRecording(bad, 'bad');
    t.is(r.frames.length, 151, `length byte ${offset - 4} set to ${value}`);
    t.true(r.frames.every((f, i) => f.frame.equals(frames[i < BAD ? i : i + 1]!)));
    t.like(r.report.damage, { entries: 1, places: 1, epochs: [{ from: 18, to: 19 }] });
    t.like(r.report.damage.regions[0], { offset: at, reason: 'bad_header', bytes: ENTRY_HEADER_BYTES + frames[BAD]!.length });
  }
});

test('format 1 (no CRC): a length made impossible is stepped over too, on the next frame\'s wire magic', (t) => {
  const bytes = v1Bytes(frames);
  const at = entryStarts(frames, V1_ENTRY_HEADER_BYTES)[BAD]!;
  const bad = Buffer.from(bytes);
  bad[at + 5] = 0x7f; // length + 0x7f0000000000: past any frame
  const r = parseRecording(bad, 'bad-v1');
  t.is(r.frames.length, 151);
  t.true(r.frames.every((f, i) => f.frame.equals(frames[i < BAD ? i : i + 1]!)));
  t.like(r.report, { version: 1, damage: { entries: 1, places: 1, bytes: V1_ENTRY_HEADER_BYTES + frames[BAD]!.length } });
});

test('inspect and replay report the damage on stderr, inspect --json in its summary', async (t) => {
  const dir = tempDir(t, 'resync-cli');
  const file = path.join(dir, 'r.scamrec');
  const bytes = v2Bytes(frames);
  bytes[entryStarts(frames, ENTRY_HEADER_BYTES)[BAD]! + 6] ^= 0x10;
  fs.writeFileSync(file, bytes);
  t.is(readRecording(file).frames.length, 151);

  const inspect = runCli(['inspect', file, '--json']);
  t.is(await inspect.exit(), 0, inspect.stderr());
  const summary = JSON.parse(inspect.stdout()) as Record<string, unknown>;
  t.like(summary, { version: 2, frames: 151, truncatedBytes: 0, damage: { entries: 1, places: 1, epochs: [{ from: 18, to: 19 }] } });
  t.regex(inspect.stderr(), /warning: .*r\.scamrec: 1 entry \(\d+ bytes\) skipped at 1 place \(damaged entry header\); epochs that may be missing frames: 18-19/);

  const replay = runCli(['replay', file, '--headless', '--json', '--no-engine']);
  t.is(await replay.exit(), 0, replay.stderr());
  t.regex(replay.stderr(), /warning: .*r\.scamrec: 1 entry .* epochs that may be missing frames: 18-19/);
  // The batch of epoch 19 is gone, so epoch 19 completes without samples is not reported; the others all are.
  const epochs = replay.events.filter((e) => e.event === 'epoch').map((e) => e.epoch as number);
  t.deepEqual(epochs, [...Array(75).keys()].filter((e) => e !== 19));
  t.like(replay.events.at(-1), { event: 'summary', frames: 151, rejected: 0 });
});
