/**
 * The demo's digits file (data/mnist-digits.bin.gz), gzip of:
 *
 *   offset 0   8 bytes  magic "SCDIGITS"
 *          8   u8       format version (1)
 *          9   u8       classes (10)
 *         10   u16 LE   rows per image (28)
 *         12   u16 LE   columns per image (28)
 *         14   u32 LE   n, the number of images
 *         18   n bytes  labels
 *            n*rows*cols bytes  pixels, image after image, row-major: byte k is the grey level
 *                               round(k / 255, 3), exactly the value the `mnist` package's JSON holds
 *
 * 7.8 MB of bytes instead of 21 MB of JSON text: read and decoded in tens of milliseconds.
 */

/** A set of images with their labels. */
export interface Digits {
  readonly n: number;
  /** Pixels per image (784). */
  readonly dim: number;
  /** n*dim row-major, values in [0, 1]. */
  readonly x: Float32Array;
  readonly labels: Int32Array;
}

const MAGIC = 'SCDIGITS';
const VERSION = 1;
const HEADER = 18;
/** Refuse absurd headers before allocating (the demo's file has 10,000 images). */
const MAX_IMAGES = 1_000_000;

/** The grey level byte k stands for (what the mnist JSON holds: k/255 rounded to 3 decimals). */
export function greyLevel(k: number): number {
  return Math.round((k / 255) * 1000) / 1000;
}

/** Uncompressed file bytes for `d`; every pixel must be one of the 256 grey levels. */
export function encodeDigits(d: Digits, rows: number, cols: number, classes: number): Buffer {
  if (rows * cols !== d.dim) throw new Error(`digits-file: ${rows}x${cols} images do not have ${d.dim} pixels`);
  const out = Buffer.alloc(HEADER + d.n + d.n * d.dim);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt8(VERSION, 8);
  out.writeUInt8(classes, 9);
  out.writeUInt16LE(rows, 10);
  out.writeUInt16LE(cols, 12);
  out.writeUInt32LE(d.n, 14);
  for (let i = 0; i < d.n; i++) {
    const label = d.labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`digits-file: label ${label} of image ${i} is not in 0..${classes - 1}`);
    out[HEADER + i] = label;
  }
  const pixels = HEADER + d.n;
  for (let j = 0; j < d.x.length; j++) {
    const v = d.x[j]!;
    const k = Math.round(v * 255);
    if (Math.fround(greyLevel(k)) !== v) throw new Error(`digits-file: pixel ${j} = ${v} is not one of the 256 grey levels k/255 (3 decimals)`);
    out[pixels + j] = k;
  }
  return out;
}

/** Decode uncompressed file bytes; a damaged or foreign file fails with what is wrong. */
export function decodeDigits(buf: Uint8Array, name = 'digits file'): Digits & { readonly classes: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER || b.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${name}: not a SentryCam digits file (no "${MAGIC}" header)`);
  if (b[8] !== VERSION) throw new Error(`${name}: format version ${b[8]}, this build reads ${VERSION}`);
  const classes = b[9]!;
  const dim = b.readUInt16LE(10) * b.readUInt16LE(12);
  const n = b.readUInt32LE(14);
  if (n > MAX_IMAGES || dim === 0) throw new Error(`${name}: implausible header (${n} images of ${dim} pixels)`);
  if (b.length !== HEADER + n + n * dim) throw new Error(`${name}: ${b.length} bytes, the header announces ${HEADER + n + n * dim}`);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = b[HEADER + i]!;
    if (labels[i]! >= classes) throw new Error(`${name}: label ${labels[i]} of image ${i} is not below ${classes}`);
  }
  const levels = Float32Array.from({ length: 256 }, (_, k) => greyLevel(k));
  const x = new Float32Array(n * dim);
  const bytes = new Uint8Array(b.buffer, b.byteOffset + HEADER + n, n * dim);
  for (let j = 0; j < x.length; j++) x[j] = levels[bytes[j]!]!;
  return { n, dim, x, labels, classes };
}
