/**
 * Splits a recording's bytes (pushed in chunks of any size) into entries, checks each one, and
 * steps over damage: a v2 entry whose frame fails its CRC is skipped whole (its header, under its
 * own CRC, gives the length); a header that fails is skipped by looking for the next entry marker
 * whose header checks out. Memory held is bounded by the largest frame accepted (maxFrameBytes)
 * plus the chunks pushed and not yet consumed. Format: docs/recording-format.md.
 */
import { ByteQueue } from './byte-queue.js';
import {
  ENTRY_HEADER_BYTES,
  ENTRY_MARKER,
  FORMAT_VERSION,
  MAGIC_BYTES,
  MAX_ENTRY_FRAME_BYTES,
  V1_ENTRY_HEADER_BYTES,
  magicVersion,
  parseEntryHeader,
} from '../protocol/recording-format.js';
import { MAGIC as WIRE_MAGIC } from '../protocol/encode.js';
import { crc32 } from '../util/crc32.js';

/** Why bytes were skipped: a header that fails its check, a frame that fails its CRC, or a frame over the reader's cap. */
export type SkipReason = 'bad_header' | 'bad_crc' | 'too_large';

export interface ScannedFrame {
  readonly kind: 'frame';
  readonly frame: Buffer;
  /** Receive time, ms since 1970. */
  readonly time: number;
  /** Where its entry starts in the (decompressed) recording. */
  readonly offset: number;
}

export interface ScannedSkip {
  readonly kind: 'skip';
  readonly offset: number;
  readonly bytes: number;
  /** Entries lost: 1, or for damaged headers the entry markers seen in the skipped bytes (at least 1). */
  readonly entries: number;
  readonly reason: SkipReason;
}

export type ScanItem = ScannedFrame | ScannedSkip;

/** The bytes are not a recording this reader can read; the message follows the file's name. */
export class NotARecordingError extends Error {}

const NOT_A_RECORDING = 'is not a SentryCam recording (it does not start with "SCAMREC" and a format version)';

export interface ScannerOptions {
  /** Largest frame held in memory; larger ones are skipped (reason too_large) without being held. */
  readonly maxFrameBytes: number;
  /** Copy frames out of the pushed chunks (streaming) rather than hand out views into them. */
  readonly copyFrames: boolean;
}

/** A resynchronisation or a skip in progress: where it started and what it has seen. */
interface Gap {
  readonly offset: number;
  bytes: number;
  entries: number;
  readonly reason: SkipReason;
  /** Bytes still to drop before the next entry (a too_large skip); undefined while searching. */
  left?: number;
}

export class RecordingScanner {
  private readonly q = new ByteQueue();
  /** Offset in the recording of the queue's first byte. */
  private offset = 0;
  private ended = false;
  private gap?: Gap;
  /** Format version from the magic; undefined until 8 bytes have arrived. */
  version?: number;
  /** Most bytes held at once (for the memory bound: see the gzip bomb test). */
  peakBuffered = 0;
  /** Bytes after the last whole entry when the input ended (a cut tail), once next() returned undefined after end(). */
  truncatedBytes = 0;
  /**
   * Bytes still missing of the entry being waited for (0 when not waiting for one): a reader can
   * read that much at once, so that a large frame arrives in one piece.
   */
  missing = 0;

  constructor(private readonly opts: ScannerOptions) {}

  push(chunk: Buffer): void {
    this.q.push(chunk);
    this.peakBuffered = Math.max(this.peakBuffered, this.q.length);
  }

  /** Bytes held and not yet consumed. */
  get held(): number {
    return this.q.length;
  }

  /**
   * Gives back a buffer of `held + missing` bytes holding what is held, for the caller to read the
   * missing rest of the entry into before push()ing it (whole, so the frame needs no merging).
   */
  takeHeld(room: number): Buffer {
    const buf = Buffer.allocUnsafe(this.q.length + room);
    this.q.moveInto(buf);
    return buf;
  }

  /** Bytes of a too_large entry still to drop beyond those held: a reader may skip them unread (skipped()). */
  get skippable(): number {
    const left = this.gap?.left;
    return left === undefined ? 0 : Math.max(0, left - this.q.length);
  }

  /** The reader stepped over `n` bytes without pushing them (at most skippable). */
  skipped(n: number): void {
    const gap = this.gap;
    if (!gap || gap.left === undefined || n > gap.left - this.q.length) throw new RangeError(`skipped(${n}) beyond the entry being dropped`);
    gap.left -= n;
    gap.bytes += n;
    this.offset += n;
  }

  /** No more input: what is left is a cut tail. */
  end(): void {
    this.ended = true;
  }

  /** The next frame or skip; undefined when more input is needed (or, after end(), when done). */
  next(): ScanItem | undefined {
    this.missing = 0;
    if (!this.start()) return undefined;
    for (;;) {
      if (this.gap) {
        const done = this.gap.left === undefined ? this.searchOn(this.gap) : this.dropOn(this.gap);
        if (!done) return undefined;
        this.gap = undefined;
        return { kind: 'skip', offset: done.offset, bytes: done.bytes, entries: done.entries, reason: done.reason };
      }
      const item = this.version === 1 ? this.entryV1() : this.entryV2();
      if (item !== 'gap') return item;
    }
  }

  /**
   * Reads the magic if not done yet: true once the version is known, false while more input is
   * needed. Throws NotARecordingError when the bytes are not a recording this reader reads.
   */
  start(): boolean {
    if (this.version !== undefined) return true;
    if (this.q.length < MAGIC_BYTES) {
      if (this.ended) throw new NotARecordingError(NOT_A_RECORDING);
      return false;
    }
    const v = magicVersion(this.q.peek(MAGIC_BYTES));
    if (v === undefined) throw new NotARecordingError(NOT_A_RECORDING);
    if (v > FORMAT_VERSION) throw new NotARecordingError(`is in recording format version ${v}, newer than this SentryCam reads (versions 1-${FORMAT_VERSION})`);
    this.version = v;
    this.consume(MAGIC_BYTES);
    return true;
  }

