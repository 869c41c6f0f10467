/**
 * Fault: `inspect` refused what the recorder writes once a recording passed 2 GiB (the reader
 * read files whole). The reader streams: a 2.1 GiB recording (sparse on disk) is read to its end,
 * entries past 2^31 included, holding one frame at a time. Most of its bytes are entries over the
 * reader's frame cap, which a plain file lets it step over unread (reported as skipped).
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { READ_CHUNK_BYTES, RecordingReader, readRecording } from '../../src/sources/recording-reader.js';
import { ENTRY_HEADER_BYTES, ENTRY_MARKER, RECORD_MAGIC, entryHeader } from '../../src/protocol/recording-format.js';
import { summarizeRecording } from '../../src/cli/inspect.js';
import { crc32 } from '../../src/util/crc32.js';
import { runFrames, tempDir } from './helpers.js';

const MiB = 2 ** 20;
const CAP = 64 * MiB;
const OVER = 100 * MiB;
const SKIPPED = 21;

test('a recording larger than 2 GiB is read to its end, entries past 2^31 included, through inspect too', async (t) => {
  const file = path.join(tempDir(t, 'big'), 'big.scamrec');
  const fd = fs.openSync(file, 'w');
  let at = 0;
  const put = (b: Buffer) => {
    fs.writeSync(fd, b, 0, b.length, at);
    at += b.length;
  };
  put(RECORD_MAGIC);
  const zerosCrc = crc32(Buffer.alloc(OVER));
  for (let i = 0; i < SKIPPED; i++) {
    const h = Buffer.alloc(ENTRY_HEADER_BYTES);
    ENTRY_MARKER.copy(h, 0);
    h.writeUInt32LE(OVER, 4);
    h.writeDoubleLE(i, 8);
    h.writeUInt32LE(zerosCrc, 16);
    h.writeUInt32LE(crc32(h.subarray(0, 20)), 20);
    put(h);
    at += OVER; // a hole: zeros
  }
  t.true(at > 2 ** 31);
  // After 2 GiB: a small real run with one frame at the cap among its frames.
  const run = runFrames('late', 1);
  const large = Buffer.alloc(CAP, 7);
  const tail = [run[0]!, run[1]!, large, run[2]!, run[3]!];
  tail.forEach((f, i) => {
    put(entryHeader(f, 100 + i));
    put(f);
  });
  fs.closeSync(fd);
  t.throws(() => readRecording(file), { message: /larger than .* read it with RecordingReader/ });

  const reader = await RecordingReader.open(file, { maxFrameBytes: CAP });
  const read: Buffer[] = [];
  for await (const f of reader.frames()) read.push(f.frame);
  t.is(read.length, tail.length);
  t.true(read.every((f, i) => f.equals(tail[i]!)));
  t.like(reader.report(), { version: 2, frames: tail.length, truncatedBytes: 0, damage: { entries: SKIPPED, places: SKIPPED, bytes: SKIPPED * (ENTRY_HEADER_BYTES + OVER) } });
  t.true(reader.report().damage.regions.every((r) => r.reason === 'too_large'));
  t.true(reader.peakBufferedBytes <= ENTRY_HEADER_BYTES + CAP + READ_CHUNK_BYTES);

  const summary = await summarizeRecording(file, { maxFrameBytes: CAP });
  t.like(summary, { frames: tail.length, rejected: 1, damage: { entries: SKIPPED } });
  t.like(summary.runs[0], { run: 'late', ended: true, epochs: [{ epoch: 0, train: 3 }] });
});
