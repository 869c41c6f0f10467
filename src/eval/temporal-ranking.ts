/**
 * The method's temporal ranking metrics (docs/method.md#temporal-ranking): for a sample and an
 * anchor epoch, rank the other epochs by how far the sample's representation is from its anchor
 * representation, once in the raw space and once in a method's 2-D layout, and compare the two
 * rankings: the overlap of their k nearest epochs (temporal top-k) and their Spearman correlation.
 * A layout whose movement tells the truth about the representation's movement scores high on both.
 *
 * Scored causally, the anchor being the epoch just laid out and the candidates the run's earlier
 * epochs, so every row of `eval` can carry it (and a live monitor could, with the same definition).
 */

/** Epochs a top-k overlap needs before it means anything: with 2k candidates, chance overlap is about k/2. */
export const TOP_K = 5;
const MIN_TOPK_CANDIDATES = 2 * TOP_K;
/** A rank correlation of fewer than 3 values is degenerate (always +-1). */
const MIN_SPEARMAN_CANDIDATES = 3;
/**
 * Earlier epochs kept per run. Bounds memory at samples x (D + 2 x methods) x 4 bytes per epoch
 * (200 x 2048-D: 1.6 MB an epoch, 80 MB at this cap) and the cost of one score at cap x samples.
 */
export const HISTORY_EPOCHS = 50;

/** A temporal ranking score of one method at one anchor epoch. */
export interface TemporalScore {
  /** Mean overlap of the TOP_K nearest earlier epochs, raw vs 2-D, over the samples (NaN: too few epochs). */
  readonly top5: number;
  /** Mean Spearman correlation of the earlier epochs' distances, raw vs 2-D (NaN: too few epochs). */
  readonly spearman: number;
}

/** What one epoch leaves for later anchors: the tracked samples' raw rows and each method's positions. */
interface Snapshot {
  readonly epoch: number;
  /** samples x dim, NaN rows for samples absent in this epoch. */
  readonly high: Float32Array;
  /** method -> samples x 2 positions (NaN where absent). */
  readonly low: ReadonlyMap<string, Float32Array>;
}

/** The tracked samples of one run and its recent epochs. */
interface RunHistory {
  readonly ids: Float64Array;
  readonly dim: number;
  readonly snapshots: Snapshot[];
}

/** One method's layout of the epoch's rows (row order of the split). */
export interface MethodLayout {
  readonly method: string;
  readonly positions: Float32Array;
}

/**
 * Collects, per run, a fixed set of sample ids (chosen at the run's first epoch) and scores each new
 * epoch against the earlier ones. Only earlier epochs where every method of the current epoch was laid
 * out are candidates, so that methods fitted on a subset of epochs (umap-js) are compared with the
 * others on the same epochs.
 */
export class TemporalRanking {
  private readonly runs = new Map<string, RunHistory>();

  /**
   * Score an epoch and remember it.
   * @param run the run's name
   * @param epoch the epoch's number
   * @param ids sample ids of the split's rows
   * @param x the split's raw rows, n x dim
   * @param dim D
   * @param trackRows the rows whose ids are tracked, if this is the run's first epoch (e.g. the metric query rows)
   * @param layouts each method's positions of the split's rows
   * @returns one score per method
   */
  score(run: string, epoch: number, ids: Float64Array, x: Float32Array, dim: number, trackRows: Int32Array, layouts: readonly MethodLayout[]): Map<string, TemporalScore> {
    let history = this.runs.get(run);
    if (!history || history.dim !== dim) {
      history = { ids: Float64Array.from(trackRows, (r) => ids[r]), dim, snapshots: [] };
      this.runs.set(run, history);
    }
    const snap = snapshotOf(history, epoch, ids, x, layouts);
    const methods = layouts.map((l) => l.method);
    const candidates = history.snapshots.filter((s) => methods.every((m) => s.low.has(m)));
    const out = new Map<string, TemporalScore>();
    for (const m of methods) out.set(m, scoreAgainst(history, snap, candidates, m));
    history.snapshots.push(snap);
    if (history.snapshots.length > HISTORY_EPOCHS) history.snapshots.shift();
    return out;
  }
}

function snapshotOf(h: RunHistory, epoch: number, ids: Float64Array, x: Float32Array, layouts: readonly MethodLayout[]): Snapshot {
  const rowOf = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) rowOf.set(ids[i], i);
  const s = h.ids.length;
  const high = new Float32Array(s * h.dim).fill(NaN);
  const low = new Map<string, Float32Array>();
  for (const l of layouts) low.set(l.method, new Float32Array(s * 2).fill(NaN));
  for (let j = 0; j < s; j++) {
    const row = rowOf.get(h.ids[j]);
    if (row === undefined) continue;
    high.set(x.subarray(row * h.dim, (row + 1) * h.dim), j * h.dim);
    for (const l of layouts) low.get(l.method)!.set(l.positions.subarray(row * 2, row * 2 + 2), j * 2);
  }
  return { epoch, high, low };
}

function distance(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    const t = a[ai * dim + d] - b[bi * dim + d];
    sum += t * t;
  }
  return Math.sqrt(sum);
}

function scoreAgainst(h: RunHistory, anchor: Snapshot, candidates: readonly Snapshot[], method: string): TemporalScore {
  const c = candidates.length;
  if (c < MIN_SPEARMAN_CANDIDATES) return { top5: NaN, spearman: NaN };
  const anchorLow = anchor.low.get(method)!;
  const dHigh = new Float64Array(c);
  const dLow = new Float64Array(c);
  let top = 0;
  let rho = 0;
  let samples = 0;
  for (let j = 0; j < h.ids.length; j++) {
    let present = Number.isFinite(anchor.high[j * h.dim]) && Number.isFinite(anchorLow[j * 2]);
    for (let e = 0; e < c && present; e++) {
      const low = candidates[e].low.get(method)!;
      dHigh[e] = distance(anchor.high, j, candidates[e].high, j, h.dim);
      dLow[e] = distance(anchorLow, j, low, j, 2);
      present = Number.isFinite(dHigh[e]) && Number.isFinite(dLow[e]);
    }
    if (!present) continue;
    samples++;
    rho += spearman(dHigh, dLow);
    if (c >= MIN_TOPK_CANDIDATES) top += topOverlap(dHigh, dLow, TOP_K);
  }
  if (samples === 0) return { top5: NaN, spearman: NaN };
  return { top5: c >= MIN_TOPK_CANDIDATES ? top / samples : NaN, spearman: rho / samples };
}

/** Ranks 1..n, ties sharing their mean rank. */
export function ranks(v: Float64Array): Float64Array {
  const order = Array.from(v.keys()).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[order[t]] = mean;
    i = j + 1;
  }
  return r;
}

/** Spearman's rank correlation; 0 when either side is constant (no ranking to agree with). */
export function spearman(a: Float64Array, b: Float64Array): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) ** 2;
    vb += (rb[i] - mean) ** 2;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/** |k nearest of a and k nearest of b| / k (ties broken by index, the same way on both sides). */
export function topOverlap(a: Float64Array, b: Float64Array, k: number): number {
  const nearest = (v: Float64Array) => new Set(Array.from(v.keys()).sort((x, y) => v[x] - v[y] || x - y).slice(0, k));
  const sa = nearest(a);
  let both = 0;
  for (const i of nearest(b)) if (sa.has(i)) both++;
  return both / k;
}
