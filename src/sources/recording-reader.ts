/**
 * Reads a recording (.scamrec, or gzipped .scamrec.gz) back, frame by frame. RecordingReader
 * streams: any size of file, gzip decompressed as it is read, memory bounded by the largest frame
 * accepted (maxFrameBytes) plus one read chunk. Damage is stepped over and reported (entries, bytes,
 * epochs that may have lost frames); a tail cut by a crash is reported, not fatal.
 * readRecording reads a small file whole (tests, tools). Format: docs/recording-format.md.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { NotARecordingError, RecordingScanner, type ScanItem } from './recording-scanner.js';
import { DamageLog, type RecordingDamage } from './recording-damage.js';

export interface RecordedFrame {
  readonly frame: Buffer;
  /** Receive time, ms since 1970. */
  readonly time: number;
}

export interface ReadOptions {
  /**
   * Largest frame read; an entry holding a larger one is skipped (reason too_large) without being
   * held in memory. Default DEFAULT_MAX_FRAME_BYTES.
   */
  readonly maxFrameBytes?: number;
}

/** Same as the default of `watch --max-frame`: every frame a default monitor accepts can be read back. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 2 ** 20;
/**
 * Bytes read from the file per step. 1 MiB: large enough that reading costs little per byte,
 * small beside the frame cap, so it adds little to the memory bound.
 */
export const READ_CHUNK_BYTES = 2 ** 20;
/** readRecording holds the whole (decompressed) file: it refuses more than this. */
export const READ_WHOLE_MAX_BYTES = 256 * 2 ** 20;

/** What reading found, besides the frames. */
export interface RecordingReport {
  /** Format version of the file (1 or 2). */
  readonly version: number;
  /** Whole, intact frames read. */
  readonly frames: number;
  /** Bytes after the last whole entry (a crash cut the file), 0 when clean. */
  readonly truncatedBytes: number;
  /** What was skipped; entries 0 when nothing was. */
  readonly damage: RecordingDamage;
}

/** One pass over a recording's scan items: counts and damage, shared by both readers. */
class ReadState {
  frames = 0;
  readonly damage = new DamageLog();

  constructor(readonly scanner: RecordingScanner) {}

  /** The frame in an item, after noting the item. */
  take(item: ScanItem): RecordedFrame | undefined {
    if (item.kind === 'skip') {
      this.damage.noteSkip(item);
      return undefined;
    }
    this.frames++;
    this.damage.noteFrame(item.frame);
    return { frame: item.frame, time: item.time };
  }

  report(): RecordingReport {
    return { version: this.scanner.version ?? 0, frames: this.frames, truncatedBytes: this.scanner.truncatedBytes, damage: this.damage.report() };
  }
}

function scannerFor(opts: ReadOptions, copyFrames: boolean): RecordingScanner {
  const maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes > 0)) throw new RangeError(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
  return new RecordingScanner({ maxFrameBytes, copyFrames });
}

function named(file: string, err: unknown): Error {
  if (err instanceof NotARecordingError) return new Error(`${file} ${err.message}`);
  return err as Error;
}

/** gzip magic 1f 8b: fixtures are stored compressed. */
function isGzip(first: Buffer): boolean {
  return first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
}

/** Where the bytes come from: the next piece of the (decompressed) file, null at its end. */
interface ByteSource {
  next(): Promise<Buffer | null>;
  /** Reads up to `length` bytes into `buf` at `offset` (plain files); the count, 0 at the end. */
  readInto?(buf: Buffer, offset: number, length: number): Promise<number>;
  /** Steps over up to `length` bytes unread (plain files); the count, 0 at the end. */
  skip?(length: number): Promise<number>;
  close(): void;
}

/** A plain file, read in chunks; an entry's missing rest is read straight into the buffer that holds the entry. */
function plainSource(handle: fs.promises.FileHandle): ByteSource {
  let position = 0;
  let closed = false;
  const readInto = async (buf: Buffer, offset: number, length: number): Promise<number> => {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(buf, offset + got, length - got, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      got += bytesRead;
    }
    return got;
  };
  return {
    readInto,
    async skip(length) {
      const { size } = await handle.stat();
      const n = Math.max(0, Math.min(length, size - position));
      position += n;
      return n;
    },
    async next() {
      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const n = await readInto(buf, 0, READ_CHUNK_BYTES);
      return n === 0 ? null : buf.subarray(0, n);
    },
    close() {
      if (closed) return;
      closed = true;
      void handle.close().catch(() => {});
    },
  };
}

/** A gzipped file, decompressed as it is read (only as far as the scanner asks: a bomb expands no further). */
function gzipSource(handle: fs.promises.FileHandle): ByteSource {
  const raw = handle.createReadStream({ start: 0, highWaterMark: READ_CHUNK_BYTES, autoClose: true });
  // Z_SYNC_FLUSH at the end: a gzip stream cut short (copied while recording) yields what it holds.
  const gunzip = zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
  raw.on('error', (err) => gunzip.destroy(err));
  gunzip.on('close', () => raw.destroy());
  const chunks = (raw.pipe(gunzip) as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async next() {
      const r = await chunks.next();
      return r.done ? null : r.value;
    },
    close: () => gunzip.destroy(),
  };
}

/** Streams a recording: open() checks it is one, frames() yields its frames, report() says what was found. */
export class RecordingReader {
  private readonly state: ReadState;
  private started = false;

