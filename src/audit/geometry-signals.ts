/**
 * Scale-free geometry of a 2-D layout (METHOD.md section 6, made independent of the projection's
 * arbitrary scale): how far apart the classes sit and how spread out each class is.
 */
import type { EpochLayout } from '../engine/epoch-layout.js';

/** Geometry of the train points of one layout. */
export interface GeometrySignals {
  /** Mean distance between class centroids, divided by `scale`. Falling is bad. */
  readonly D: number;
  /** Mean over classes of the mean squared distance to the class centroid, divided by scale^2. Rising is bad. */
  readonly V: number;
  /** Separation ratio D / sqrt(V): scale-free by construction. Falling is bad. */
  readonly sep: number;
  /** The layout's robust radius: the `percentile` of the points' distances from their geometric median. */
  readonly scale: number;
  /** Classes that entered (at least `minClassSize` train points). */
  readonly classes: number;
  /** Train points with a label that entered. */
  readonly n: number;
}

/** Options of `geometrySignals`. */
export interface GeometrySignalOptions {
  /**
   * Quantile (0-1] of distances from the centroid used as the layout's radius. 0.95 ignores the
   * few outliers a parametric projection throws far out, which would make a max-based diameter jumpy.
   */
  readonly percentile?: number;
  /** Classes with fewer train points are skipped: one point has no spread to measure. */
  readonly minClassSize?: number;
}

/** Linear-interpolated quantile of an ascending-sorted array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Geometric median by Weiszfeld's iteration from the mean. 64 iterations reach ~1e-6 relative
 * accuracy on layouts in practice; exactness is not needed, only robustness to outliers.
 */
function geometricMedian(xs: Float64Array, ys: Float64Array): [number, number] {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  for (let it = 0; it < 64; it++) {
    let wx = 0;
    let wy = 0;
    let w = 0;
    for (let i = 0; i < n; i++) {
      // A point on the current estimate would divide by 0: floor the distance (tiny bias, no blow-up).
      const d = Math.max(Math.hypot(xs[i]! - mx, ys[i]! - my), 1e-12);
      wx += xs[i]! / d;
      wy += ys[i]! / d;
      w += 1 / d;
    }
    const nx = wx / w;
    const ny = wy / w;
    const step = Math.hypot(nx - mx, ny - my);
    mx = nx;
    my = ny;
    if (step < 1e-9 * (Math.abs(mx) + Math.abs(my) + 1e-12)) break;
  }
  return [mx, my];
}

/**
 * Computes D, V and their ratio from the layout's train points (split 0) that have a label, so the
 * test split never moves the signal. Returns null when it cannot be measured: no labels, fewer than
 * two classes with enough points, or a layout whose points all sit on one spot (scale 0: a
 * degenerate epoch, reported as collapse elsewhere). Non-finite positions are skipped.
 */
export function geometrySignals(layout: EpochLayout, opts: GeometrySignalOptions = {}): GeometrySignals | null {
  const percentile = opts.percentile ?? 0.95;
  const minClassSize = opts.minClassSize ?? 2;
  if (!(percentile > 0 && percentile <= 1)) throw new Error(`geometrySignals: percentile must be in (0, 1], got ${percentile}`);
  if (!Number.isInteger(minClassSize) || minClassSize < 1) {
    throw new Error(`geometrySignals: minClassSize must be an integer >= 1, got ${minClassSize}`);
  }
  const { labels, positions, split, n } = layout;
  if (!labels) return null;
  if (positions.length < n * 2 || labels.length < n || split.length < n) {
    throw new Error(`geometrySignals: layout of run ${layout.run} epoch ${layout.epoch} has arrays shorter than n=${n}`);
  }
  // Pass 1: per-class counts and sums, keyed by label (labels may be sparse, so a Map).
  const cls = new Map<number, { n: number; sx: number; sy: number; ss: number }>();
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    if (split[i] !== 0) continue;
    const x = positions[2 * i]!;
    const y = positions[2 * i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const c = labels[i]!;
    let s = cls.get(c);
    if (!s) {
      s = { n: 0, sx: 0, sy: 0, ss: 0 };
      cls.set(c, s);
    }
    s.n++;
    s.sx += x;
    s.sy += y;
    used.push(i);
  }
  const kept = [...cls.entries()].filter(([, s]) => s.n >= minClassSize);
  if (kept.length < 2) return null;
  const keptMap = new Map(kept);
  let total = 0;
  for (const [, s] of kept) total += s.n;
  // Centre of the radius: the geometric median, so a far outlier cannot drag it (and with it every
  // distance) away from the bulk of the points; unlike a coordinate-wise median it does not
  // depend on how the layout happens to be rotated.
  const xs = new Float64Array(total);
  const ys = new Float64Array(total);
  let j = 0;
  for (const i of used) {
    if (!keptMap.has(labels[i]!)) continue;
    xs[j] = positions[2 * i]!;
    ys[j++] = positions[2 * i + 1]!;
  }
  const [cx, cy] = geometricMedian(xs, ys);

  // Pass 2 (two passes rather than E[y^2] - mu^2, which cancels badly far from the origin):
  // squared deviations from the class centroid and distances from the overall centroid.
  const dist = new Float64Array(total);
  let k = 0;
  for (const i of used) {
    const s = keptMap.get(labels[i]!);
    if (!s) continue;
    const x = positions[2 * i]!;
    const y = positions[2 * i + 1]!;
    const dx = x - s.sx / s.n;
    const dy = y - s.sy / s.n;
    s.ss += dx * dx + dy * dy;
    dist[k++] = Math.hypot(x - cx, y - cy);
  }
  dist.sort();
  const scale = quantileSorted(dist, percentile);
  if (!(scale > 0)) return null;

  let vSum = 0;
  for (const [, s] of kept) vSum += s.ss / s.n;
  const V = vSum / kept.length / (scale * scale);
  const mu = kept.map(([, s]) => [s.sx / s.n, s.sy / s.n] as const);

  let dSum = 0;
  let pairs = 0;
  for (let a = 0; a < mu.length; a++) {
    for (let b = a + 1; b < mu.length; b++) {
      dSum += Math.hypot(mu[a]![0] - mu[b]![0], mu[a]![1] - mu[b]![1]);
      pairs++;
    }
  }
  const D = dSum / pairs / scale;
  const sep = V > 0 ? D / Math.sqrt(V) : Number.POSITIVE_INFINITY;
  return { D, V, sep, scale, classes: kept.length, n: total };
}
