/**
 * Fixed-size neighbour lists of every row, kept sorted by distance (nearest first), with a "new"
 * flag per entry for NN-descent (docs/method.md#warm-knn). Typed arrays only: at 50,000 rows a
 * per-point object would cost more than the search itself.
 */

/** k nearest candidates per row, sorted; distances are squared Euclidean. */
export interface KnnLists {
  readonly n: number;
  readonly k: number;
  /** n*k row indices, -1 for an empty slot (at the end of a list). */
  readonly idx: Int32Array;
  /** n*k squared distances, Infinity for an empty slot. */
  readonly d2: Float32Array;
  /** n*k: 1 when the entry arrived since the row's list was last joined. */
  readonly fresh: Uint8Array;
}

/** Empty lists for n rows. */
export function emptyLists(n: number, k: number): KnnLists {
  return { n, k, idx: new Int32Array(n * k).fill(-1), d2: new Float32Array(n * k).fill(Infinity), fresh: new Uint8Array(n * k) };
}

/**
 * Offer j as a neighbour of i at squared distance d: kept when closer than i's worst entry and not
 * listed yet. Ties keep the lower index first, so results do not depend on the order of offers.
 * @returns 1 when the list changed, else 0
 */
export function offer(l: KnnLists, i: number, j: number, d: number): number {
  const k = l.k;
  const o = i * k;
  const { idx, d2 } = l;
  const worst = d2[o + k - 1];
  if (d > worst || (d === worst && j >= idx[o + k - 1])) return 0;
  for (let t = 0; t < k; t++) {
    if (idx[o + t] === j) return 0;
    if (idx[o + t] < 0) break;
  }
  let p = o + k - 1;
  while (p > o && (d2[p - 1] > d || (d2[p - 1] === d && idx[p - 1] > j))) {
    d2[p] = d2[p - 1];
    idx[p] = idx[p - 1];
    l.fresh[p] = l.fresh[p - 1];
    p--;
  }
  d2[p] = d;
  idx[p] = j;
  l.fresh[p] = 1;
  return 1;
}

/** Squared Euclidean distance of rows i and j of a row-major matrix with `cols` columns. */
export function rowDist2(x: Float32Array, cols: number, i: number, j: number): number {
  let s = 0;
  const io = i * cols;
  const jo = j * cols;
  for (let c = 0; c < cols; c++) {
    const u = x[io + c] - x[jo + c];
    s += u * u;
  }
  return s;
}
