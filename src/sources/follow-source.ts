/**
 * Frames of a recording that is still being written, as `tail -f` follows a log: what the file
 * holds first, then each entry as the recorder appends it. Polls the file's size (fs.watch does not
 * see writes made by another machine on a shared filesystem such as NFS). Never ends by itself;
 * close() stops it. Memory: one read chunk plus at most one entry in progress (capped by maxFrame).
 *
 * The entry parsing (TailScanner) uses only the recording format's constants; it reads the format
 * version this reader knows (docs: src/protocol/recording-format.ts). It has the push/next shape of
 * a streaming scanner so that it can be swapped for the recording reader's own when that streams.
 */
import fs from 'node:fs';
import { RECORD_MAGIC } from '../protocol/recording-format.js';
import { NotARecordingError, RecordingScanner } from './recording-scanner.js';
import type { FrameHandler, FrameSource } from './frame-source.js';
import type { RecordedFrame } from './recording-reader.js';

export interface FollowOptions {
  /**
   * How often the file is checked for new bytes, ms. 200 ms: a new epoch shows within a fifth of a
   * second, at 5 stat calls a second (negligible locally, light on a network filesystem).
   */
  readonly pollMs?: number;
  /** Largest entry accepted; a longer one means the file is damaged. Default 256 MiB (watch --max-frame's default). */
  readonly maxFrame?: number;
}

/** Bytes read per step: large enough to catch up fast on a long file, small beside the frame cap. */
const READ_CHUNK_BYTES = 2 ** 20;
const DEFAULT_POLL_MS = 200;
const DEFAULT_MAX_FRAME = 256 * 2 ** 20;

/**
 * The recording reader's own scanner (src/sources/recording-scanner.ts), fed as the file grows: it
 * reads every format version the reader reads, checks each entry's CRC and steps over damage.
 */
export class TailScanner {
  private readonly scanner: RecordingScanner;

  constructor(
    private readonly name: string,
    maxFrame: number,
  ) {
    this.scanner = new RecordingScanner({ maxFrameBytes: maxFrame, copyFrames: true });
  }

  /** Bytes pushed and not yet returned as frames (an entry in progress). */
  get pending(): number {
    return this.scanner.held;
  }

  push(chunk: Buffer): void {
    if (chunk.length > 0) this.scanner.push(chunk);
  }

  /** The next whole frame, or undefined until more bytes arrive. Throws when the bytes are not a recording. */
  next(): RecordedFrame | undefined {
    for (;;) {
      let item;
      try {
        item = this.scanner.next();
      } catch (err) {
        if (err instanceof NotARecordingError) throw new Error(`${this.name} ${err.message}`);
        throw err;
      }
      if (!item) return undefined;
      // A damaged entry in a file being written is stepped over, as a replay of the file would.
      if (item.kind === 'frame') return { frame: item.frame, time: item.time };
    }
  }
}

function checkMagic(file: string, first: Buffer): void {
  const scanner = new TailScanner(file, 0);
  scanner.push(first);
  scanner.next();
}

export class FollowSource implements FrameSource {
  readonly name: string;
  private readonly pollMs: number;
  private readonly maxFrame: number;
  private closed = false;
  private wake?: () => void;

  /**
   * @throws when the file cannot be opened, is gzipped (a compressed file cannot be followed), or
   *   already holds 8 bytes that are not a recording's start.
   */
  constructor(
    private readonly file: string,
    opts: FollowOptions = {},
  ) {
    this.name = file;
    this.pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    this.maxFrame = opts.maxFrame ?? DEFAULT_MAX_FRAME;
    if (!(this.pollMs > 0)) throw new Error(`follow: pollMs must be > 0, got ${this.pollMs}`);
    const fd = fs.openSync(file, 'r');
    try {
      const first = Buffer.alloc(RECORD_MAGIC.length);
      const got = fs.readSync(fd, first, 0, first.length, 0);
      if (got >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
        throw new Error(`${file} is gzipped: only a recording being written (.scamrec) can be followed; replay it without --follow`);
      }
      // Fewer bytes: the recorder is creating it; the scanner checks the magic once it is there.
      if (got === first.length) checkMagic(file, first);
    } finally {
      fs.closeSync(fd);
    }
  }

  async open(onFrame: FrameHandler): Promise<void> {
    const handle = await fs.promises.open(this.file, 'r');
    const scanner = new TailScanner(this.file, this.maxFrame);
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let offset = 0;
    try {
      // Never deliver inside open(): the caller announces the source right after opening it.
      await new Promise((r) => setImmediate(r));
      while (!this.closed) {
        const { size } = await handle.stat();
        if (size < offset) throw new Error(`${this.file} shrank from ${offset} to ${size} bytes while being followed (truncated or replaced)`);
        if (size === offset) {
          await this.sleep();
          continue;
        }
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - offset), offset);
        offset += bytesRead;
        // A copy: the read buffer is reused for the next chunk.
        scanner.push(Buffer.from(chunk.subarray(0, bytesRead)));
        for (let f = scanner.next(); f && !this.closed; f = scanner.next()) {
          await onFrame(f.frame, f.time);
          // Let the dashboard and the engine's messages in between frames.
          await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      await handle.close();
    }
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      // close() may have come while the size was being checked, when there was nothing to wake.
      if (this.closed) return resolve();
      const timer = setTimeout(resolve, this.pollMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
