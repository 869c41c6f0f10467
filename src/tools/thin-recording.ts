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
import { fileURLToPath } from 'node:url';
import { decodeFrame } from '../protocol/decode.js';
import { encodeFrame, type OutTensor } from '../protocol/encode.js';
import { readRecording } from '../sources/recording-reader.js';
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
  return encodeFrame({ type: 'batch', run: f.run, producer: f.producer, seq: f.seq, epoch: f.epoch, split: f.split }, tensors);
}

/** Thins a whole recording file into OUT (gzipped when OUT ends in .gz). Returns bytes in and out. */
export function thinRecording(input: string, output: string, every: number): { readonly inBytes: number; readonly outBytes: number; readonly frames: number } {
  const rec = readRecording(input);
  const parts: Buffer[] = [RECORD_MAGIC];
  for (const { frame, time } of rec.frames) {
    const out = thinFrame(frame, every);
    parts.push(entryHeader(out.length, time), out);
  }
  let data = Buffer.concat(parts);
  if (output.endsWith('.gz')) data = zlib.gzipSync(data, { level: 9 });
  fs.writeFileSync(output, data);
  return { inBytes: fs.statSync(input).size, outBytes: data.length, frames: rec.frames.length };
}

function main(argv: readonly string[]): number {
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
  const r = thinRecording(args[0]!, args[1]!, every);
  process.stdout.write(`${args[1]}: ${r.frames} frames, ${r.inBytes} -> ${r.outBytes} bytes\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`thin-recording: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
