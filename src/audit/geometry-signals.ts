/**
 * Scale-free class geometry (the paper's D and V, made independent of the arbitrary scale of a
 * projection or of activations that grow during training): how far apart the classes sit and how
 * spread out each class is. Computed on a 2-D layout (as the paper does) or on raw activations (when
 * no projection runs). Definitions in docs/alerts.md#geometry.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { EpochData } from '../model/epoch-data.js';
import type { GeometrySignal } from './options.js';

/** Class geometry of one epoch's train points. */
export interface GeometrySignals {
  /** Mean distance between class centroids, divided by `scale`. Falling is bad. */
  readonly D: number;
  /** Mean over classes of the mean squared distance to the class centroid, divided by scale^2. Rising is bad. */
  readonly V: number;
  /** Separation ratio D / sqrt(V): scale-free by construction. Falling is bad. */
  readonly sep: number;
  /** The robust radius: the `percentile` of the points' distances from their centre. */
  readonly scale: number;
  /** Classes that entered (at least `minClassSize` train points). */
  readonly classes: number;
  /** Train points with a label that entered. */
  readonly n: number;
}

/** The geometry of one epoch as the triggers see it; the class signals are absent without labels. */
export type EpochGeometry = Partial<Record<GeometrySignal, number>> & { readonly classGeo: GeometrySignals | null };

/** Options of the geometry signals. */
export interface GeometrySignalOptions {
  /**
   * Quantile (0-1] of distances from the centre used as the radius. 0.95 ignores the few outliers
   * a parametric projection throws far out, which would make a max-based diameter jumpy.
   */
  readonly percentile?: number;
  /** Classes with fewer train points are skipped: one point has no spread to measure. */
  readonly minClassSize?: number;
}

/** Where the radius is measured from. */
type Centre = 'geometric-median' | 'mean';

/** Linear-interpolated quantile of an ascending-sorted array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function distance(x: ArrayLike<number>, offset: number, c: Float64Array): number {
  let s = 0;
  for (let d = 0; d < c.length; d++) {
    const v = x[offset + d]! - c[d]!;
    s += v * v;
  }
  return Math.sqrt(s);
}

/**
 * Geometric median of the given rows by Weiszfeld's iteration from the mean. 64 iterations are
 * plenty: only robustness to outliers matters here, not the last digit.
 */
function geometricMedian(x: ArrayLike<number>, dim: number, rows: readonly number[]): Float64Array {
  const c = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) c[d]! += x[r * dim + d]!;
  for (let d = 0; d < dim; d++) c[d]! /= rows.length;
  const acc = new Float64Array(dim);
  for (let it = 0; it < 64; it++) {
    acc.fill(0);
    let w = 0;
    for (const r of rows) {
      // A point on the current estimate would divide by 0: floor the distance (tiny bias, no blow-up).
      const inv = 1 / Math.max(distance(x, r * dim, c), 1e-12);
      for (let d = 0; d < dim; d++) acc[d]! += x[r * dim + d]! * inv;
      w += inv;
    }
    let step = 0;
    let size = 0;
    for (let d = 0; d < dim; d++) {
      const nv = acc[d]! / w;
      step += Math.abs(nv - c[d]!);
      size += Math.abs(nv);
      c[d] = nv;
    }
    if (step <= 1e-9 * (size + 1e-12)) break;
  }
  return c;
}

/**
 * Class geometry of the rows of x (n x dim, row-major) for which `include(i)` holds and whose label
 * class has at least `minClassSize` such rows; rows with a non-finite value are skipped. Returns null
 * when fewer than two classes qualify or the points all sit on one spot (radius 0).
 */
