/** Reads a recording back, frame by frame; a tail cut by a crash is reported, not fatal. */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { ENTRY_HEADER_BYTES, RECORD_MAGIC } from '../protocol/recording-format.js';

export interface RecordedFrame {
  readonly frame: Buffer;
  /** Receive time, ms since 1970. */
  readonly time: number;
}

export interface Recording {
  readonly frames: readonly RecordedFrame[];
  /** Bytes after the last whole frame (a crash cut the file), 0 when clean. */
  readonly truncatedBytes: number;
}

/** Reads a whole .scamrec (or gzipped .scamrec.gz) file. Throws with a clear message when it is not a recording. */
export function readRecording(file: string): Recording {
  let buf = fs.readFileSync(file);
  // gzip magic 1f 8b: fixtures are stored compressed.
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw new Error(`${file}: gzip data is corrupt (${(err as Error).message})`);
    }
  }
  if (buf.length < RECORD_MAGIC.length || !buf.subarray(0, RECORD_MAGIC.length).equals(RECORD_MAGIC)) {
    throw new Error(`${file} is not a SentryCam recording (it does not start with "SCAMREC1")`);
  }
  const frames: RecordedFrame[] = [];
  let pos = RECORD_MAGIC.length;
  while (pos + ENTRY_HEADER_BYTES <= buf.length) {
    const length = Number(buf.readBigUInt64LE(pos));
    const time = buf.readDoubleLE(pos + 8);
    const start = pos + ENTRY_HEADER_BYTES;
    if (start + length > buf.length) break;
    frames.push({ frame: buf.subarray(start, start + length), time });
    pos = start + length;
  }
  return { frames, truncatedBytes: buf.length - pos };
}
