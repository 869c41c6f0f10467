/**
 * UMAP's fuzzy simplicial set on a kNN graph (METHOD.md section 3): per point rho_i (distance to
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
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < SIGMA_ITERS; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        if (knn.indices[o + j] < 0) continue;
        const d = knn.distances[o + j] - r;
        psum += d > 0 ? Math.exp(-d / mid) : 1;
      }
      if (Math.abs(psum - target) < SIGMA_TOL) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
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
 * @param pruneEpochs edges with w < max(w) / pruneEpochs are dropped (METHOD: 3 for the spatial
 *   graph; UMAP uses its epoch count, e.g. 200)
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
  const lo: number[] = [];
  const hi: number[] = [];
  const ws: number[] = [];
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
      lo.push(Math.min(i, j));
      hi.push(Math.max(i, j));
      ws.push(w);
      if (w > max) max = w;
    }
  }
  const cut = max / pruneEpochs;
  const order: number[] = [];
  for (let e = 0; e < ws.length; e++) if (ws[e] >= cut && ws[e] > 0) order.push(e);
  // Sorted by (from, to) so the edge order does not depend on traversal details.
  order.sort((a, b) => lo[a] - lo[b] || hi[a] - hi[b]);
  const from = new Int32Array(order.length);
  const to = new Int32Array(order.length);
  const weight = new Float32Array(order.length);
  order.forEach((e, idx) => {
    from[idx] = lo[e];
    to[idx] = hi[e];
    weight[idx] = ws[e];
  });
  return { n, from, to, weight };
}