export function classGeometry(
  x: ArrayLike<number>,
  dim: number,
  n: number,
  labels: Int32Array,
  include: (i: number) => boolean,
  opts: GeometrySignalOptions & { readonly centre?: Centre } = {},
): GeometrySignals | null {
  const percentile = opts.percentile ?? 0.95;
  const minClassSize = opts.minClassSize ?? 2;
  const centre = opts.centre ?? 'geometric-median';
  if (!(percentile > 0 && percentile <= 1)) throw new Error(`geometry signals: percentile must be in (0, 1], got ${percentile}`);
  if (!Number.isInteger(minClassSize) || minClassSize < 1) {
    throw new Error(`geometry signals: minClassSize must be an integer >= 1, got ${minClassSize}`);
  }
  // Pass 1: per-class counts and coordinate sums, keyed by label (labels may be sparse, so a Map).
  const cls = new Map<number, { n: number; sum: Float64Array; ss: number }>();
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue;
    let finite = true;
    for (let d = 0; d < dim && finite; d++) finite = Number.isFinite(x[i * dim + d]!);
    if (!finite) continue;
    const c = labels[i]!;
    let s = cls.get(c);
    if (!s) {
      s = { n: 0, sum: new Float64Array(dim), ss: 0 };
      cls.set(c, s);
    }
    s.n++;
    for (let d = 0; d < dim; d++) s.sum[d]! += x[i * dim + d]!;
    used.push(i);
  }
  const kept = [...cls.entries()].filter(([, s]) => s.n >= minClassSize);
  if (kept.length < 2) return null;
  const keptMap = new Map(kept);
  const rows = used.filter((i) => keptMap.has(labels[i]!));
  const mu = new Map(kept.map(([c, s]) => [c, s.sum.map((v) => v / s.n)]));

  // The centre of the radius. In 2-D the geometric median: a far outlier cannot drag it (and every
  // distance with it) away from the bulk, and unlike a coordinate-wise median it ignores rotation.
  let c0: Float64Array;
  if (centre === 'geometric-median') c0 = geometricMedian(x, dim, rows);
  else {
    c0 = new Float64Array(dim);
    for (const [, s] of kept) for (let d = 0; d < dim; d++) c0[d]! += s.sum[d]!;
    for (let d = 0; d < dim; d++) c0[d]! /= rows.length;
  }

  // Pass 2 (two passes rather than E[y^2] - mu^2, which cancels badly far from the origin).
  const dist = new Float64Array(rows.length);
  rows.forEach((i, k) => {
    const s = keptMap.get(labels[i]!)!;
    const m = mu.get(labels[i]!)!;
    const dc = distance(x, i * dim, m);
    s.ss += dc * dc;
    dist[k] = distance(x, i * dim, c0);
  });
  dist.sort();
  const scale = quantileSorted(dist, percentile);
  if (!(scale > 0)) return null;

  let vSum = 0;
  for (const [, s] of kept) vSum += s.ss / s.n;
  const V = vSum / kept.length / (scale * scale);
  const means = [...mu.values()];
  let dSum = 0;
  let pairs = 0;
  for (let a = 0; a < means.length; a++) {
    for (let b = a + 1; b < means.length; b++) {
      dSum += distance(means[a]!, 0, means[b]!);
      pairs++;
    }
  }
  const D = dSum / pairs / scale;
  const sep = V > 0 ? D / Math.sqrt(V) : Number.POSITIVE_INFINITY;
  return { D, V, sep, scale, classes: kept.length, n: rows.length };
}

/**
 * Geometry of a layout's labelled train points (split 0), so the test split never moves the signal.
 * Null when it cannot be measured: no labels, fewer than two classes with enough points, or every
 * point on one spot (a degenerate epoch, reported as collapse elsewhere).
 */
export function geometrySignals(layout: EpochLayout, opts: GeometrySignalOptions = {}): GeometrySignals | null {
  const { labels, positions, split, n } = layout;
  if (!labels) return null;
  if (positions.length < n * 2 || labels.length < n || split.length < n) {
    throw new Error(`geometrySignals: layout of run ${layout.run} epoch ${layout.epoch} has arrays shorter than n=${n}`);
  }
  return classGeometry(positions, 2, n, labels, (i) => split[i] === 0, { ...opts, centre: 'geometric-median' });
}

/**
 * Geometry of raw activations (train split only; null for the test split or without labels). The
 * radius is measured from the mean: a Weiszfeld median costs too much in hundreds of dimensions,
 * and activations have no projection outliers.
 */
export function activationGeometry(data: EpochData, opts: GeometrySignalOptions = {}): GeometrySignals | null {
  if (data.split !== 'train' || !data.labels) return null;
  if (data.x.length < data.n * data.dim || data.labels.length < data.n) {
    throw new Error(`activationGeometry: run ${data.run} epoch ${data.epoch} has arrays shorter than n=${data.n}, dim=${data.dim}`);
  }
  return classGeometry(data.x, data.dim, data.n, data.labels, () => true, { ...opts, centre: 'mean' });
}
