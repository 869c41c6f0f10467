/**
 * Benchmark `ingest_mb_s`: frames of 5000x512 float32 (10 MB) through a real nanomsg socket into the
 * monitor's receiving path — PullSocket, decode, Ingest (epoch assembly) and Recorder (to a temp
 * folder, fsync at every epoch_end and at close) — in this process, with the PUSH side in a child
 * process so the sender never shares the receiver's thread. Also `raw_nanomsg_mb_s`: the same frames
 * through the same socket, only counted, for comparison. Target: ingest >= 400 MB/s.
 *
 * Run alone: `npx tsx bench/ingest.ts` (prints a JSON object as its last line).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeFrame } from '../src/protocol/encode.js';
import { PullSocket } from '../src/sources/pull-socket.js';
import { Pipeline } from '../src/session/pipeline.js';

export interface IngestBench {
  /** MB/s (10^6 bytes) of batch frames through socket + decode + assembly + recording (fsync'd). */
  readonly ingest_mb_s: number;
  /** MB/s of the same frames through the socket alone. */
  readonly raw_nanomsg_mb_s: number;
  /** Socket + decode + assembly, no recording: what the receiving thread itself sustains. */
  readonly ingest_no_record_mb_s: number;
  /** The disk's own rate for the same bytes (10 MB writes to a fresh file, fsync): recording's ceiling. */
  readonly disk_mb_s: number;
}

const ROWS = 5000;
const DIM = 512;
/** 60 frames of 10 MB: long enough to swamp start-up, short enough for a 2-core box. */
const FRAMES = 60;
const MAX_FRAME = 256 * 2 ** 20;
const SELF = fileURLToPath(import.meta.url);

// ------------------------------------------------------------------ sender (child process)

/** Digits reserved for seq/epoch in the reused header (patched in place, padded with spaces). */
const FIELD_WIDTH = 6;

/**
 * One encoded frame reused for every send: its seq and epoch are rewritten in place, padded with
 * JSON whitespace, so the sender spends its time sending rather than encoding 10 MB per frame.
 */
function patchable(header: Record<string, unknown>, tensors: Parameters<typeof encodeFrame>[1]): (seq: number, epoch?: number) => Buffer {
  const placeholder = 10 ** (FIELD_WIDTH - 1); // a FIELD_WIDTH-digit number
  const frame = encodeFrame({ ...header, seq: placeholder, ...(header.epoch !== undefined ? { epoch: placeholder + 1 } : {}) }, tensors);
  const headerText = frame.subarray(12, 12 + frame.readUInt32LE(8)).toString('latin1');
  const seqAt = 12 + headerText.indexOf(`"seq":${placeholder}`) + '"seq":'.length;
  const epochAt = header.epoch !== undefined ? 12 + headerText.indexOf(`"epoch":${placeholder + 1}`) + '"epoch":'.length : -1;
  return (seq, epoch) => {
    frame.write(String(seq).padEnd(FIELD_WIDTH, ' '), seqAt, 'latin1');
    if (epochAt >= 0) frame.write(String(epoch).padEnd(FIELD_WIDTH, ' '), epochAt, 'latin1');
    return frame;
  };
}

interface NnBinding {
  readonly EINTR: number;
  Send(socket: number, msg: Buffer, flags: number): number;
  Errno(): number;
  Err(): string;
}

/** Sends hello, FRAMES x (batch, epoch_end), end with blocking sends (this process does nothing else). */
async function sender(address: string, frames: number): Promise<void> {
  const require = createRequire(import.meta.url);
  const nano = require('nanomsg') as { _bindings: NnBinding; socket(t: 'push'): { binding: number; connect(a: string): unknown; close(): void; on(e: string, cb: () => void): void } };
  const nn = nano._bindings;
  const sock = nano.socket('push');
  sock.on('error', () => {});
  sock.connect(address);
  const send = (buf: Buffer): void => {
    // Blocking send; a signal can interrupt it, which is not a failure.
    while (nn.Send(sock.binding, buf, 0) < 0) {
      if (nn.Errno() !== nn.EINTR) throw new Error(`bench sender: ${nn.Err()}`);
    }
  };
  const run = { run: 'bench', producer: '0' };
  const x = new Float32Array(ROWS * DIM);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  const ids = Int32Array.from({ length: ROWS }, (_, i) => i);
  const batch = patchable({ type: 'batch', ...run, epoch: 0 }, { x: { dtype: 'float32', shape: [ROWS, DIM], data: x }, id: { dtype: 'int32', shape: [ROWS], data: ids } });
  const epochEnd = patchable({ type: 'epoch_end', ...run, epoch: 0 }, {});
  let seq = 0;
  send(encodeFrame({ type: 'hello', ...run, seq: seq++, layer: 'bench', dim: DIM }));
  for (let e = 0; e < frames; e++) {
    send(batch(seq++, e));
    send(epochEnd(seq++, e));
  }
  send(encodeFrame({ type: 'end', ...run, seq: seq++ }));
  // Give the last message time to leave before the socket goes (nanomsg close may discard it).
  await new Promise((r) => setTimeout(r, 1000));
  sock.close();
}

// ------------------------------------------------------------------ receiver (this process)

