/**
 * Working memory of past epochs per run (docs/method.md#graph): for each retained epoch a small
 * random share of its rows (standardised activations, ids, where its layout put them) and its
 * per-feature statistics (for margins); the full rows of the most recent epoch only (identity
 * edges). Memory is bounded: O(log T) small records plus one full epoch.
 *
 * The working set at update t is the epochs aged 1, 2, 3, 5, 9, 17, ... updates (R, R-1, R-2,
 * ...: gaps doubling). To recall them later without keeping every epoch, retention keeps
 * the three newest records and, per power-of-two age bucket, the oldest and the newest; selection
 * takes the retained record closest to each target age.
 */
import { sampleIndices, type Rng } from '../util/random.js';

/** One retained epoch. */
export interface MemoryRecord {
  /** Update counter when the epoch was processed (ages are measured in updates). */
  readonly index: number;
  readonly epoch: number;
  readonly dim: number;
  /** Raw per-feature mean and standard deviation (for margins). */
  readonly mean: Float32Array;
  readonly sd: Float32Array;
  /** Kept rows: ids, standardised activations (rows*dim), layout positions (rows*2). */
  readonly ids: Float64Array;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/** The full rows of the most recent epoch (raw; standardise with mean and scale on use). */
export interface FullRecord {
  readonly index: number;
  readonly epoch: number;
  readonly dim: number;
  readonly ids: Float64Array;
  readonly raw: Float32Array;
  readonly mean: Float32Array;
  readonly scale: number;
  readonly y: Float32Array;
  /** id -> row. */
  readonly rowOf: ReadonlyMap<number, number>;
}

/** Options of the memory. */
export interface MemoryOptions {
  /** Share of each epoch's rows kept (the reference's: 5%). */
  readonly keepShare?: number;
  /** At least this many rows kept (small epochs). */
  readonly minKeep?: number;
  /**
   * At most this many rows kept per epoch [1000]: the share alone kept 2,500 rows of a 50,000-point
   * epoch, and the temporal graph searches every kept row of the working set from every sampled row
   * (2,500 x 15,000 at 50,000 points, a fifth of a warm update there). The projector takes a few
   * training steps per update at that size, far fewer edges than 1,000 rows an epoch give.
   * Measured: docs/engine-choices.md#working-memory-cap.
   */
  readonly maxKeep?: number;
  /** Working-set size (number of historical epochs used per update). */
  readonly maxEpochs?: number;
}

/** What the caller hands in after an update. */
export interface EpochSnapshot {
  readonly index: number;
  readonly epoch: number;
  readonly dim: number;
  readonly mean: Float32Array;
  readonly sd: Float32Array;
  /** Global scale of the standardisation. */
  readonly scale: number;
  readonly ids: Float64Array;
  /** All rows, raw, n*dim (the memory keeps a reference, not a copy, for the full record). */
  readonly raw: Float32Array;
  /** All rows' layout positions, n*2. */
  readonly y: Float32Array;
}

/** Age targets 1, 2, 3, 5, 9, 17, ... (R, R-1, R-2, R-4, R-8, ...). */
export function targetAges(count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(i === 0 ? 1 : 1 + (1 << (i - 1)));
  return out;
}

export class TemporalMemory {
  private records: MemoryRecord[] = [];
  private full: FullRecord | undefined;
  private readonly keepShare: number;
  private readonly minKeep: number;
  private readonly maxKeep: number;
  readonly maxEpochs: number;

  constructor(opts: MemoryOptions = {}) {
    this.keepShare = opts.keepShare ?? 0.05;
    this.minKeep = opts.minKeep ?? 50;
    this.maxKeep = Math.max(this.minKeep, opts.maxKeep ?? 1000);
    this.maxEpochs = opts.maxEpochs ?? 6;
    if (!(this.keepShare > 0 && this.keepShare <= 1)) throw new Error(`TemporalMemory: keepShare must lie in (0, 1], got ${this.keepShare}`);
    if (!(this.maxEpochs >= 1)) throw new Error(`TemporalMemory: maxEpochs must be >= 1, got ${this.maxEpochs}`);
  }

