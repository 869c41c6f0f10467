/**
 * Density-guided sampling (docs/method.md#sampling): the smallest sample rate r whose relative density
 * rho(r) = d(full) / d(subset) is past the knee of the curve (slope (1 - rho) / (1 - r) <= 0.25).
 * d(S) is the mean distance to the 20th nearest neighbour (the point itself counted) over random
 * query points of S. kNN distance scales like (k / (r n))^(1/d) for intrinsic dimension d, so
 * rho(r) ~ r^(1/d): high-dimensional data tolerates small samples, low-dimensional data does not.
 */
import type { Tf } from '../tf/backend.js';
import { knnSearch, takeRows, type Matrix } from './knn.js';
import { sampleIndices, type Rng } from '../util/random.js';

/** One point of the rho(r) curve. */
export interface DensityPoint {
  readonly r: number;
  readonly rho: number;
  readonly slope: number;
}

/** The chosen sample. */
export interface SampleChoice {
  /** Chosen rate (share of points). */
  readonly rate: number;
  /** Relative density at the chosen rate. */
  readonly rho: number;
  /**
   * True when no candidate met the slope limit and the largest rate was used: the tipping point
   * was not found (false when it was, or when the rate was fixed or n small).
   */
  readonly fallback: boolean;
  /** The whole measured curve (empty when the rate was fixed or n is small). */
  readonly curve: readonly DensityPoint[];
  /** Indices of the sampled points, ascending. */
  readonly indices: Int32Array;
}

/** Options of the density-guided sampler. */
export interface SamplingOptions {
  /** Candidate rates, ascending (the reference's: 0.1..0.5). */
  readonly rates?: readonly number[];
  /** Largest acceptable slope (the reference's: 0.25). */
  readonly maxSlope?: number;
  /** Skip the search and use this rate (still reports rho at it). */
  readonly fixedRate?: number;
  /** Below this many points, sample everything (a graph on a few hundred points is cheap). */
  readonly minSample?: number;
}

/** The reference's neighbour rank for density: the 20th neighbour counting the point itself. */
const DENSITY_K = 20;

/**
 * Mean distance to the 20th nearest neighbour (self counted) within `set`, over query points drawn
 * from the set: `share` of it (at least `minQueries`), `repeats` times.
 */
export function meanKDistance(tf: Tf, points: Matrix, set: Int32Array, share: number, repeats: number, rng: Rng, minQueries = 10): number {
  if (set.length < DENSITY_K) throw new Error(`meanKDistance: need at least ${DENSITY_K} points, got ${set.length}`);
  const ref = takeRows(points, set);
  const nq = Math.min(set.length, Math.max(minQueries, Math.round(share * set.length)));
  // All repeats' queries in one search: one upload and transpose of the reference instead of `repeats`.
  const local = new Int32Array(nq * repeats);
  for (let rep = 0; rep < repeats; rep++) local.set(sampleIndices(set.length, nq, rng), rep * nq);
  const q = takeRows(ref, local);
  // 19 others + the point itself = the 20th neighbour counting self.
  const res = knnSearch(tf, q, ref, DENSITY_K - 1, { exclude: local });
  let total = 0;
  for (let i = 0; i < local.length; i++) total += res.distances[i * res.k + res.k - 1];
  return total / local.length;
}

/**
 * Choose the sample for this epoch.
 * @param tf tfjs
 * @param points the epoch's points (e.g. PCA coordinates), n rows
 * @param rng seeded
 */
export function densitySample(tf: Tf, points: Matrix, rng: Rng, opts: SamplingOptions = {}): SampleChoice {
  const n = points.rows;
  const rates = opts.rates ?? [0.1, 0.2, 0.3, 0.4, 0.5];
  const maxSlope = opts.maxSlope ?? 0.25;
  const minSample = opts.minSample ?? 500;
  for (const r of rates) if (!(r > 0 && r < 1)) throw new Error(`densitySample: rates must lie in (0, 1), got ${r}`);
  if (opts.fixedRate !== undefined && !(opts.fixedRate > 0 && opts.fixedRate <= 1)) {
    throw new Error(`densitySample: fixedRate must lie in (0, 1], got ${opts.fixedRate}`);
  }
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n <= minSample || opts.fixedRate === 1) return { rate: 1, rho: 1, fallback: false, curve: [], indices: all };
  // One random order; the subset for rate r is its first r*n points (nested subsets).
  const order = sampleIndices(n, n, rng);
  const subset = (r: number): Int32Array => order.slice(0, Math.max(DENSITY_K + 1, Math.round(r * n))).sort();
  // The reference's: 1% of the full set x 5 repeats; 25% of a subset x 2 repeats.
  const dFull = meanKDistance(tf, points, all, 0.01, 5, rng);
  const rhoAt = (s: Int32Array): number => {
    const d = meanKDistance(tf, points, s, 0.25, 2, rng);
    return d > 0 ? Math.min(1, dFull / d) : 1;
  };
  if (opts.fixedRate !== undefined) {
    const s = subset(opts.fixedRate);
    return { rate: opts.fixedRate, rho: rhoAt(s), fallback: false, curve: [], indices: s };
  }
  const curve: DensityPoint[] = [];
  for (const r of rates) {
    const s = subset(r);
    const rho = rhoAt(s);
    const slope = (1 - rho) / (1 - r);
    curve.push({ r, rho, slope });
    if (slope <= maxSlope) return { rate: r, rho, fallback: false, curve, indices: s };
  }
  const last = curve[curve.length - 1];
  return { rate: last.r, rho: last.rho, fallback: true, curve, indices: subset(last.r) };
}
