/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib, gzip and PNG), as used by the recording format
 * (docs/recording-format.md). Node's native zlib.crc32 (Node >= 20.15) is used when present; older
 * Node 20 releases get the table version below, which gives the same values.
 */
import zlib from 'node:zlib';

/** Reflected form of the IEEE polynomial 0x04C11DB7. */
const POLY = 0xedb88320;

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Byte-at-a-time CRC-32; `value` continues an earlier CRC (0 to start). */
export function crc32Table(data: Uint8Array, value = 0): number {
  const t = crcTable();
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `value` (0 to start); an unsigned 32-bit integer. */
export const crc32: (data: Uint8Array, value?: number) => number = typeof native === 'function' ? (d, v = 0) => native(d, v) : crc32Table;
