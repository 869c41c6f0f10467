/** Frame encoder (clients/PROTOCOL.md, v1): used by the Node producer, the demo and tests. */
import type { DType } from './types.js';
import { ITEM_SIZE } from './dtypes.js';

/** A tensor to send: its bytes are taken as they are (little-endian, C order). */
export interface OutTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: ArrayBufferView;
}

export const MAGIC = Buffer.from('SCAM', 'ascii');
export const VERSION = 1;
/** magic(4) + version(1) + reserved(3) + header length(4). */
export const PREAMBLE_BYTES = 12;

/** Tensors are placed 8-byte aligned so that receivers can view them without copying. */
const ALIGN = 8;

export function encodeFrame(header: Readonly<Record<string, unknown>>, tensors: Readonly<Record<string, OutTensor>> = {}): Buffer {
  const specs: { name: string; dtype: DType; shape: number[]; offset: number; nbytes: number }[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const nbytes = count * ITEM_SIZE[t.dtype];
    if (nbytes !== t.data.byteLength) {
      throw new Error(`tensor '${name}': shape [${t.shape.join(', ')}] of ${t.dtype} needs ${nbytes} bytes, data has ${t.data.byteLength}`);
    }
    specs.push({ name, dtype: t.dtype, shape: [...t.shape], offset, nbytes });
    offset += Math.ceil(nbytes / ALIGN) * ALIGN;
  }
  const json = Buffer.from(JSON.stringify({ ...header, tensors: specs }), 'utf8');
  // Pad the header with spaces (valid JSON whitespace) so the body starts 8-byte aligned.
  const headerLen = Math.ceil((PREAMBLE_BYTES + json.length) / ALIGN) * ALIGN - PREAMBLE_BYTES;
  const out = Buffer.alloc(PREAMBLE_BYTES + headerLen + offset);
  MAGIC.copy(out, 0);
  out[4] = VERSION;
  out.writeUInt32LE(headerLen, 8);
  json.copy(out, PREAMBLE_BYTES);
  out.fill(0x20, PREAMBLE_BYTES + json.length, PREAMBLE_BYTES + headerLen);
  const bodyStart = PREAMBLE_BYTES + headerLen;
  Object.values(tensors).forEach((t, i) => {
    const src = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    src.copy(out, bodyStart + specs[i]!.offset);
  });
  return out;
}
