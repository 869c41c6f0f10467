/**
 * Faithfulness and geometry metrics of a 2-D layout (docs/method.md#metrics): neighbour
 * preservation and trustworthiness at k against the exact neighbours of a seeded query sample,
 * stability between epochs, the
 * layout diameter, and the class geometry D and V scaled by the diameter.
 */
import type { Tf } from '../tf/backend.js';
import type { Matrix } from './knn.js';
import { createRng, deriveSeed, sampleIndices } from '../util/random.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { insertNearest } from './nearest-list.js';

/** Neighbour-based faithfulness of a layout. */
export interface Faithfulness {
  /** Mean |kNN_high(i) and kNN_2d(i)| / k over the queries. */
  readonly nn: number;
  /** Trustworthiness (sklearn's definition) restricted to the query rows. */
  readonly trust: number;
}

/**
 * The query rows of nn15 and trust15 (docs/method.md#metrics): a seeded sample of `count` rows
 * out of n, ascending. The live engine and `eval` both draw them here, from the engine's seed, the
 * run and n, so both score the same rows.
 * @param seed the engine's seed
 * @param run the run's name
 * @param n rows of the split
 * @param count rows wanted (all when n is smaller)
 */
export function metricQueryRows(seed: number, run: string, n: number, count: number): Int32Array {
  const rng = createRng(deriveSeed(seed, 'metric-queries', run, n));
  return sampleIndices(n, Math.min(n, count), rng).sort();
}

/**
 * Neighbour preservation and trustworthiness at k of one layout (see scoreLayouts).
 */
export function faithfulness(tf: Tf, high: Matrix, low: Float32Array, k: number, queries: Int32Array): Faithfulness {
  return scoreLayouts(tf, high, [low], k, queries)[0];
}

/**
 * Neighbour preservation and trustworthiness at k of several layouts of the same points, against
 * the exact neighbours of the query rows in `high` (the raw activations: docs/method.md#metrics).
 * The high-dimensional distance rows are computed once for all layouts, by matrix products on
 * centred rows (centring keeps the expanded form |q|^2 + |r|^2 - 2 q.r precise in float32); the
 * 2-D neighbours by brute force. Cost: O(queries * n * D) for the distances plus O(queries * n)
 * per layout.
 * @param tf tfjs
 * @param high the points in the original space, n rows
 * @param lows n*2 layout positions each, same order as high
 * @param k neighbourhood size (15)
 * @param queries rows to evaluate (metricQueryRows; all rows for the exact figures)
 * @returns one score per layout
 */
export function scoreLayouts(tf: Tf, high: Matrix, lows: readonly Float32Array[], k: number, queries: Int32Array): Faithfulness[] {
  const n = high.rows;
  for (const low of lows) if (low.length !== 2 * n) throw new Error(`faithfulness: layout has ${low.length / 2} points, data has ${n}`);
  if (!(k >= 1 && k < n - 1)) throw new Error(`faithfulness: need 1 <= k < n - 1, got k=${k}, n=${n}`);
  const nq = queries.length;
  if (nq === 0) return lows.map(() => ({ nn: NaN, trust: NaN }));
  const d = high.cols;
  const block = Math.max(1, Math.floor(2_000_000 / n));
  const [hc, ht, normT] = tf.tidy(() => {
    const h = tf.tensor2d(high.data, [n, d]);
    const c = tf.sub(h, tf.mean(h, 0, true)) as Tensor2D;
    return [c, tf.transpose(c) as Tensor2D, tf.sum(tf.square(c), 1)];
  });
  const norms = normT.dataSync() as Float32Array;
  normT.dispose();
  const scratch = fusedScratch(n, k, lows.length);
  try {
    for (let q0 = 0; q0 < nq; q0 += block) {
      const q1 = Math.min(nq, q0 + block);
      const g = tf.tidy(() => tf.matMul(tf.gather(hc, tf.tensor1d(queries.subarray(q0, q1), 'int32')), ht));
      const dots = g.dataSync() as Float32Array;
      g.dispose();
      for (let t = q0; t < q1; t++) scoreFused(dots, (t - q0) * n, norms, norms[queries[t]], queries[t], n, lows, k, scratch);
    }
  } finally {
    hc.dispose();
    ht.dispose();
  }
  return finishScores(scratch.nnSum, scratch.trustSum, nq, k, n);
}

