/**
 * Makes a small evidence fixture from a recording: keeps the rows of every batch frame whose sample
 * id is a multiple of `every` (the same samples in every epoch, since ids are stable) and copies all
 * other frames, seq numbers and receive times unchanged, then gzips the result (the reader accepts
 * .scamrec.gz). A real run stays a real run, with fewer samples.
 *
 *   npx tsx src/tools/thin-recording.ts IN.scamrec OUT.scamrec.gz [--every 4]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../protocol/decode.js';
import { encodeFrame, type OutTensor } from '../protocol/encode.js';
import { RecordingReader, type RecordingReport } from '../sources/recording-reader.js';
import { RECORD_MAGIC, entryHeader } from '../protocol/recording-format.js';

/**
 * One frame, thinned: a batch frame keeps the rows with id % every === 0 (at least its first row,
 * so no frame disappears and no seq gap appears); every other frame, and any frame that does not
 * decode, comes back as it was.
 */
export function thinFrame(bytes: Buffer, every: number): Buffer {
  if (!Number.isInteger(every) || every < 1) throw new Error(`thinFrame: every must be an integer >= 1, got ${every}`);
  const d = decodeFrame(bytes);
  if (!d.ok || d.frame.type !== 'batch' || every === 1) return bytes;
  const f = d.frame;
  let keep: number[] = [];
  for (let i = 0; i < f.n; i++) if (((f.ids[i]! % every) + every) % every === 0) keep.push(i);
  if (keep.length === 0) keep = [0];
  const n = keep.length;
  const x = new Float32Array(n * f.dim);
  keep.forEach((r, k) => x.set(f.x.subarray(r * f.dim, (r + 1) * f.dim), k * f.dim));
  const tensors: Record<string, OutTensor> = {
    x: { dtype: 'float32', shape: [n, f.dim], data: x },
    // Decoded ids are integers within +-2^53, so int64 carries them exactly whatever was sent.
    id: { dtype: 'int64', shape: [n], data: BigInt64Array.from(keep, (r) => BigInt(f.ids[r]!)) },
  };
  if (f.labels) tensors.label = { dtype: 'int32', shape: [n], data: Int32Array.from(keep, (r) => f.labels![r]!) };
  if (f.preds) tensors.pred = { dtype: 'int32', shape: [n], data: Int32Array.from(keep, (r) => f.preds![r]!) };
  if (f.tasks) tensors.task = { dtype: 'int32', shape: [n], data: Int32Array.from(keep, (r) => f.tasks![r]!) };
  return encodeFrame({ type: 'batch', run: f.run, producer: f.producer, seq: f.seq, epoch: f.epoch, split: f.split }, tensors);
}

/** Writes to a stream, waiting when it asks the writer to (so memory stays bounded). */
async function put(out: Writable, data: Uint8Array): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

/**
 * Thins a whole recording file into OUT (gzipped when OUT ends in .gz), streaming, in the current
 * format; damaged entries of the input are left out (the reader reports them). Resolves with bytes
 * in and out and the frames written.
 */
export async function thinRecording(input: string, output: string, every: number): Promise<{ readonly inBytes: number; readonly outBytes: number; readonly frames: number; readonly report: RecordingReport }> {
  const reader = await RecordingReader.open(input);
  const file = fs.createWriteStream(output);
  const out: Writable = output.endsWith('.gz') ? zlib.createGzip({ level: 9 }) : file;
  if (out !== file) out.pipe(file);
  const closed = once(file, 'close');
  let frames = 0;
  try {
    await put(out, RECORD_MAGIC);
    for await (const { frame, time } of reader.frames()) {
      const thin = thinFrame(frame, every);
      await put(out, entryHeader(thin, time));
      await put(out, thin);
      frames++;
    }
  } finally {
    out.end();
  }
  await closed;
  return { inBytes: fs.statSync(input).size, outBytes: fs.statSync(output).size, frames, report: reader.report() };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  let every = 4;
  const i = args.indexOf('--every');
  if (i >= 0) {
    every = Number(args[i + 1]);
    args.splice(i, 2);
  }
  if (args.length !== 2 || !Number.isInteger(every) || every < 1) {
    process.stderr.write('usage: npx tsx src/tools/thin-recording.ts IN.scamrec OUT.scamrec.gz [--every N]\n');
    return 2;
  }
  const r = await thinRecording(args[0]!, args[1]!, every);
  process.stdout.write(`${args[1]}: ${r.frames} frames, ${r.inBytes} -> ${r.outBytes} bytes\n`);
  const { damage, truncatedBytes } = r.report;
  if (damage.entries > 0 || truncatedBytes > 0) process.stderr.write(`thin-recording: ${args[0]}: ${damage.entries} damaged entries (${damage.bytes} bytes) and ${truncatedBytes} bytes of a cut-off tail left out\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`thin-recording: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
