/**
 * The demo's digits file holds exactly what the `mnist` package's JSON holds (which the demo read
 * before the file existed), and a damaged file fails with what is wrong.
 */
import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { decodeDigits, encodeDigits } from '../../src/demo/digits-file.js';
import { DIGITS_FILE, gatherInts, gatherRows, loadDigits } from '../../src/demo/mnist-data.js';
import { readMnistJson } from '../../src/tools/mnist-digits.js';
import { createRng, shuffle } from '../../src/util/random.js';

const bytesOf = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('data/mnist-digits.bin.gz decodes to the mnist package images and labels, bit for bit', (t) => {
  const fromFile = loadDigits();
  const fromJson = readMnistJson();
  t.is(fromFile.n, 10_000);
  t.is(fromFile.dim, 784);
  t.is(fromFile.n, fromJson.n);
  t.true(bytesOf(fromFile.labels).equals(bytesOf(fromJson.labels)), 'labels differ');
  t.true(bytesOf(fromFile.x).equals(bytesOf(fromJson.x)), 'pixels differ');
  // A seeded pick of rows, as the demo's split takes them, agrees too (and is not all zeros).
  const rows = shuffle(Int32Array.from({ length: fromFile.n }, (_, i) => i), createRng(7)).subarray(0, 300);
  t.deepEqual(gatherRows(fromFile.x, 784, rows), gatherRows(fromJson.x, 784, rows));
  t.deepEqual(gatherInts(fromFile.labels, rows), gatherInts(fromJson.labels, rows));
  t.true(gatherRows(fromFile.x, 784, rows).some((v) => v > 0.5));
});

test('a damaged or foreign digits file is refused with the reason', (t) => {
  const good = gunzipSync(readFileSync(DIGITS_FILE));
  t.throws(() => decodeDigits(Buffer.from('not digits at all, clearly'), 'f'), { message: /f: not a SentryCam digits file/ });
  t.throws(() => decodeDigits(good.subarray(0, good.length - 1), 'f'), { message: /f: \d+ bytes, the header announces \d+/ });
  const v2 = Buffer.from(good);
  v2[8] = 2;
  t.throws(() => decodeDigits(v2, 'f'), { message: /format version 2, this build reads 1/ });
  const badLabel = Buffer.from(good);
  badLabel[18] = 10;
  t.throws(() => decodeDigits(badLabel, 'f'), { message: /label 10 of image 0 is not below 10/ });
});

test('encoding round-trips and refuses a pixel that is not one of the 256 grey levels', (t) => {
  const d = { n: 2, dim: 4, x: Float32Array.from([0, 1, 0.149, 0.502, 0.004, 0.996, 0, 0]), labels: Int32Array.from([3, 1]) };
  const back = decodeDigits(encodeDigits(d, 2, 2, 10));
  t.deepEqual(back.x, d.x);
  t.deepEqual(back.labels, d.labels);
  t.throws(() => encodeDigits({ ...d, x: Float32Array.from([0, 1, 0.1234, 0, 0, 0, 0, 0]) }, 2, 2, 10), { message: /pixel 2 = .* is not one of the 256 grey levels/ });
  t.throws(() => encodeDigits({ ...d, labels: Int32Array.from([3, 12]) }, 2, 2, 10), { message: /label 12 of image 1 is not in 0..9/ });
});
