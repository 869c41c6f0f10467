/**
 * Recording file format (.scamrec), one file per run:
 *   8 bytes magic "SCAMREC1"
 *   then per accepted frame: u64 LE frame length, f64 LE receive time (ms since 1970), frame bytes verbatim.
 * A crash can cut the last entry short; readers stop at the last whole frame.
 */
export const RECORD_MAGIC = Buffer.from('SCAMREC1', 'ascii');
/** u64 length + f64 time. */
export const ENTRY_HEADER_BYTES = 16;
export const RECORD_EXTENSION = '.scamrec';

export function entryHeader(length: number, time: number): Buffer {
  const h = Buffer.alloc(ENTRY_HEADER_BYTES);
  h.writeBigUInt64LE(BigInt(length), 0);
  h.writeDoubleLE(time, 8);
  return h;
}