function startSender(address: string, frames: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--sender', address, String(frames)], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench sender exited with ${code}`))));
  });
}

/** Loopback TCP on a free port (bound, released, then bound again by the PULL socket). */
async function benchAddress(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      server.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  return `tcp://127.0.0.1:${port}`;
}

/** Bytes of batch frames and the seconds from the first message to the end of processing. */
interface Measure {
  readonly batchBytes: number;
  readonly seconds: number;
}

/** Socket only: every message counted, nothing else. */
async function measureRaw(address: string, frames: number): Promise<Measure> {
  let t0 = 0;
  let bytes = 0;
  let count = 0;
  const total = 2 + 2 * frames;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const socket = new PullSocket({
    listen: address,
    maxFrame: MAX_FRAME,
    onFrame: (f) => {
      if (count === 0) t0 = performance.now();
      count++;
      if (f.length > 1_000_000) bytes += f.length;
      if (count === total) done();
    },
    onError: (e) => process.stderr.write(`bench: ${e.message}\n`),
  });
  const sent = startSender(address, frames);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await sent;
  socket.close();
  return { batchBytes: bytes, seconds };
}

/** The monitor's receiving path: socket -> Pipeline (decode, ingest, and record unless told not to). */
async function measureIngest(address: string, frames: number, record: boolean): Promise<Measure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-bench-rec-'));
  let t0 = 0;
  let bytes = 0;
  let epochs = 0;
  let rejects = 0;
  let done!: () => void;
  const ended = new Promise<void>((r) => (done = r));
  const pipeline = new Pipeline({
    sink: (e) => {
      if (e.event === 'epoch') epochs++;
      if (e.event === 'reject') {
        rejects++;
        process.stderr.write(`bench: reject ${e.reason}\n`);
      }
      if (e.event === 'end') done();
    },
    recordDir: record ? dir : undefined,
    silenceMs: Infinity,
  });
  const socket = new PullSocket({
    listen: address,
    maxFrame: MAX_FRAME,
    onFrame: (f, at) => {
      if (t0 === 0) t0 = performance.now();
      if (f.length > 1_000_000) bytes += f.length;
      pipeline.receive(f, at);
    },
    onError: (e) => process.stderr.write(`bench: ${e.message}\n`),
  });
  const sent = startSender(address, frames);
  await ended;
  // Recording is part of the work: the clock stops once every frame is on disk (fsync'd).
  await pipeline.close();
  const seconds = (performance.now() - t0) / 1000;
  await sent;
  socket.close();
  const recorded = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  fs.rmSync(dir, { recursive: true, force: true });
  if (epochs !== frames || rejects > 0) throw new Error(`bench: ${epochs} epochs of ${frames}, ${rejects} rejects`);
  if (record && recorded < bytes) throw new Error(`bench: recorded ${recorded} bytes, less than the ${bytes} received`);
  return { batchBytes: bytes, seconds };
}

/** Writes `bytes` in 10 MB pieces to a fresh file in the temp folder and fsyncs it, as the recorder would. */
function measureDisk(bytes: number): Measure {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scam-bench-disk-'));
  const piece = Buffer.alloc(ROWS * DIM * 4, 0x5a);
  const fd = fs.openSync(path.join(dir, 'disk.bin'), 'wx');
  const t0 = performance.now();
  for (let written = 0; written < bytes; written += piece.length) fs.writeSync(fd, piece);
  fs.fsyncSync(fd);
  const seconds = (performance.now() - t0) / 1000;
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
  return { batchBytes: bytes, seconds };
}

const mbPerSecond = (m: Measure): number => Math.round(m.batchBytes / 1e6 / m.seconds);

export async function benchIngest(): Promise<IngestBench> {
  // A short warm-up of each path (JIT, page cache), then the measured runs.
  await measureRaw(await benchAddress(), 5);
  const raw = await measureRaw(await benchAddress(), FRAMES);
  await measureIngest(await benchAddress(), 5, false);
  const bare = await measureIngest(await benchAddress(), FRAMES, false);
  await measureIngest(await benchAddress(), 5, true);
  const ingest = await measureIngest(await benchAddress(), FRAMES, true);
  const disk = measureDisk(ingest.batchBytes);
  process.stderr.write(
    `bench ingest: ${FRAMES} frames of ${ROWS}x${DIM} float32 (${(ingest.batchBytes / 1e6).toFixed(0)} MB): raw socket ${raw.seconds.toFixed(2)} s, ` +
      `decode+assembly ${bare.seconds.toFixed(2)} s, +recording ${ingest.seconds.toFixed(2)} s, disk alone ${disk.seconds.toFixed(2)} s\n`,
  );
  return { ingest_mb_s: mbPerSecond(ingest), raw_nanomsg_mb_s: mbPerSecond(raw), ingest_no_record_mb_s: mbPerSecond(bare), disk_mb_s: mbPerSecond(disk) };
}

const isMain = process.argv[1] !== undefined && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  if (process.argv[2] === '--sender') {
    await sender(process.argv[3]!, Number(process.argv[4]));
  } else {
    process.stdout.write(`${JSON.stringify(await benchIngest())}\n`);
  }
}
