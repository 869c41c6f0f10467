/**
 * Representation drift: how far the same samples move between consecutive epochs, relative to the
 * spread of the points (so it is scale-free). A healthy run settles (drift shrinks epoch by epoch);
 * a run whose steps grow too large churns its representation (drift rises), typically before the
 * validation loss shows it. Needs stable sample ids, not labels.
 */

/** Options of a DriftTracker. */
export interface DriftOptions {
  /** Quantile (0-1] of distances from the mean used as the radius (robust to a few outliers). */
  readonly percentile?: number;
}

/** Positions of one epoch, centred and divided by their radius, keyed by sample id. */
interface Normalised {
  readonly index: Map<number, number>;
  readonly z: Float32Array;
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

  constructor(opts: DriftOptions = {}) {
    this.percentile = opts.percentile ?? 0.95;
    if (!(this.percentile > 0 && this.percentile <= 1)) throw new Error(`drift: percentile must be in (0, 1], got ${this.percentile}`);
  }

  /**
   * Takes one epoch's points (x: n x dim row-major, ids: n; rows where `include(i)` is false or any
   * value is non-finite are skipped) and returns the mean displacement of the ids shared with the
   * previous epoch, in units of the radius; null for the first epoch, when no id is shared, or when
   * the points sit on one spot (radius 0; the epoch is then not remembered either).
   */
  push(x: ArrayLike<number>, dim: number, n: number, ids: Float64Array, include: (i: number) => boolean = () => true): number | null {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!include(i)) continue;
      let ok = true;
      for (let d = 0; d < dim && ok; d++) ok = Number.isFinite(x[i * dim + d]!);
      if (ok) rows.push(i);
    }
    if (rows.length === 0) return null;
    const mean = new Float64Array(dim);
    for (const i of rows) for (let d = 0; d < dim; d++) mean[d]! += x[i * dim + d]!;
    for (let d = 0; d < dim; d++) mean[d]! /= rows.length;
    const dist = new Float64Array(rows.length);
    rows.forEach((i, k) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (x[i * dim + d]! - mean[d]!) ** 2;
      dist[k] = Math.sqrt(s);
    });
    const radius = quantile(dist, this.percentile);
    if (!(radius > 0)) return null;
    const z = new Float32Array(rows.length * dim);
    const index = new Map<number, number>();
    rows.forEach((i, k) => {
      index.set(ids[i]!, k);
      for (let d = 0; d < dim; d++) z[k * dim + d] = (x[i * dim + d]! - mean[d]!) / radius;
    });
    const prev = this.prev;
    this.prev = { index, z };
    if (!prev || prev.z.length / Math.max(1, prev.index.size) !== dim) return null;
    let total = 0;
    let shared = 0;
    for (const [id, k] of index) {
      const j = prev.index.get(id);
      if (j === undefined) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += (z[k * dim + d]! - prev.z[j * dim + d]!) ** 2;
      total += Math.sqrt(s);
      shared++;
    }
    return shared > 0 ? total / shared : null;
  }
}
