/**
 * Non-parametric UMAP refinement: a short run of UMAP's own stochastic layout optimisation on a
 * fuzzy graph, started from given positions (the encoder's output or the previous layout). A purely
 * parametric encoder plateaus below umap-js in neighbour preservation; a warm start needs tens of
 * epochs of this, not hundreds, to close the gap (docs/engine-choices.md#refinement).
 */
import type { EdgeList } from './fuzzy-graph.js';
import type { Rng } from '../util/random.js';

/** Settings of one refinement run. */
export interface RefineOptions {
  /** Curve parameters of q(d) = 1 / (1 + a d^(2b)). */
  readonly a: number;
  readonly b: number;
  /** Epochs (passes over the graph, as in UMAP). */
  readonly epochs: number;
  /** Initial learning rate, decayed linearly to 0 (UMAP: 1 from scratch; smaller when warm). */
  readonly alpha: number;
  /** Negative samples per positive sample (UMAP: 5). */
  readonly negatives?: number;
  /** Stop early when this clock time (performance.now()) is reached... */
  readonly deadline?: number;
  /** ...but never before this many epochs (a layout must follow the new graph at least a little) [0]. */
  readonly minEpochs?: number;
  /**
   * Optional pull towards anchor positions (n*2; NaN = no anchor), strength per epoch: keeps points
   * whose neighbourhood did not change where they were.
   */
  readonly anchors?: Float32Array;
  readonly anchorStrength?: number;
  /**
   * Start each edge's schedule at a random phase of its period instead of a full period in [false].
   * A short warm run (tens of epochs) from phase 0 never visits edges whose period is longer than
   * the run; from a random phase each is visited with probability epochs / period per run, so over
   * several runs every edge gets its share.
   */
  readonly randomPhase?: boolean;
  /**
   * The first this many points never move [0]: settling new points into a shown layout (transform.ts).
   * An edge between two of them does nothing; a fixed head draws no negatives (they would move it only).
   */
  readonly fixed?: number;
}

/** What a run did. */
export interface RefineResult {
  readonly epochs: number;
}

/** UMAP clips every gradient component at 4. */
const CLIP = 4;

/**
 * Optimise positions in place.
 * @param pos n*2 positions (changed in place)
 * @param graph undirected edges among the n points
 * @param rng negative samples
 */
export function refineLayout(out: Float32Array, graph: EdgeList, rng: Rng, opts: RefineOptions): RefineResult {
  const n = graph.n;
  if (out.length !== n * 2) throw new Error(`refineLayout: positions hold ${out.length / 2} points, graph has ${n}`);
  // Work in float64: float32 stores in the hot loop cost conversions and accumulate rounding.
  const pos = Float64Array.from(out);
  if (!(opts.epochs >= 0)) throw new Error(`refineLayout: epochs must be >= 0, got ${opts.epochs}`);
  const m = graph.from.length;
  if (m === 0 || n < 2 || opts.epochs === 0) return { epochs: 0 };
  const { a, b } = opts;
  const negRate = opts.negatives ?? 5;
  let wmax = 0;
  for (let e = 0; e < m; e++) wmax = Math.max(wmax, graph.weight[e]);
  // UMAP's schedule: edge e is sampled every wmax/w_e epochs, its negatives negRate times as often.
  const eps = new Float64Array(m);
  const nextPos = new Float64Array(m);
  const epsNeg = new Float64Array(m);
  const nextNeg = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    eps[e] = wmax / graph.weight[e];
    const phase = opts.randomPhase ? 1 - rng.next() : 1;
    nextPos[e] = phase * eps[e];
    epsNeg[e] = eps[e] / negRate;
    nextNeg[e] = phase * epsNeg[e];
  }
  const anchors = opts.anchors;
  const pull = opts.anchorStrength ?? 0;
  const hold = opts.fixed ?? 0;
  const tables = kernelTables(a, b);
  const att = tables.att;
  const rep = tables.rep;
  // xorshift32 inlined in the hot loop (a closure call per negative sample costs ~30% here).
  let seed = (Math.floor(rng.next() * 4294967296) | 1) >>> 0;
  let done = 0;
  // Under a deadline the run is re-planned from the measured epoch time, so that the learning
  // rate still decays to ~0 by the last epoch that fits (a cut-off mid-schedule leaves the layout hot).
  let planned = opts.epochs;
  const start = performance.now();
  for (let epoch = 0; epoch < planned; epoch++) {
    if (opts.deadline !== undefined) {
      const now = performance.now();
      const floor = Math.min(opts.epochs, opts.minEpochs ?? 0);
      if (now >= opts.deadline && epoch >= floor) break;
      if (epoch > 0) {
        const per = (now - start) / epoch;
        const fit = epoch + Math.floor(Math.max(0, opts.deadline - now) / per);
        planned = Math.max(epoch + 1, floor, Math.min(opts.epochs, fit));
      } else if (now >= opts.deadline) {
        planned = Math.max(1, floor);
      }
    }
    const alpha = opts.alpha * (1 - epoch / planned);
    const t = epoch + 1;
    for (let e = 0; e < m; e++) {
      if (nextPos[e] > t) continue;
      // Each undirected edge stands for both directed entries of UMAP's symmetric matrix.
      for (let dir = 0; dir < 2; dir++) {
        const i = dir === 0 ? graph.from[e] : graph.to[e];
        const j = dir === 0 ? graph.to[e] : graph.from[e];
        let xi = pos[2 * i];
        let yi = pos[2 * i + 1];
        const dx = xi - pos[2 * j];
        const dy = yi - pos[2 * j + 1];
        const d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const c = lookup(att, d2, a, b, true);
          const gx = clip(c * dx) * alpha;
          const gy = clip(c * dy) * alpha;
          if (i >= hold) {
            xi += gx;
            yi += gy;
          }
          if (j >= hold) {
            pos[2 * j] -= gx;
            pos[2 * j + 1] -= gy;
          }
        }
        if (i < hold) continue;
        const nNeg = Math.floor((t - nextNeg[e]) / epsNeg[e]) + 1;
        for (let s = 0; s < nNeg; s++) {
          seed ^= seed << 13;
          seed ^= seed >>> 17;
          seed ^= seed << 5;
          const k = (seed & 0x7fffffff) % n;
          if (k === i) continue;
          const ex = xi - pos[2 * k];
          const ey = yi - pos[2 * k + 1];
          const q2 = ex * ex + ey * ey;
          if (q2 > 0) {
            const c = lookup(rep, q2, a, b, false);
            xi += clip(c * ex) * alpha;
            yi += clip(c * ey) * alpha;
          }
        }
        pos[2 * i] = xi;
        pos[2 * i + 1] = yi;
      }
      nextPos[e] += eps[e];
      const nNegDone = Math.floor((t - nextNeg[e]) / epsNeg[e]) + 1;
      nextNeg[e] += nNegDone * epsNeg[e];
    }
    if (anchors && pull > 0) {
      const s = pull * (alpha / opts.alpha);
      for (let i = 0; i < n; i++) {
        const ax = anchors[2 * i];
        if (Number.isNaN(ax)) continue;
        pos[2 * i] += s * (ax - pos[2 * i]);
        pos[2 * i + 1] += s * (anchors[2 * i + 1] - pos[2 * i + 1]);
      }
    }
    done++;
  }
  out.set(pos);
  return { epochs: done };
}

