/**
 * Representation drift: how far the same samples move between consecutive epochs, relative to the
 * spread of the points (so it is scale-free). A healthy run settles (drift shrinks epoch by epoch);
 * a run whose steps grow too large churns its representation (drift rises), typically before the
 * validation loss shows it. Needs stable sample ids, not labels. Its companion, rescale, is the part
 * drift divides out: how much the spread itself changed (a rate too high makes the layer's scale
 * bounce from epoch to epoch).
 */

/** Options of a DriftTracker. */
export interface DriftOptions {
  /** Quantile (0-1] of distances from the mean used as the radius (robust to a few outliers). */
  readonly percentile?: number;
}

/** Positions of one epoch, centred and divided by their radius, with their sample ids. */
interface Normalised {
  readonly ids: Float64Array;
  readonly z: Float32Array;
  readonly dim: number;
  readonly radius: number;
  /** id -> row, built only when a later epoch sends its ids in another order. */
  index: Map<number, number> | null;
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const s = values.slice().sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Tracks one run's points across epochs; feed epochs in order. */
export class DriftTracker {
  private prev: Normalised | null = null;
  private readonly percentile: number;
  private lastRescale: number | null = null;

  constructor(opts: DriftOptions = {}) {
    this.percentile = opts.percentile ?? 0.95;
    if (!(this.percentile > 0 && this.percentile <= 1)) throw new Error(`drift: percentile must be in (0, 1], got ${this.percentile}`);
  }

  /**
   * How much the radius changed between the last two epochs pushed, |ln(r / r_prev)|: the part of
   * the movement that drift divides out. Null after the first epoch, or when the last push returned
   * null for lack of points or of a radius.
   */
  get rescale(): number | null {
    return this.lastRescale;
  }

  /**
   * Takes one epoch's points (x: n x dim row-major, ids: n; rows where `include(i)` is false or any
   * value is non-finite are skipped) and returns the mean displacement of the ids shared with the
   * previous epoch, in units of the radius; null for the first epoch, when no id is shared, or when
   * the points sit on one spot (radius 0; the epoch is then not remembered either).
   */
  push(x: ArrayLike<number>, dim: number, n: number, ids: Float64Array, include: (i: number) => boolean = () => true): number | null {
    // One pass: which rows enter (included, all finite) and their mean.
    const rows: number[] = [];
    const mean = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      if (!include(i)) continue;
      const o = i * dim;
      let ok = true;
      for (let d = 0; d < dim; d++) {
        if (!Number.isFinite(x[o + d]!)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      rows.push(i);
      for (let d = 0; d < dim; d++) mean[d]! += x[o + d]!;
    }
    this.lastRescale = null;
    if (rows.length === 0) return null;
    for (let d = 0; d < dim; d++) mean[d]! /= rows.length;
    const m = rows.length;
    const z = new Float32Array(m * dim);
    const dist = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const o = rows[k]! * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const v = x[o + d]! - mean[d]!;
        z[k * dim + d] = v;
        s += v * v;
      }
      dist[k] = Math.sqrt(s);
    }
    const radius = quantile(dist, this.percentile);
    if (!(radius > 0)) return null;
    const inv = 1 / radius;
    for (let j = 0; j < z.length; j++) z[j]! *= inv;
    const rowIds = Float64Array.from(rows, (i) => ids[i]!);
    const prev = this.prev;
    this.prev = { ids: rowIds, z, dim, radius, index: null };
    if (!prev || prev.dim !== dim) return null;
    this.lastRescale = Math.abs(Math.log(radius / prev.radius));
    // Fast path: the producer sent the same ids in the same order (the usual case).
    const same = prev.ids.length === m && prev.ids.every((v, k) => v === rowIds[k]);
    let index: Map<number, number> | null = null;
    if (!same) index = prev.index ?? (prev.index = new Map(Array.from(prev.ids, (v, k) => [v, k])));
    let total = 0;
    let shared = 0;
    for (let k = 0; k < m; k++) {
      const j = same ? k : index!.get(rowIds[k]!);
      if (j === undefined) continue;
      let s = 0;
      const a = k * dim;
      const b = j * dim;
      for (let d = 0; d < dim; d++) {
        const v = z[a + d]! - prev.z[b + d]!;
        s += v * v;
      }
      total += Math.sqrt(s);
      shared++;
    }
    return shared > 0 ? total / shared : null;
  }
}

/**
 * A fixed subset of about `max` rows, chosen by a hash of each row's id: the same samples are
 * chosen every epoch whatever order they arrive in, and id patterns (multiples of 4, ranks'
 * ranges) do not alias with the stride.
 */
export function idSubset(ids: Float64Array, max: number): (i: number) => boolean {
  const n = ids.length;
  if (n <= max) return () => true;
  // Keep ids whose hash falls below max/n of the 32-bit range.
  const limit = Math.floor((max / n) * 0x100000000);
  return (i) => {
    const v = ids[i]!;
    let h = Math.imul((v | 0) ^ Math.floor(v / 0x100000000), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    return h >>> 0 < limit;
  };
}
