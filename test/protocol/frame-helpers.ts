/**
 * Test helpers that build protocol v1 frames byte by byte (PROTOCOL.md), independent of encodeFrame,
 * so that tests can place tensors anywhere (misaligned, padded, overlapping the end) and break any field.
 */
import { floatToHalf } from '../../src/protocol/dtypes.js';
import type { DType } from '../../src/protocol/types.js';

/** A tensor placed by hand: `offset` counts from the start of the body. */
export interface RawTensor {
  readonly name: string;
  /** Written to the header as is (tests put invalid values here). */
  readonly dtype: unknown;
  readonly shape: unknown;
  readonly bytes: Uint8Array;
  /** Default: right after the previous tensor, unaligned. */
  readonly offset?: number;
  /** Overrides the nbytes written in the header (default: bytes.length). */
  readonly nbytes?: number;
}

/** Knobs for breaking the preamble. */
export interface PreambleOverrides {
  readonly magic?: string;
  readonly version?: number;
  readonly reserved?: readonly number[];
  /** Overrides the header length field. */
  readonly headerLength?: number;
}

/** Preamble + header bytes as given + body. */
export function rawFrame(header: string | Uint8Array, body: Uint8Array = new Uint8Array(0), o: PreambleOverrides = {}): Buffer {
  const h = typeof header === 'string' ? Buffer.from(header, 'utf8') : Buffer.from(header);
  const out = Buffer.alloc(12 + h.length + body.length);
  out.write(o.magic ?? 'SCAM', 0, 4, 'latin1');
  out[4] = o.version ?? 1;
  const reserved = o.reserved ?? [0, 0, 0];
  out[5] = reserved[0]!;
  out[6] = reserved[1]!;
  out[7] = reserved[2]!;
  out.writeUInt32LE(o.headerLength ?? h.length, 8);
  h.copy(out, 12);
  Buffer.from(body.buffer, body.byteOffset, body.byteLength).copy(out, 12 + h.length);
  return out;
}

/**
 * A frame whose header is `fields` plus the tensor specs, and whose body holds the tensors where
 * their offsets say (gaps are filled with 0xAB so that padding is visible garbage).
 * @param bodyLength total body size; default: just past the last tensor
 */
export function frameWith(fields: Readonly<Record<string, unknown>>, tensors: readonly RawTensor[] = [], bodyLength?: number, o: PreambleOverrides = {}): Buffer {
  let cursor = 0;
  const placed = tensors.map((t) => {
    const offset = t.offset ?? cursor;
    cursor = offset + t.bytes.length;
    return { ...t, offset };
  });
  const end = placed.reduce((m, t) => Math.max(m, t.offset + t.bytes.length), 0);
  const body = Buffer.alloc(bodyLength ?? end, 0xab);
  for (const t of placed) {
    // Specs that point outside the body (tests of bad offsets) keep only the bytes that fit.
    if (t.offset < 0 || t.offset >= body.length) continue;
    const src = Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
    src.copy(body, t.offset, 0, Math.min(src.length, body.length - t.offset));
  }
  const specs = placed.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, offset: t.offset, nbytes: t.nbytes ?? t.bytes.length }));
  const header = tensors.length ? { ...fields, tensors: specs } : fields;
  return rawFrame(JSON.stringify(header), body, o);
}

/** Little-endian bytes of typed values. */
export function bytesOf(dtype: DType, values: readonly (number | bigint)[]): Uint8Array {
  switch (dtype) {
    case 'float16':
      return u8(Uint16Array.from(values.map((v) => floatToHalf(Number(v)))));
    case 'float32':
      return u8(Float32Array.from(values.map(Number)));
    case 'float64':
      return u8(Float64Array.from(values.map(Number)));
    case 'int32':
      return u8(Int32Array.from(values.map(Number)));
    case 'uint32':
      return u8(Uint32Array.from(values.map(Number)));
    case 'uint8':
      return Uint8Array.from(values.map(Number));
    case 'int64':
      return u8(BigInt64Array.from(values.map((v) => BigInt(v))));
  }
}

function u8(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Header fields of a batch frame. */
export function batchFields(over: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { type: 'batch', run: 'r', producer: 'p', seq: 3, epoch: 0, ...over };
}

/** A valid n x dim float32 batch (x[i][j] = i + j/10, ids = idBase + i) as raw tensors. */
export function batchTensors(n: number, dim: number, idBase = 0): RawTensor[] {
  const x = Array.from({ length: n * dim }, (_, k) => Math.floor(k / dim) + (k % dim) / 10);
  return [
    { name: 'x', dtype: 'float32', shape: [n, dim], bytes: bytesOf('float32', x) },
    { name: 'id', dtype: 'int32', shape: [n], bytes: bytesOf('int32', Array.from({ length: n }, (_, i) => idBase + i)) },
  ];
}

/** Replace the tensor called `name` in a list (or add it). */
export function withTensor(tensors: readonly RawTensor[], t: RawTensor): RawTensor[] {
  return [...tensors.filter((u) => u.name !== t.name), t];
}

export function withoutTensor(tensors: readonly RawTensor[], name: string): RawTensor[] {
  return tensors.filter((u) => u.name !== name);
}
