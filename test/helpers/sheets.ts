/** Seeded rows on curved 2-D sheets (one per cluster) in d dimensions plus a little noise: local structure, as real features have. */
import { createRng } from '../../src/util/random.js';

/**
 * @param n rows (row i on sheet i % clusters)
 * @param d columns
 * @param seed the sheets' shapes and the points both follow it
 * @param clusters sheets [6]
 */
export function sheets(n: number, d: number, seed: number, clusters = 6): Float32Array {
  const r = createRng(seed);
  const dirs = Float32Array.from({ length: clusters * 4 * d }, () => r.normal());
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    const u = r.next() * 2 - 1;
    const v = r.next() * 2 - 1;
    const f = [u, v, Math.sin(2 * u + v), Math.cos(3 * v)];
    for (let j = 0; j < d; j++) {
      let s = c * 4;
      for (let q = 0; q < 4; q++) s += f[q] * dirs[(c * 4 + q) * d + j];
      x[i * d + j] = s + 0.02 * r.normal();
    }
  }
  return x;
}
