/**
 * Approximate kNN by NN-descent (Dong, Charikar & Li, 2011): "a neighbour of a neighbour is likely
 * a neighbour". Each round, for every row v, the entries of v's list that arrived since the last
 * round ("new") and those that did not ("old"), each joined with the rows that list v (reverse
 * neighbours), are compared pairwise (new-new and new-old; old-old pairs were compared before) and
 * every pair offered to both lists. Rounds stop when almost no list changes. Distances are exact;
 * only the candidate set is heuristic. Its recall against the exact search is held by
 * test/engine/knn-descent.test.ts.
 *
 * Started from the previous epoch's graph (warm, the live case) it needs one or two rounds; started
 * from random-projection trees (rp-forest.ts, a cold epoch) a few more. Either way the cost is about
 * n * (candidates^2) distances per round, linear in n, where the exact blocked search is quadratic:
 * at 50,000 rows that is the difference between tens of seconds and well under one.
 */
import type { Rng } from '../util/random.js';
import { emptyLists, offer, rowDist2, type KnnLists } from './knn-heap.js';
import { offerForest } from './rp-forest.js';
import type { KnnResult, Matrix } from './knn.js';

/** How a search starts and how hard it works. */
export interface DescentOptions {
  /**
   * Start lists (rows*kInit row indices, -1 = unknown), e.g. the previous epoch's graph mapped to
   * this epoch's rows. Absent: random-projection trees.
   */
  readonly init?: Int32Array;
  readonly kInit?: number;
  /** Random candidates offered to every row besides the start lists [4]. */
  readonly random?: number;
  /** Random-projection trees offered in addition to (or without) init [0 with init, 4 without]. */
  readonly trees?: number;
  /** Largest number of rounds [8]. */
  readonly maxRounds?: number;
  /**
   * Stop when a round changed fewer than delta * n * k list entries [0.001: pynndescent's default;
   * below that another round costs as much as the first and finds almost nothing].
   */
  readonly delta?: number;
  /**
   * New (and, separately, old) candidates per row and round, forward and reverse together [12].
   * The join costs about candidates^2 distances per row: 12 keeps a round at ~150 distances per
   * row (k = 15), the sampling rate pynndescent calls rho ~ 0.5-1 of 2k.
   */
  readonly candidates?: number;
}

/** What the search did (for tests and the phase log). */
export interface DescentStats {
  readonly rounds: number;
  /** Distances computed. */
  readonly evals: number;
}

/** Leaf size of the start trees: pairs per leaf grow as its square; about 2k, as pynndescent. */
const LEAF_PER_K = 2;

/**
 * The k nearest other rows of every row of m.
 * @param m rows (the graphs' coordinates)
 * @param k neighbours per row (1 <= k < rows)
 * @param rng random candidates, tree splits and candidate sampling
 */
export function knnDescent(m: Matrix, k: number, rng: Rng, opts: DescentOptions = {}): KnnResult & { readonly stats: DescentStats } {
  const n = m.rows;
  const cols = m.cols;
  const x = m.data;
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new Error(`knnDescent: need 1 <= k < n, got k=${k}, n=${n}`);
  const init = opts.init;
  const kInit = opts.kInit ?? 0;
  if (init && init.length !== n * kInit) throw new Error(`knnDescent: start lists hold ${init.length} entries for ${n}x${kInit}`);
  const lists = emptyLists(n, k);
  let evals = 0;
  if (init) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < kInit; t++) {
        const j = init[i * kInit + t];
        if (j < 0 || j === i) continue;
        offer(lists, i, j, rowDist2(x, cols, i, j));
        evals++;
      }
    }
  }
  const trees = opts.trees ?? (init ? 0 : 4);
  if (trees > 0) evals += offerForest(x, cols, lists, trees, Math.max(8, LEAF_PER_K * k), rng);
  const random = opts.random ?? 4;
  for (let i = 0; i < n; i++) {
    // A row with an empty list (no history, a one-row leaf) gets k random starts at least.
    const extra = lists.idx[i * k] < 0 ? Math.max(random, k) : random;
    for (let e = 0; e < extra; e++) {
      const j = rng.int(n);
      if (j === i) continue;
      offer(lists, i, j, rowDist2(x, cols, i, j));
      evals++;
    }
  }
  const maxRounds = opts.maxRounds ?? 8;
  const delta = opts.delta ?? 0.001;
  const cap = opts.candidates ?? 12;
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const { changes, evals: e } = descentRound(lists, x, cols, cap, rng);
    evals += e;
    if (changes <= delta * n * k) {
      rounds++;
      break;
    }
  }
  const indices = lists.idx;
  const distances = new Float32Array(n * k);
  for (let e = 0; e < n * k; e++) distances[e] = Math.sqrt(lists.d2[e]);
  return { k, indices, distances, stats: { rounds, evals } };
}

/**
 * One round: build each row's new and old candidate sets (forward entries plus reverse ones,
 * sampled down to `cap` each), mark the forward new entries old, and join.
 */
function descentRound(l: KnnLists, x: Float32Array, cols: number, cap: number, rng: Rng): { changes: number; evals: number } {
  const { n, k, idx, fresh } = l;
  const newC = new Int32Array(n * cap).fill(-1);
  const oldC = new Int32Array(n * cap).fill(-1);
  const newN = new Int32Array(n);
  const oldN = new Int32Array(n);
  // Reservoir counters: every candidate of a row has the same chance to be kept once the set is full.
  const newSeen = new Int32Array(n);
  const oldSeen = new Int32Array(n);
  const add = (c: Int32Array, cnt: Int32Array, seen: Int32Array, v: number, u: number): void => {
    const s = seen[v]++;
    if (cnt[v] < cap) {
      for (let t = 0; t < cnt[v]; t++) if (c[v * cap + t] === u) return;
      c[v * cap + cnt[v]++] = u;
    } else {
      const r = rng.int(s + 1);
      if (r < cap) {
        for (let t = 0; t < cap; t++) if (c[v * cap + t] === u) return;
        c[v * cap + r] = u;
      }
    }
  };
  for (let v = 0; v < n; v++) {
    for (let t = 0; t < k; t++) {
      const e = v * k + t;
      const u = idx[e];
      if (u < 0) break;
      if (fresh[e]) {
        add(newC, newN, newSeen, v, u);
        add(newC, newN, newSeen, u, v);
      } else {
        add(oldC, oldN, oldSeen, v, u);
        add(oldC, oldN, oldSeen, u, v);
      }
    }
  }
  // Entries that made it into a candidate set have been joined from now on.
  for (let v = 0; v < n; v++) {
    for (let t = 0; t < newN[v]; t++) {
      const u = newC[v * cap + t];
      const o = v * k;
      for (let s = 0; s < k; s++) if (idx[o + s] === u) fresh[o + s] = 0;
    }
  }
  let changes = 0;
  let evals = 0;
  for (let v = 0; v < n; v++) {
    const nb = v * cap;
    const nn = newN[v];
    const on = oldN[v];
    for (let a = 0; a < nn; a++) {
      const p = newC[nb + a];
      for (let b = a + 1; b < nn; b++) {
        const q = newC[nb + b];
        if (p === q) continue;
        const d = rowDist2(x, cols, p, q);
        changes += offer(l, p, q, d) + offer(l, q, p, d);
        evals++;
      }
      for (let b = 0; b < on; b++) {
        const q = oldC[nb + b];
        if (p === q) continue;
        const d = rowDist2(x, cols, p, q);
        changes += offer(l, p, q, d) + offer(l, q, p, d);
        evals++;
      }
    }
  }
  return { changes, evals };
}
