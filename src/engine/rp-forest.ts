/**
 * Random-projection trees as the cold start of NN-descent (as pynndescent starts): each tree splits
 * the rows by the hyperplane halfway between two random rows of the node until a leaf holds at most
 * `leaf` rows; rows sharing a leaf are near each other, so every pair in a leaf is offered as a
 * neighbour. A few trees give NN-descent a start that converges in a few rounds, where a random
 * start needs many (docs/method.md#warm-knn).
 */
import type { Rng } from '../util/random.js';
import { offer, rowDist2, type KnnLists } from './knn-heap.js';

/**
 * Offer every pair of rows that share a leaf of each of `trees` random-projection trees.
 * @param x row-major rows
 * @param cols columns
 * @param lists the lists to fill (rows = lists.n)
 * @param trees number of trees
 * @param leaf largest leaf; pairs per leaf grow as leaf^2, so keep it near 2k
 * @param rng split choices
 * @returns distances computed
 */
export function offerForest(x: Float32Array, cols: number, lists: KnnLists, trees: number, leaf: number, rng: Rng): number {
  const n = lists.n;
  const order = new Int32Array(n);
  const side = new Float32Array(n);
  let evals = 0;
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) order[i] = i;
    // Explicit stack of [from, to) segments of `order`.
    const stack: number[] = [0, n];
    while (stack.length > 0) {
      const to = stack.pop()!;
      const from = stack.pop()!;
      const size = to - from;
      if (size <= leaf) {
        for (let a = from; a < to; a++) {
          for (let b = a + 1; b < to; b++) {
            const i = order[a];
            const j = order[b];
            const d = rowDist2(x, cols, i, j);
            offer(lists, i, j, d);
            offer(lists, j, i, d);
            evals++;
          }
        }
        continue;
      }
      const mid = splitSegment(x, cols, order, from, to, side, rng);
      stack.push(from, mid, mid, to);
    }
  }
  return evals;
}

/**
 * Reorder order[from..to) so rows on one side of a random hyperplane come first; returns the
 * boundary. A split that leaves one side empty (duplicate rows) is replaced by a split in half.
 */
function splitSegment(x: Float32Array, cols: number, order: Int32Array, from: number, to: number, side: Float32Array, rng: Rng): number {
  const size = to - from;
  const a = order[from + rng.int(size)];
  let b = order[from + rng.int(size)];
  for (let tries = 0; tries < 3 && b === a; tries++) b = order[from + rng.int(size)];
  const ao = a * cols;
  const bo = b * cols;
  // Hyperplane normal a - b through the midpoint: side(x) = (a - b).x - (|a|^2 - |b|^2) / 2.
  let off = 0;
  for (let c = 0; c < cols; c++) off += (x[ao + c] * x[ao + c] - x[bo + c] * x[bo + c]) / 2;
  for (let p = from; p < to; p++) {
    const ro = order[p] * cols;
    let s = -off;
    for (let c = 0; c < cols; c++) s += (x[ao + c] - x[bo + c]) * x[ro + c];
    side[order[p]] = s;
  }
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    if (side[order[lo]] > 0) lo++;
    else {
      const tmp = order[lo];
      order[lo] = order[hi];
      order[hi] = tmp;
      hi--;
    }
  }
  if (lo === from || lo === to) return from + (size >> 1);
  return lo;
}
