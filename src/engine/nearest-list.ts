/**
 * The inner step of every brute-force neighbour search here (exact kNN, warm kNN, the metrics'
 * raw-space and 2-D neighbours): a list of the k nearest candidates seen so far, kept as two
 * parallel arrays (distance, index) sorted nearest first and filled from the front.
 */

/**
 * Offer candidate j at distance d. The caller skips a candidate no nearer than the last entry of a
 * full list (one comparison, before the call). Ties keep the lower index first, so a list does not
 * depend on the order candidates arrive in.
 * @param dist distances of the list (at least k)
 * @param idx indices of the list (at least k)
 * @param filled entries held so far (0..k)
 * @returns the new number of entries held
 */
export function insertNearest(dist: Float64Array, idx: Int32Array, filled: number, k: number, d: number, j: number): number {
  let p = filled < k ? filled : k - 1;
  while (p > 0 && (dist[p - 1] > d || (dist[p - 1] === d && idx[p - 1] > j))) {
    dist[p] = dist[p - 1];
    idx[p] = idx[p - 1];
    p--;
  }
  dist[p] = d;
  idx[p] = j;
  return filled < k ? filled + 1 : k;
}
