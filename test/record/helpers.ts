/** Shared by the recording tests: temp folders, small real runs, and recordings built by hand (v1 and v2). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { encodeFrame } from '../../src/protocol/encode.js';
import { RECORD_MAGIC, RECORD_MAGIC_V1, entryHeader } from '../../src/protocol/recording-format.js';

/** A folder removed after the test, under `parent` (default: the system's temp folder). */
export function tempDir(t: ExecutionContext, tag: string, parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, `scam-rec-${tag}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A memory-backed folder where there is one (/dev/shm on Linux), else the temp folder: for tests
 * of thousands of files, where the disk's fsyncs would only add waiting.
 */
export function fastFs(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

/** A small valid run: hello, `epochs` x (batch, epoch_end), end. */
export function runFrames(run: string, epochs: number, producer = '0'): Buffer[] {
  let seq = 0;
  const id = () => ({ run, producer, seq: seq++ });
  const frames = [encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim: 2 })];
  for (let e = 0; e < epochs; e++) {
    frames.push(encodeFrame({ type: 'batch', ...id(), epoch: e }, {
      x: { dtype: 'float32', shape: [3, 2], data: Float32Array.of(e, 1, 2, 3, 4, 5) },
      id: { dtype: 'int32', shape: [3], data: Int32Array.of(0, 1, 2) },
    }));
    frames.push(encodeFrame({ type: 'epoch_end', ...id(), epoch: e }));
  }
  frames.push(encodeFrame({ type: 'end', ...id() }));
  return frames;
}

/** A v2 recording of `frames`, frame i stamped `time(i)`. */
export function v2Bytes(frames: readonly Buffer[], time = (i: number) => 1000 + i): Buffer {
  return Buffer.concat([RECORD_MAGIC, ...frames.flatMap((f, i) => [entryHeader(f, time(i)), f])]);
}

/** A v1 recording (what SentryCam wrote before format 2): u64 length, f64 time, frame. */
export function v1Bytes(frames: readonly Buffer[], time = (i: number) => 1000 + i): Buffer {
  const entry = (f: Buffer, i: number): Buffer[] => {
    const h = Buffer.alloc(16);
    h.writeBigUInt64LE(BigInt(f.length), 0);
    h.writeDoubleLE(time(i), 8);
    return [h, f];
  };
  return Buffer.concat([RECORD_MAGIC_V1, ...frames.flatMap(entry)]);
}

/** Where each entry of a recording of `frames` starts, and where the last one ends. */
export function entryStarts(frames: readonly Buffer[], headerBytes: number): number[] {
  const starts = [8];
  for (const f of frames) starts.push(starts.at(-1)! + headerBytes + f.length);
  return starts;
}
