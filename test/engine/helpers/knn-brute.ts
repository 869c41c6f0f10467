/** A brute-force kNN: the reference that the engine's blocked search is checked against. */
import type { KnnResult, Matrix } from '../../../src/engine/knn.js';

/**
 * Exact kNN by sorting every distance (ties by index, as the engine breaks them).
 * @param queries rows to find neighbours for
 * @param reference rows to search
 * @param k neighbours per query; missing ones are -1 at distance Infinity
 * @param exclude per query, a reference row to skip (its own row in a self-search)
 */
export function knnBrute(queries: Matrix, reference: Matrix, k: number, exclude?: Int32Array): KnnResult {
  const indices = new Int32Array(queries.rows * k).fill(-1);
  const distances = new Float32Array(queries.rows * k).fill(Infinity);
  for (let i = 0; i < queries.rows; i++) {
    const cand: { d: number; j: number }[] = [];
    for (let j = 0; j < reference.rows; j++) {
      if (exclude && exclude[i] === j) continue;
      let s = 0;
      for (let c = 0; c < queries.cols; c++) {
        const t = queries.data[i * queries.cols + c] - reference.data[j * reference.cols + c];
        s += t * t;
      }
      cand.push({ d: Math.sqrt(s), j });
    }
    cand.sort((a, b) => a.d - b.d || a.j - b.j);
    for (let t = 0; t < Math.min(k, cand.length); t++) {
      indices[i * k + t] = cand[t].j;
      distances[i * k + t] = cand[t].d;
    }
  }
  return { k, indices, distances };
}
