/**
 * Recording file format (.scamrec), one file per run; docs/recording-format.md describes it in full.
 *
 * Version 2 (written): 8 bytes magic "SCAMREC2", then per accepted frame a 24-byte entry header
 * and the frame bytes verbatim:
 *   0  4  entry marker D3 C5 52 0A
 *   4  4  u32 LE frame length
 *   8  8  f64 LE receive time, ms since 1970
 *  16  4  u32 LE CRC-32 of the frame bytes
 *  20  4  u32 LE CRC-32 of header bytes 0-19
 * Every byte of an entry is under a CRC. The header has its own so that a reader can tell a bad
 * length before trusting it, and can find the next entry after damage by looking for the marker.
 *
 * Version 1 (read only): magic "SCAMREC1", then per frame u64 LE length, f64 LE time, frame bytes.
 *
 * Version rule: the digit after "SCAMREC" is the layout's version; any change to the layout takes
 * the next digit. Readers read every version up to their own and refuse newer ones by name.
 */
import { crc32 } from '../util/crc32.js';

export const MAGIC_BYTES = 8;
/** The magic without its version digit. */
export const MAGIC_PREFIX = Buffer.from('SCAMREC', 'ascii');
/** The newest layout: the one the recorder writes. */
export const FORMAT_VERSION = 2;
export const RECORD_MAGIC_V1 = Buffer.from('SCAMREC1', 'ascii');
export const RECORD_MAGIC_V2 = Buffer.from('SCAMREC2', 'ascii');
/** What the recorder writes first. */
export const RECORD_MAGIC = RECORD_MAGIC_V2;
export const RECORD_EXTENSION = '.scamrec';

/**
 * Starts every v2 entry: where damage has made lengths untrustworthy, the reader looks for these
 * bytes. Not ASCII and not a small float, so they are rare in frame headers and activations; a
 * chance match is told apart by the header CRC.
 */
export const ENTRY_MARKER = Buffer.from([0xd3, 0xc5, 0x52, 0x0a]);
/** v2 entry header: marker, length, time, frame CRC, header CRC. */
export const ENTRY_HEADER_BYTES = 24;
/** v1 entry header: u64 length, f64 time. */
export const V1_ENTRY_HEADER_BYTES = 16;
/** Largest frame a v2 entry can hold (u32 length; nanomsg delivers less than 2 GiB anyway). */
export const MAX_ENTRY_FRAME_BYTES = 0xffffffff;

/** A v2 entry header that checked out. */
export interface EntryHeader {
  readonly length: number;
  /** Receive time, ms since 1970. */
  readonly time: number;
  /** CRC-32 the frame bytes must have. */
  readonly frameCrc: number;
}

/** The v2 entry header for one frame (write it, then the frame). */
export function entryHeader(frame: Uint8Array, time: number): Buffer {
  if (frame.length > MAX_ENTRY_FRAME_BYTES) throw new RangeError(`a frame of ${frame.length} bytes does not fit a recording entry (at most ${MAX_ENTRY_FRAME_BYTES})`);
  const h = Buffer.allocUnsafe(ENTRY_HEADER_BYTES);
  ENTRY_MARKER.copy(h, 0);
  h.writeUInt32LE(frame.length, 4);
  h.writeDoubleLE(time, 8);
  h.writeUInt32LE(crc32(frame), 16);
  h.writeUInt32LE(crc32(h.subarray(0, 20)), 20);
  return h;
}

/** Reads the v2 entry header at `buf[at..at+24)`; undefined when its marker or its CRC is wrong. */
export function parseEntryHeader(buf: Buffer, at: number): EntryHeader | undefined {
  if (buf.readUInt32LE(at) !== ENTRY_MARKER.readUInt32LE(0)) return undefined;
  if (crc32(buf.subarray(at, at + 20)) !== buf.readUInt32LE(at + 20)) return undefined;
  return { length: buf.readUInt32LE(at + 4), time: buf.readDoubleLE(at + 8), frameCrc: buf.readUInt32LE(at + 16) };
}

/**
 * The format version named by a file's first 8 bytes: a number for "SCAMREC" and a digit,
 * undefined when they are not a recording's magic at all.
 */
export function magicVersion(first8: Buffer): number | undefined {
  if (first8.length < MAGIC_BYTES || !first8.subarray(0, MAGIC_PREFIX.length).equals(MAGIC_PREFIX)) return undefined;
  const digit = first8[MAGIC_PREFIX.length]! - 0x30;
  return digit >= 1 && digit <= 9 ? digit : undefined;
}