  /** Record a processed epoch. */
  add(s: EpochSnapshot, rng: Rng): void {
    const n = s.ids.length;
    if (s.raw.length !== n * s.dim || s.y.length !== n * 2) throw new Error('TemporalMemory.add: sizes of ids, x and y disagree');
    if (this.records.length > 0 && s.index <= this.records[this.records.length - 1].index) {
      throw new Error(`TemporalMemory.add: update index ${s.index} is not after the last one`);
    }
    const keep = Math.min(n, Math.max(this.minKeep, Math.min(this.maxKeep, Math.round(this.keepShare * n))));
    const rows = sampleIndices(n, keep, rng).sort();
    const ids = new Float64Array(keep);
    const x = new Float32Array(keep * s.dim);
    const y = new Float32Array(keep * 2);
    const inv = 1 / s.scale;
    rows.forEach((r, i) => {
      ids[i] = s.ids[r];
      for (let j = 0; j < s.dim; j++) x[i * s.dim + j] = (s.raw[r * s.dim + j] - s.mean[j]) * inv;
      y[2 * i] = s.y[2 * r];
      y[2 * i + 1] = s.y[2 * r + 1];
    });
    this.records.push({ index: s.index, epoch: s.epoch, dim: s.dim, mean: s.mean, sd: s.sd, ids, x, y });
    const rowOf = new Map<number, number>();
    for (let i = 0; i < n; i++) rowOf.set(s.ids[i], i);
    this.full = { index: s.index, epoch: s.epoch, dim: s.dim, ids: s.ids, raw: s.raw, mean: s.mean, scale: s.scale, y: s.y, rowOf };
    this.prune(s.index + 1);
  }

  /** Drop records that no future working set needs (see the file comment). */
  private prune(nextIndex: number): void {
    const keep = new Set<MemoryRecord>();
    const buckets = new Map<number, MemoryRecord[]>();
    for (const r of this.records) {
      const age = nextIndex - r.index;
      if (age <= 3) {
        keep.add(r);
        continue;
      }
      const b = Math.floor(Math.log2(age - 1));
      const list = buckets.get(b) ?? [];
      list.push(r);
      buckets.set(b, list);
    }
    const maxAge = targetAges(this.maxEpochs)[this.maxEpochs - 1];
    for (const [b, list] of buckets) {
      // Beyond the oldest target age nothing is needed except what may age into it: keep one bucket more.
      if (1 << b > 2 * maxAge) continue;
      list.sort((p, q) => p.index - q.index);
      keep.add(list[0]);
      keep.add(list[list.length - 1]);
    }
    this.records = this.records.filter((r) => keep.has(r));
  }

  /** The working set for the update with this index: distinct records, newest first. */
  workingSet(nextIndex: number): MemoryRecord[] {
    const out: MemoryRecord[] = [];
    const used = new Set<MemoryRecord>();
    for (const target of targetAges(this.maxEpochs)) {
      let best: MemoryRecord | undefined;
      let bestGap = Infinity;
      for (const r of this.records) {
        if (used.has(r)) continue;
        const gap = Math.abs(nextIndex - r.index - target);
        if (gap < bestGap) {
          best = r;
          bestGap = gap;
        }
      }
      // Only accept a record reasonably near its target (within half the target age).
      if (best && bestGap <= Math.max(0, Math.floor(target / 2))) {
        out.push(best);
        used.add(best);
      }
    }
    return out.sort((p, q) => q.index - p.index);
  }

  /** Full rows of the most recent epoch. */
  previous(): FullRecord | undefined {
    return this.full;
  }

  /** Retained epochs (for tests and status). */
  retained(): readonly number[] {
    return this.records.map((r) => r.epoch);
  }

  /** Bytes held in typed arrays (for the boundedness check). */
  bytes(): number {
    let b = 0;
    for (const r of this.records) b += r.x.byteLength + r.y.byteLength + r.ids.byteLength + r.mean.byteLength + r.sd.byteLength;
    if (this.full) b += this.full.raw.byteLength + this.full.y.byteLength + this.full.ids.byteLength;
    return b;
  }
}

/**
 * Margin between a historical and the current epoch (docs/method.md#graph): how far the
 * distribution moved, per feature in units of the pooled standard deviation, averaged and clipped
 * to [0.1, 1].
 */
export function epochMargin(hMean: Float32Array, hSd: Float32Array, mean: Float32Array, sd: Float32Array): number {
  if (hMean.length !== mean.length) throw new Error(`epochMargin: dimensions differ (${hMean.length} vs ${mean.length})`);
  let s = 0;
  for (let j = 0; j < mean.length; j++) {
    s += Math.abs(mean[j] - hMean[j]) / (Math.sqrt(hSd[j] * hSd[j] + sd[j] * sd[j]) + 5e-4);
  }
  const m = s / Math.max(1, mean.length);
  return Math.min(1, Math.max(0.1, m));
}