/** Working arrays of scoreFused over n candidate rows and `layouts` layouts. */
export function fusedScratch(n: number, k: number, layouts: number) {
  return {
    lowIdx: Array.from({ length: layouts }, () => new Int32Array(k)),
    lowD: new Float64Array(k),
    highIdx: new Int32Array(k),
    highD: new Float64Array(k),
    inHigh: new Uint8Array(n),
    /** Raw distance of each layout's 2-D neighbours, layout-major; then sorted, and the rows below each. */
    thr: new Float64Array(layouts * k),
    sorted: new Float64Array(layouts * k),
    below: new Float64Array(layouts * k),
    nnSum: new Float64Array(layouts),
    trustSum: new Float64Array(layouts),
  };
}

/**
 * Add one query's shares of nn and trust to the sums in `s`, in one pass over its squared raw
 * distances |q|^2 + |x_j|^2 - 2 q.x_j (from `qq`, `norms` and its row of products `d` at `off`) to
 * the n candidate rows: its k nearest rows against its k nearest in each layout, and for each 2-D
 * neighbour missing from them, trust's max(0, rank - k) with rank = 1 + the rows nearer than it
 * (sklearn's trustworthiness). The 2-D neighbours come first (they do not depend on the raw
 * distances), so the pass that finds the k nearest raw rows also counts the rows nearer than each of
 * them, and the distances are never written to a row array: at 60,000 rows x 128 queries a distance
 * row, a top-k pass and a rank pass were a third of the live metrics' time.
 * @param i the query's own row (skipped)
 */
export function scoreFused(d: Float32Array, off: number, norms: Float32Array, qq: number, i: number, n: number, lows: readonly Float32Array[], k: number, s: ReturnType<typeof fusedScratch>): void {
  const { lowIdx, lowD, highIdx, highD, inHigh, thr, sorted, below } = s;
  const m = lows.length * k;
  for (let l = 0; l < lows.length; l++) {
    lowNeighbours(lows[l], i, k, lowIdx[l], lowD);
    for (let a = 0; a < k; a++) {
      const j = lowIdx[l][a];
      thr[l * k + a] = Math.max(0, qq + norms[j] - 2 * d[off + j]);
    }
  }
  sorted.set(thr);
  sorted.sort();
  const top = sorted[m - 1];
  below.fill(0);
  let filled = 0;
  let worst = Infinity;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const v = Math.max(0, qq + norms[j] - 2 * d[off + j]);
    if (v < top) {
      let t = 0;
      while (v >= sorted[t]) t++;
      below[t]++;
    }
    if (filled === k && v >= worst) continue;
    filled = insertNearest(highD, highIdx, filled, k, v, j);
    if (filled === k) worst = highD[k - 1];
  }
  // Cumulative: below[t] = rows nearer than sorted[t].
  for (let t = 1; t < m; t++) below[t] += below[t - 1];
  for (let a = 0; a < k; a++) inHigh[highIdx[a]] = 1;
  for (let l = 0; l < lows.length; l++) {
    let shared = 0;
    for (let a = 0; a < k; a++) {
      if (inHigh[lowIdx[l][a]]) {
        shared++;
        continue;
      }
      const rank = 1 + below[firstAtLeast(sorted, m, thr[l * k + a])];
      s.trustSum[l] += Math.max(0, rank - k);
    }
    s.nnSum[l] += shared / k;
  }
  for (let a = 0; a < k; a++) inHigh[highIdx[a]] = 0;
}

/** Index of the first entry of sorted[0..m) not below v (v is one of them). */
function firstAtLeast(sorted: Float64Array, m: number, v: number): number {
  let t = 0;
  while (t < m - 1 && sorted[t] < v) t++;
  return t;
}

/** nn and trust (sklearn's normalisation over nq queries, n rows) from the summed parts. */
export function finishScores(nnSum: Float64Array, trustSum: Float64Array, nq: number, k: number, n: number): Faithfulness[] {
  return Array.from(nnSum, (s, l) => ({ nn: s / nq, trust: 1 - (2 / (nq * k * (2 * n - 3 * k - 1))) * trustSum[l] }));
}