  private constructor(
    readonly file: string,
    private readonly source: ByteSource,
    opts: ReadOptions,
  ) {
    this.state = new ReadState(scannerFor(opts, true));
  }

  /** Opens and checks the magic; throws (naming the file) when it cannot be read or is not a recording. */
  static async open(file: string, opts: ReadOptions = {}): Promise<RecordingReader> {
    const handle = await fs.promises.open(file, 'r');
    let source: ByteSource;
    try {
      const first = Buffer.alloc(2);
      const { bytesRead } = await handle.read(first, 0, 2, 0);
      source = isGzip(first.subarray(0, bytesRead)) ? gzipSource(handle) : plainSource(handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
    const reader = new RecordingReader(file, source, opts);
    try {
      await reader.start();
    } catch (err) {
      reader.close();
      throw err;
    }
    return reader;
  }

  /** Format version (1 or 2). */
  get version(): number {
    return this.state.scanner.version!;
  }

  /** Most bytes the reader held at once (the memory bound: maxFrameBytes plus a read chunk or so). */
  get peakBufferedBytes(): number {
    return this.state.scanner.peakBuffered;
  }

  /** Frames in file order; damaged entries are skipped and counted in report(). Iterate once. */
  async *frames(): AsyncGenerator<RecordedFrame> {
    if (this.started) throw new Error('RecordingReader.frames() can be iterated only once');
    this.started = true;
    try {
      const { scanner } = this.state;
      for (;;) {
        const item = scanner.next();
        if (item) {
          const f = this.state.take(item);
          if (f) yield f;
          continue;
        }
        if (!(await this.pull())) {
          scanner.end();
          for (let rest = scanner.next(); rest; rest = scanner.next()) {
            const f = this.state.take(rest);
            if (f) yield f;
          }
          return;
        }
      }
    } finally {
      this.close();
    }
  }

  /** What was read and skipped so far; final once frames() is done. */
  report(): RecordingReport {
    return this.state.report();
  }

  close(): void {
    this.source.close();
  }

  private async start(): Promise<void> {
    const { scanner } = this.state;
    while (!this.startScanner()) {
      if (!(await this.pull())) {
        scanner.end();
        this.startScanner();
        return;
      }
    }
  }

  private startScanner(): boolean {
    try {
      return this.state.scanner.start();
    } catch (err) {
      throw named(this.file, err);
    }
  }

  /** Next piece into the scanner; false at the end of the file. */
  private async pull(): Promise<boolean> {
    const { scanner } = this.state;
    const missing = scanner.missing;
    try {
      // An entry over the frame cap in a plain file: stepped over, not read.
      if (scanner.skippable > 0 && this.source.skip) {
        const n = await this.source.skip(scanner.skippable);
        scanner.skipped(n);
        if (n > 0) return true;
      }
      // Larger than a chunk: read the rest of the entry into one buffer with what is held (the
      // scanner checked its header and its size against the cap), so the frame is not merged again.
      if (missing > READ_CHUNK_BYTES && this.source.readInto) {
        const held = scanner.held;
        const buf = scanner.takeHeld(missing);
        const n = await this.source.readInto(buf, held, missing);
        scanner.push(buf.subarray(0, held + n));
        return n > 0;
      }
      const chunk = await this.source.next();
      if (!chunk) return false;
      scanner.push(chunk);
      return true;
    } catch (err) {
      throw this.readError(err as Error);
    }
  }

  private readError(err: Error & { code?: string }): Error {
    return err.code?.startsWith('Z_') ? new Error(`${this.file}: gzip data is corrupt (${err.message})`) : err;
  }
}

/** A whole recording read at once. */
export interface Recording {
  readonly frames: readonly RecordedFrame[];
  readonly report: RecordingReport;
  /** Same as report.truncatedBytes. */
  readonly truncatedBytes: number;
}

/** Reads a recording held in memory (frames are views into `bytes`). */
export function parseRecording(bytes: Buffer, name: string, opts: ReadOptions = {}): Recording {
  const state = new ReadState(scannerFor(opts, false));
  const frames: RecordedFrame[] = [];
  state.scanner.push(bytes);
  state.scanner.end();
  try {
    for (let item = state.scanner.next(); item; item = state.scanner.next()) {
      const f = state.take(item);
      if (f) frames.push(f);
    }
  } catch (err) {
    throw named(name, err);
  }
  const report = state.report();
  return { frames, report, truncatedBytes: report.truncatedBytes };
}

/**
 * Reads a whole small recording (at most READ_WHOLE_MAX_BYTES, decompressed). Throws with a
 * clear message, naming the file, when it is not a recording or is too large to read whole.
 */
export function readRecording(file: string, opts: ReadOptions = {}): Recording {
  const tooLarge = `${file} is larger than ${READ_WHOLE_MAX_BYTES} bytes: read it with RecordingReader, which streams`;
  if (fs.statSync(file).size > READ_WHOLE_MAX_BYTES) throw new Error(tooLarge);
  let buf = fs.readFileSync(file);
  if (isGzip(buf)) {
    try {
      buf = zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: READ_WHOLE_MAX_BYTES });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(tooLarge);
      throw new Error(`${file}: gzip data is corrupt (${(err as Error).message})`);
    }
  }
  return parseRecording(buf, file, opts);
}
