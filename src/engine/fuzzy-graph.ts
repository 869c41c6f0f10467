/**
 * UMAP's fuzzy simplicial set on a kNN graph (docs/method.md#graph): per point rho_i (distance to
 * the nearest neighbour) and sigma_i (sum_j exp(-(d_ij - rho_i)/sigma_i) = log2(k)), directed
 * weights w_{j|i} = exp(-max(0, d_ij - rho_i)/sigma_i), fuzzy union w = a + b - a b, and pruning of
 * the edges too weak to be sampled.
 */
import type { KnnResult } from './knn.js';

/** Undirected weighted edges, each listed once with from < to. */
export interface EdgeList {
  /** Number of vertices. */
  readonly n: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float32Array;
}

/** Per-point smoothing parameters. */
export interface Smoothing {
  readonly rho: Float32Array;
  readonly sigma: Float32Array;
}

/** Binary-search iterations and tolerance (UMAP's values). */
const SIGMA_ITERS = 64;
const SIGMA_TOL = 1e-5;
/** Floor of sigma relative to the mean neighbour distance (UMAP's MIN_K_DIST_SCALE). */
const MIN_K_DIST_SCALE = 1e-3;

/**
 * Solve rho_i and sigma_i for every row of a kNN result (neighbours exclude the point itself).
 * @param knn k neighbours per point, nearest first (-1 entries are ignored)
 * @param target the sum to match; UMAP uses log2(k)
 */
export function smoothKnn(knn: KnnResult, target = Math.log2(knn.k)): Smoothing {
  const k = knn.k;
  const n = knn.indices.length / k;
  const rho = new Float32Array(n);
  const sigma = new Float32Array(n);
  let globalMean = 0;
  let globalCount = 0;
  for (let i = 0; i < knn.distances.length; i++) {
    if (knn.indices[i] >= 0) {
      globalMean += knn.distances[i];
      globalCount++;
    }
  }
  globalMean = globalCount > 0 ? globalMean / globalCount : 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let r = 0;
    let mean = 0;
    let cnt = 0;
    for (let j = 0; j < k; j++) {
      if (knn.indices[o + j] < 0) continue;
      const d = knn.distances[o + j];
      if (r === 0 && d > 0) r = d;
      mean += d;
      cnt++;
    }
    mean = cnt > 0 ? mean / cnt : 0;
    // Safeguarded Newton on psum(sigma) = target (psum increases with sigma): Newton steps while
    // they stay inside the bracket, bisection otherwise. Converges in a handful of iterations
    // where UMAP's pure bisection takes ~20 (the exp calls were most of the graph's cost).
    let lo = 0;
    let hi = Infinity;
    let mid = mean > r ? mean - r : 1;
    for (let it = 0; it < SIGMA_ITERS; it++) {
      let psum = 0;
      let dpsum = 0;
      for (let j = 0; j < k; j++) {
        if (knn.indices[o + j] < 0) continue;
        const d = knn.distances[o + j] - r;
        if (d > 0) {
          const e = Math.exp(-d / mid);
          psum += e;
          dpsum += (e * d) / (mid * mid);
        } else {
          psum += 1;
        }
      }
      const diff = psum - target;
      if (Math.abs(diff) < SIGMA_TOL) break;
      if (diff > 0) hi = mid;
      else lo = mid;
      let next = dpsum > 0 ? mid - diff / dpsum : NaN;
      if (!(next > lo && next < hi)) next = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      mid = next;
    }
    const floor = MIN_K_DIST_SCALE * (r > 0 ? mean : globalMean);
    rho[i] = r;
    sigma[i] = Math.max(mid, floor);
  }
  return { rho, sigma };
}

/**
 * Build the symmetric fuzzy graph.
 * @param knn neighbours of every point (indices in [0, n))
 * @param pruneEpochs edges with w < max(w) / pruneEpochs are dropped (the reference: 3 for the
 *   spatial graph; UMAP uses its epoch count, e.g. 200)
 */
export function fuzzyGraph(knn: KnnResult, pruneEpochs: number, smoothing: Smoothing = smoothKnn(knn)): EdgeList {
  if (!(pruneEpochs >= 1)) throw new Error(`fuzzyGraph: pruneEpochs must be >= 1, got ${pruneEpochs}`);
  const k = knn.k;
  const n = knn.indices.length / k;
  // Directed membership w_{j|i} for every kNN entry.
  const directed = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = knn.indices[i * k + t];
      if (j < 0 || j === i) continue;
      if (j >= n) throw new Error(`fuzzyGraph: neighbour index ${j} out of range (n=${n})`);
      const d = knn.distances[i * k + t] - smoothing.rho[i];
      directed[i * k + t] = d > 0 ? Math.exp(-d / smoothing.sigma[i]) : 1;
    }
  }
  // Each unordered pair once: from the lower index's list, or from the higher one's when the
  // lower does not list it. The reverse weight is found by scanning the other's k entries.
  const pairLo = new Int32Array(n * k);
  const pairHi = new Int32Array(n * k);
  const pairW = new Float64Array(n * k);
  let count = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = knn.indices[i * k + t];
      if (j < 0 || j === i) continue;
      let back = -1;
      for (let u = 0; u < k; u++) {
        if (knn.indices[j * k + u] === i) {
          back = u;
          break;
        }
      }
      if (i > j && back >= 0) continue; // emitted from j's side
      const a = directed[i * k + t];
      const b = back >= 0 ? directed[j * k + back] : 0;
      const w = a + b - a * b;
      pairLo[count] = i < j ? i : j;
      pairHi[count] = i < j ? j : i;
      pairW[count] = w;
      count++;
      if (w > max) max = w;
    }
  }
  const cut = max / pruneEpochs;
  // Counting sort by the lower end, then insertion sort of each (short) bucket by the higher end:
  // the edge order must not depend on traversal details, and a comparator sort was the slow part.
  const start = new Int32Array(n + 1);
  let kept = 0;
  for (let e = 0; e < count; e++) {
    if (pairW[e] >= cut && pairW[e] > 0) {
      start[pairLo[e] + 1]++;
      kept++;
    }
  }
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const from = new Int32Array(kept);
  const to = new Int32Array(kept);
  const weight = new Float32Array(kept);
  for (let e = 0; e < count; e++) {
    if (!(pairW[e] >= cut && pairW[e] > 0)) continue;
    const p = fill[pairLo[e]]++;
    from[p] = pairLo[e];
    to[p] = pairHi[e];
    weight[p] = pairW[e];
  }
  for (let i = 0; i < n; i++) {
    for (let p = start[i] + 1; p < start[i + 1]; p++) {
      const t = to[p];
      const w = weight[p];
      let q = p;
      while (q > start[i] && to[q - 1] > t) {
        to[q] = to[q - 1];
        weight[q] = weight[q - 1];
        q--;
      }
      to[q] = t;
      weight[q] = w;
    }
  }
  return { n, from, to, weight };
}