/** The k nearest other points of point i in a 2-D layout, by brute force (cheaper than a tensor round trip). */
export function lowNeighbours(low: Float32Array, i: number, k: number, idx: Int32Array, dist: Float64Array): void {
  const n = low.length / 2;
  const xi = low[2 * i];
  const yi = low[2 * i + 1];
  let filled = 0;
  let worst = Infinity;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const dx = low[2 * j] - xi;
    const dy = low[2 * j + 1] - yi;
    const dd = dx * dx + dy * dy;
    if (filled === k && dd >= worst) continue;
    filled = insertNearest(dist, idx, filled, k, dd, j);
    if (filled === k) worst = dist[k - 1];
  }
}

/**
 * Robust size of a layout: the diagonal of the box between the 0.5th and 99.5th percentiles of x
 * and of y, so that a few outliers do not shrink every scaled metric.
 */
export function layoutDiameter(pos: Float32Array): number {
  const n = pos.length / 2;
  if (n === 0) return 0;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = pos[2 * i];
    ys[i] = pos[2 * i + 1];
  }
  xs.sort();
  ys.sort();
  const lo = Math.floor(0.005 * (n - 1));
  const hi = Math.ceil(0.995 * (n - 1));
  return Math.hypot(xs[hi] - xs[lo], ys[hi] - ys[lo]);
}

/**
 * Mean displacement of the same ids between two layouts, divided by the current diameter.
 * @returns NaN when no id is shared or the diameter is 0
 */
export function stability(prevIds: Float64Array, prevPos: Float32Array, ids: Float64Array, pos: Float32Array, diameter: number): number {
  const where = new Map<number, number>();
  for (let i = 0; i < prevIds.length; i++) where.set(prevIds[i], i);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const p = where.get(ids[i]);
    if (p === undefined) continue;
    sum += Math.hypot(pos[2 * i] - prevPos[2 * p], pos[2 * i + 1] - prevPos[2 * p + 1]);
    count++;
  }
  if (count === 0 || !(diameter > 0)) return NaN;
  return sum / count / diameter;
}

/** Class geometry of a layout (docs/method.md#metrics), scale-free. */
export interface ClassGeometry {
  /** Mean distance between class means / diameter. */
  readonly D: number;
  /** Mean over classes of the mean squared distance to the class mean / diameter^2. */
  readonly V: number;
}

/**
 * D and V over the classes present (at least two points... one class gives D = NaN).
 * @param pos n*2 positions
 * @param labels n class indices (negative = unlabelled, skipped)
 */
export function classGeometry(pos: Float32Array, labels: Int32Array, diameter: number): ClassGeometry {
  const sums = new Map<number, [number, number, number]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0) continue;
    let s = sums.get(c);
    if (!s) sums.set(c, (s = [0, 0, 0]));
    s[0] += pos[2 * i];
    s[1] += pos[2 * i + 1];
    s[2]++;
  }
  const classes = [...sums.keys()].sort((a, b) => a - b);
  const mean = new Map<number, [number, number]>();
  for (const c of classes) {
    const s = sums.get(c)!;
    mean.set(c, [s[0] / s[2], s[1] / s[2]]);
  }
  const spread = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0) continue;
    const m = mean.get(c)!;
    spread.set(c, (spread.get(c) ?? 0) + (pos[2 * i] - m[0]) ** 2 + (pos[2 * i + 1] - m[1]) ** 2);
  }
  let v = 0;
  for (const c of classes) v += spread.get(c)! / sums.get(c)![2];
  v /= Math.max(1, classes.length);
  let dSum = 0;
  let pairs = 0;
  for (let a = 0; a < classes.length; a++) {
    for (let b = a + 1; b < classes.length; b++) {
      const ma = mean.get(classes[a])!;
      const mb = mean.get(classes[b])!;
      dSum += Math.hypot(ma[0] - mb[0], ma[1] - mb[1]);
      pairs++;
    }
  }
  if (!(diameter > 0)) return { D: NaN, V: NaN };
  return { D: pairs > 0 ? dSum / pairs / diameter : NaN, V: classes.length > 0 ? v / (diameter * diameter) : NaN };
}
