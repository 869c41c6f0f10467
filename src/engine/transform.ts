/**
 * Settling placed points (the test split) into the shown layout, which does not move: UMAP's own
 * optimiser (refine.ts) runs on the part of the fuzzy graph of train + test rows that touches a
 * test row, with the train points held. Unlike umap-learn's `transform` (each new point pulled only
 * by its own edges to the layout, 5 negatives per pull), a test point here meets what a laid-out
 * point meets: fuzzy-union weights (the train rows that would list it pull too, as the refinement's
 * two directions of each edge do), edges to the other test points (both ends move), negatives among
 * train + test. Measured in docs/engine-choices.md#test-placement.
 */
import type { KnnResult } from './knn.js';
import { smoothKnn, type EdgeList, type Smoothing } from './fuzzy-graph.js';
import type { Rng } from '../util/random.js';
import { refineLayout } from './refine.js';

/** Settings of a settling run. */
export interface SettleOptions {
  /** q(d) curve. */
  readonly a: number;
  readonly b: number;
  /** Epochs of the schedule. */
  readonly epochs: number;
  /** Initial learning rate, decayed linearly to 0. */
  readonly alpha: number;
}

/** The train rows' own kNN lists and their rho and sigma (layout-graph.ts). */
export interface TrainLists {
  readonly knn: KnnResult;
  readonly smoothing: Smoothing;
}

/**
 * The part of the fuzzy graph of train + test rows that touches a test row, over f + q vertices
 * (train row j is vertex j, test row r is f + r), each pair once with its fuzzy-union weight as in
 * fuzzy-graph.ts. A test row's own memberships come from its joint list. A train row j lists test
 * row r when r is nearer than j's k-th train neighbour; its membership then uses j's own rho and
 * sigma (from its train list). Only train rows in r's train list are tried (where the reverse edges
 * are: a kNN relation is mostly mutual). Without train lists, test rows' memberships alone.
 * @param jointNn each test row's k neighbours among train + test (joint-knn.ts)
 * @param trainNn each test row's neighbours among the train rows
 * @param train each train row's k train neighbours and their smoothing (the layout graph's)
 * @param f train rows
 */
export function settleGraph(jointNn: KnnResult, trainNn: KnnResult, train: TrainLists | undefined, f: number): EdgeList {
  const k = jointNn.k;
  const q = jointNn.indices.length / k;
  const kt = trainNn.k;
  const own = smoothKnn(jointNn);
  const member = new Float64Array(q * k);
  for (let i = 0; i < q; i++) {
    for (let u = 0; u < k; u++) {
      const d = jointNn.distances[i * k + u] - own.rho[i];
      member[i * k + u] = jointNn.indices[i * k + u] < 0 ? 0 : d > 0 ? Math.exp(-d / own.sigma[i]) : 1;
    }
  }
  const reverse = train ? reverseMembership(trainNn, train) : undefined;
  const cap = q * (kt + k);
  const from = new Int32Array(cap);
  const to = new Int32Array(cap);
  const weight = new Float32Array(cap);
  // Each test row's membership of a train row, looked up by train row (stamped with the test row).
  const ownOf = new Int32Array(f).fill(-1);
  const ownMember = new Float64Array(f);
  let m = 0;
  const emit = (lo: number, hi: number, a: number, b: number): void => {
    const w = a + b - a * b;
    if (!(w > 0)) return;
    from[m] = lo;
    to[m] = hi;
    weight[m++] = w;
  };
  for (let i = 0; i < q; i++) {
    const o = i * k;
    for (let u = 0; u < k; u++) {
      const v = jointNn.indices[o + u];
      if (v >= 0 && v < f) {
        ownOf[v] = i;
        ownMember[v] = member[o + u];
      }
    }
    // Train partners: every train row the test row or the train row lists.
    for (let t = 0; t < kt; t++) {
      const j = trainNn.indices[i * kt + t];
      if (j < 0) continue;
      emit(j, f + i, ownOf[j] === i ? ownMember[j] : 0, reverse ? reverse[i * kt + t] : 0);
    }
    // Test partners: once per pair, from the lower row or from the only row listing the other.
    for (let u = 0; u < k; u++) {
      const v = jointNn.indices[o + u];
      if (v < f) continue;
      const r = v - f;
      let back = -1;
      for (let t = 0; t < k; t++) if (jointNn.indices[r * k + t] === f + i) back = t;
      if (i > r && back >= 0) continue;
      emit(f + Math.min(i, r), f + Math.max(i, r), member[o + u], back >= 0 ? member[r * k + back] : 0);
    }
  }
  return { n: f + q, from: from.slice(0, m), to: to.slice(0, m), weight: weight.slice(0, m) };
}

/** For each (test row, train neighbour) entry, the train row's membership of the test row (0 when it would not list it). */
function reverseMembership(trainNn: KnnResult, train: TrainLists): Float64Array {
  const k = train.knn.k;
  const { rho, sigma } = train.smoothing;
  const out = new Float64Array(trainNn.indices.length);
  for (let e = 0; e < out.length; e++) {
    const j = trainNn.indices[e];
    const d = trainNn.distances[e];
    // Listed when nearer than the row's k-th neighbour (an empty slot lists anything).
    if (j < 0 || !(d < train.knn.distances[j * k + k - 1] || train.knn.indices[j * k + k - 1] < 0)) continue;
    const x = d - rho[j];
    out[e] = x > 0 ? Math.exp(-x / sigma[j]) : 1;
  }
  return out;
}

/**
 * Settle q new points into a fixed layout on their part of the joint fuzzy graph (settleGraph):
 * UMAP's optimiser (refine.ts) over train + new points with the train points held, negatives drawn
 * among all of them, so a new point meets the same pulls and pushes as a laid-out one.
 * @param pos q*2 start positions (changed in place)
 * @param fixed f*2 laid-out positions (not changed)
 */
export function settleJoint(pos: Float32Array, fixed: Float32Array, graph: EdgeList, rng: Rng, opts: SettleOptions): void {
  const f = fixed.length / 2;
  if (graph.n !== f + pos.length / 2) throw new Error(`settleJoint: graph has ${graph.n} vertices, ${f} fixed + ${pos.length / 2} to settle`);
  const all = new Float32Array(2 * graph.n);
  all.set(fixed);
  all.set(pos, 2 * f);
  refineLayout(all, graph, rng, { a: opts.a, b: opts.b, epochs: opts.epochs, alpha: opts.alpha, fixed: f });
  pos.set(all.subarray(2 * f));
}