/** Kernel tables are sampled in d = sqrt(d2) on [0, TABLE_MAX) with TABLE_STEPS steps per unit. */
const TABLE_MAX = 64;
const TABLE_STEPS = 256;

/** Gradient coefficients as functions of the squared distance (UMAP's formulas). */
function attCoef(d2: number, a: number, b: number): number {
  const pw = Math.pow(d2, b);
  return (-2 * a * b * (pw / d2)) / (a * pw + 1);
}
function repCoef(d2: number, a: number, b: number): number {
  return (2 * b) / ((0.001 + d2) * (a * Math.pow(d2, b) + 1));
}

const tableCache = new Map<string, { att: Float64Array; rep: Float64Array }>();

/**
 * Tabulated coefficients: Math.pow with a non-integer exponent costs ~50-90 ns in V8 here and was
 * most of the layout loop; a table in sqrt(d2) with linear interpolation is exact to ~1e-4 where it
 * matters (gradients are clipped at 4 near 0 anyway).
 */
export function kernelTables(a: number, b: number): { att: Float64Array; rep: Float64Array } {
  const key = `${a},${b}`;
  let t = tableCache.get(key);
  if (!t) {
    const size = TABLE_MAX * TABLE_STEPS + 2;
    const att = new Float64Array(size);
    const rep = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      // Index 0 stands for a tiny positive distance (the formulas are singular at 0).
      const d = Math.max(i, 0.25) / TABLE_STEPS;
      att[i] = attCoef(d * d, a, b);
      rep[i] = repCoef(d * d, a, b);
    }
    t = { att, rep };
    tableCache.set(key, t);
  }
  return t;
}

export function lookup(table: Float64Array, d2: number, a: number, b: number, attractive: boolean): number {
  const x = Math.sqrt(d2) * TABLE_STEPS;
  if (x >= TABLE_MAX * TABLE_STEPS) return attractive ? attCoef(d2, a, b) : repCoef(d2, a, b);
  const i = x | 0;
  const f = x - i;
  return table[i] + f * (table[i + 1] - table[i]);
}

function clip(v: number): number {
  return v > CLIP ? CLIP : v < -CLIP ? -CLIP : v;
}

/**
 * Fit (a, b) of q(d) = 1/(1 + a d^(2b)) to UMAP's target curve: 1 for d < minDist, else
 * exp(-(d - minDist)/spread). Least squares by Gauss-Newton on a grid of d in (0, 3*spread].
 */
export function fitAB(minDist: number, spread: number): { a: number; b: number } {
  if (!(spread > 0) || !(minDist >= 0) || minDist >= spread) {
    throw new Error(`fitAB: need 0 <= minDist < spread, got minDist=${minDist}, spread=${spread}`);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 1; i <= 300; i++) {
    const d = (3 * spread * i) / 300;
    xs.push(d);
    ys.push(d < minDist ? 1 : Math.exp(-(d - minDist) / spread));
  }
  let a = 1.5;
  let b = 0.9;
  for (let it = 0; it < 200; it++) {
    // Normal equations of the 2-parameter Gauss-Newton step.
    let jaa = 0, jab = 0, jbb = 0, ra = 0, rb = 0;
    for (let i = 0; i < xs.length; i++) {
      const d = xs[i];
      const p = Math.pow(d, 2 * b);
      const f = 1 / (1 + a * p);
      const r = f - ys[i];
      const dfa = -p * f * f;
      const dfb = -a * p * 2 * Math.log(d) * f * f;
      jaa += dfa * dfa;
      jab += dfa * dfb;
      jbb += dfb * dfb;
      ra += dfa * r;
      rb += dfb * r;
    }
    const det = jaa * jbb - jab * jab;
    if (Math.abs(det) < 1e-30) break;
    const da = (jbb * ra - jab * rb) / det;
    const db = (jaa * rb - jab * ra) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}