  private consume(n: number): void {
    this.q.skip(n);
    this.offset += n;
  }

  /** At the end of input, whatever is left is a cut tail. */
  private tail(): undefined {
    if (this.ended) this.truncatedBytes = this.q.length;
    return undefined;
  }

  /** An entry of `size` bytes whose header checked out is not all here yet. */
  private wait(size: number): undefined {
    this.missing = size - this.q.length;
    return this.tail();
  }

  private startGap(reason: SkipReason, left?: number): 'gap' {
    this.gap = { offset: this.offset, bytes: 0, entries: 1, reason, left };
    if (left === undefined) {
      // The position itself is no entry start: search from the next byte.
      this.consume(1);
      this.gap.bytes = 1;
    }
    return 'gap';
  }

  private takeFrame(length: number): Buffer {
    return this.q.take(length, this.opts.copyFrames);
  }

  private entryV2(): ScanItem | 'gap' | undefined {
    if (this.q.length < ENTRY_HEADER_BYTES) return this.tail();
    const h = parseEntryHeader(this.q.peek(ENTRY_HEADER_BYTES), 0);
    if (!h) return this.startGap('bad_header');
    const size = ENTRY_HEADER_BYTES + h.length;
    if (h.length > this.opts.maxFrameBytes) return this.startGap('too_large', size);
    if (this.q.length < size) return this.wait(size);
    const offset = this.offset;
    this.q.skip(ENTRY_HEADER_BYTES);
    const frame = this.takeFrame(h.length);
    this.offset += size;
    if (crc32(frame) !== h.frameCrc) return { kind: 'skip', offset, bytes: size, entries: 1, reason: 'bad_crc' };
    return { kind: 'frame', frame, time: h.time, offset };
  }

  /**
   * v1 has no CRC: an entry is believed when its length is possible, its time finite and its
   * frame starts with the wire magic "SCAM"; damage inside a frame cannot be seen.
   */
  private entryV1(): ScanItem | 'gap' | undefined {
    if (this.q.length < V1_ENTRY_HEADER_BYTES) return this.tail();
    const peekable = Math.min(this.q.length, V1_ENTRY_HEADER_BYTES + WIRE_MAGIC.length);
    const h = this.q.peek(peekable);
    const length = Number(h.readBigUInt64LE(0));
    const time = h.readDoubleLE(8);
    const magicOk = peekable < V1_ENTRY_HEADER_BYTES + WIRE_MAGIC.length || h.subarray(V1_ENTRY_HEADER_BYTES).equals(WIRE_MAGIC);
    if (!(length >= WIRE_MAGIC.length && length <= MAX_ENTRY_FRAME_BYTES && Number.isFinite(time) && magicOk)) return this.startGap('bad_header');
    const size = V1_ENTRY_HEADER_BYTES + length;
    if (length > this.opts.maxFrameBytes) return this.startGap('too_large', size);
    if (this.q.length < size) return this.wait(size);
    const offset = this.offset;
    this.q.skip(V1_ENTRY_HEADER_BYTES);
    const frame = this.takeFrame(length);
    this.offset += size;
    return { kind: 'frame', frame, time, offset };
  }

  /** Drops the rest of a too_large entry as it arrives; the gap when done. */
  private dropOn(gap: Gap): Gap | undefined {
    const n = Math.min(gap.left!, this.q.length);
    this.consume(n);
    gap.bytes += n;
    gap.left! -= n;
    return gap.left === 0 || this.ended ? gap : undefined;
  }

  /**
   * Looks for the next entry whose header checks out, dropping what comes before it. Bytes that
   * might still begin an entry header are kept until more input arrives. The gap when found (or
   * at the end of input), undefined when more input is needed.
   */
  private searchOn(gap: Gap): Gap | undefined {
    const v1 = this.version === 1;
    const needle = v1 ? WIRE_MAGIC : ENTRY_MARKER;
    // Where the needle sits in a candidate entry, and the header bytes needed to judge it.
    const needleAt = v1 ? V1_ENTRY_HEADER_BYTES : 0;
    const judge = v1 ? V1_ENTRY_HEADER_BYTES + WIRE_MAGIC.length : ENTRY_HEADER_BYTES;
    for (;;) {
      const held = this.q.length;
      const flat = this.q.peek(held);
      const hit = flat.indexOf(needle, needleAt);
      if (hit < 0) {
        // Keep the bytes that could begin a candidate whose needle straddles the next chunk.
        const drop = this.ended ? held : Math.max(0, held - (needleAt + needle.length - 1));
        this.consume(drop);
        gap.bytes += drop;
        return this.ended ? gap : undefined;
      }
      const start = hit - needleAt;
      this.consume(start);
      gap.bytes += start;
      if (this.q.length < judge) {
        if (!this.ended) return undefined;
        gap.bytes += this.q.length;
        this.consume(this.q.length);
        return gap;
      }
      if (this.candidateOk(v1)) return gap;
      gap.entries++;
      this.consume(1);
      gap.bytes++;
    }
  }

  private candidateOk(v1: boolean): boolean {
    if (!v1) return parseEntryHeader(this.q.peek(ENTRY_HEADER_BYTES), 0) !== undefined;
    const h = this.q.peek(V1_ENTRY_HEADER_BYTES);
    const length = Number(h.readBigUInt64LE(0));
    return length >= WIRE_MAGIC.length && length <= MAX_ENTRY_FRAME_BYTES && Number.isFinite(h.readDoubleLE(8));
  }
}
