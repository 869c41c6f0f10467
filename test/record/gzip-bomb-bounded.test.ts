/**
 * Fault: a 510 KB gzip bomb took 1.1 GB (the reader gunzipped whole files). The streaming reader
 * gunzips as it reads and holds at most the largest frame it accepts (maxFrameBytes) plus a read
 * chunk, whatever the file expands to; readRecording, which holds a file whole, stops at
 * READ_WHOLE_MAX_BYTES. Serial: the memory measures must not see other tests' allocations.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { READ_CHUNK_BYTES, READ_WHOLE_MAX_BYTES, RecordingReader, readRecording } from '../../src/sources/recording-reader.js';
import { ENTRY_HEADER_BYTES, ENTRY_MARKER, RECORD_MAGIC } from '../../src/protocol/recording-format.js';
import { crc32 } from '../../src/util/crc32.js';
import { tempDir } from './helpers.js';

const MiB = 2 ** 20;
/** What the bombs expand to. */
const EXPANDED = 512 * MiB;

/** `head`, then EXPANDED bytes of zeros, as concatenated gzip members (one 1 MiB member repeated): ~0.5 MB on disk. */
function bomb(file: string, head: Buffer): void {
  const zeros = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, zlib.gzipSync(head));
  for (let i = 0; i < EXPANDED / MiB; i++) fs.writeSync(fd, zeros);
  fs.closeSync(fd);
}

/** A v2 entry header that checks out, claiming a frame of `length` bytes whose CRC is `frameCrc`. */
function header(length: number, frameCrc = 0): Buffer {
  const h = Buffer.alloc(ENTRY_HEADER_BYTES);
  ENTRY_MARKER.copy(h, 0);
  h.writeUInt32LE(length, 4);
  h.writeDoubleLE(1, 8);
  h.writeUInt32LE(frameCrc, 16);
  h.writeUInt32LE(crc32(h.subarray(0, 20)), 20);
  return h;
}

async function readAll(file: string, maxFrameBytes?: number) {
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const reader = await RecordingReader.open(file, { maxFrameBytes });
  let frames = 0;
  const timer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  try {
    for await (const _ of reader.frames()) frames++;
  } finally {
    clearInterval(timer);
  }
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  return { frames, report: reader.report(), peak: reader.peakBufferedBytes, rssGrowth: rssPeak - rssBefore };
}

/** Generous beside the bound (a read chunk, or the frame cap) and far below what the bombs expand to. */
const RSS_BOUND = 160 * MiB;

test.serial('a bomb of zeros after the magic: skipped as one damaged stretch, memory bounded', async (t) => {
  const file = path.join(tempDir(t, 'bomb'), 'zeros.scamrec.gz');
  bomb(file, RECORD_MAGIC);
  t.true(fs.statSync(file).size < MiB);
  const r = await readAll(file);
  t.is(r.frames, 0);
  t.like(r.report.damage, { places: 1, bytes: EXPANDED });
  t.true(r.peak <= 2 * READ_CHUNK_BYTES, `held at most ${r.peak} bytes`);
  t.true(r.rssGrowth < RSS_BOUND, `RSS grew ${(r.rssGrowth / MiB).toFixed(0)} MiB`);
});

test.serial('a bomb behind a header claiming a 4 GiB frame: the entry is dropped as it streams by, never held', async (t) => {
  const file = path.join(tempDir(t, 'bomb'), 'huge.scamrec.gz');
  bomb(file, Buffer.concat([RECORD_MAGIC, header(0xffffffff)]));
  const r = await readAll(file);
  t.is(r.frames, 0);
  t.like(r.report.damage, { places: 1, bytes: ENTRY_HEADER_BYTES + EXPANDED, regions: [{ reason: 'too_large' }] });
  t.true(r.peak <= 2 * READ_CHUNK_BYTES, `held at most ${r.peak} bytes`);
  t.true(r.rssGrowth < RSS_BOUND, `RSS grew ${(r.rssGrowth / MiB).toFixed(0)} MiB`);
});

test.serial('a header claiming a frame under the cap: held up to the cap, then its CRC fails', async (t) => {
  const file = path.join(tempDir(t, 'bomb'), 'capped.scamrec.gz');
  const cap = 64 * MiB;
  bomb(file, Buffer.concat([RECORD_MAGIC, header(cap - 1, 12345)]));
  const r = await readAll(file, cap);
  t.is(r.frames, 0);
  t.like(r.report.damage.regions[0], { reason: 'bad_crc', bytes: ENTRY_HEADER_BYTES + cap - 1 });
  t.true(r.peak <= cap + 2 * READ_CHUNK_BYTES, `held at most ${r.peak} bytes`);
  t.true(r.rssGrowth < RSS_BOUND, `RSS grew ${(r.rssGrowth / MiB).toFixed(0)} MiB`);
});

test.serial('readRecording, which holds a file whole, refuses to expand past READ_WHOLE_MAX_BYTES', (t) => {
  const file = path.join(tempDir(t, 'bomb'), 'whole.scamrec.gz');
  bomb(file, RECORD_MAGIC);
  t.throws(() => readRecording(file), { message: new RegExp(`whole\\.scamrec\\.gz is larger than ${READ_WHOLE_MAX_BYTES} bytes: read it with RecordingReader`) });
});
