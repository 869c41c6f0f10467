/**
 * The layout graph: the fuzzy kNN graph that UMAP's optimiser refines the shown layout on. Over
 * all train points its kNN search is warm-started from the previous epoch's graph (matched by id),
 * with an exact search every few updates and whenever many neighbourhoods changed
 * (docs/engine-choices.md#warm-knn). The share of changed neighbours also sets how fast the layout
 * may move (see train-layout.ts).
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import { knnSelf, type KnnResult, type Matrix } from './knn.js';
import { knnWarm } from './knn-warm.js';
import { knnDescent } from './knn-descent.js';
import { fuzzyGraph, smoothKnn, type EdgeList, type Smoothing } from './fuzzy-graph.js';
import { rowMap } from './arrays.js';
import type { EngineSettings } from './engine-options.js';

/** A run's layout-graph history (state across updates). */
export interface KnnHistory {
  /** The last layout kNN graph by id: the warm start of the next one. */
  prev?: { readonly ids: Float64Array; readonly k: number; readonly indices: Int32Array };
  /** Updates since the last exact search. */
  sinceExact: number;
  /** Share of layout-graph neighbours that changed since the previous epoch (0 = same graph, 1 = no history). */
  change: number;
}

/** The graph the layout is refined on, and the kNN lists it came from (over all train points). */
export interface LayoutGraph {
  /** Absent when refinement is off. */
  readonly graph?: EdgeList;
  /** Every train row's neighbours (refine 'all' only); the metrics reuse them. */
  readonly allKnn?: KnnResult;
  /** Their rho and sigma (with allKnn): settling the test split reuses them (transform.ts). */
  readonly smoothing?: Smoothing;
}

/** UMAP prunes edges below max/n_epochs; 200 is its small-data epoch count. */
const LAYOUT_PRUNE = 200;
/** Above this share of changed neighbours a warm kNN search is redone exactly. */
const WARM_KNN_MAX_CHANGE = 0.3;
/** A warm search needs the previous graph to know at least this share of today's rows. */
const MIN_WARM_COVERAGE = 0.5;
/**
 * Up to this many rows an exact search is affordable where one is due (cold, periodic refresh, a
 * poor warm start): about 2 s at 10,000 rows, and quadratic beyond (22 s at 50,000, issue 12).
 * Above it, random-projection trees take the exact search's place as NN-descent's fresh start.
 */
export const EXACT_KNN_MAX_ROWS = 10_000;
/** Trees added to a large warm search when an exact refresh is due, or the warm start was poor. */
const REFRESH_TREES = 2;
/**
 * Above EXACT_KNN_MAX_ROWS the warm search takes only the nearest 8 entries of each previous
 * neighbour's list as second-hop candidates: cost is linear in it, and on the drifting streams at
 * 5,000 rows recall was 0.998 / 0.972 (manifold / isotropic clusters) with 8 against 0.9998 / 0.987
 * with all 15, at half the time (scratch measurement, CPU time: 32 against 76 ms).
 */
const LARGE_HOP = 8;
/** Random candidates per row at scale (NN-descent's own default); 8 below it, as before. */
const WARM_RANDOM = 4;

/** A fresh history: the first graph is searched exactly. */
export function newKnnHistory(): KnnHistory {
  return { sinceExact: 0, change: 1 };
}

/**
 * Build this epoch's layout graph.
 * @param tf tfjs
 * @param history the run's layout-graph history (updated when all points are refined)
 * @param zg every train row in the graphs' coordinates
 * @param ids the train rows' ids
 * @param sampleKnn the sample's kNN lists (the graph of refine 'sample')
 * @param o settings: refine mode, k, layoutKnn, exactKnnEvery
 * @param rng the update's generator (the warm search draws from it)
 */
export function layoutGraph(tf: Tf, history: KnnHistory, zg: Matrix, ids: Float64Array, sampleKnn: KnnResult, o: EngineSettings, rng: Rng): LayoutGraph {
  if (o.refine === 'all') {
    const allKnn = layoutKnn(tf, history, zg, ids, o, rng);
    const smoothing = smoothKnn(allKnn);
    return { graph: fuzzyGraph(allKnn, LAYOUT_PRUNE, smoothing), allKnn, smoothing };
  }
  if (o.refine === 'sample') return { graph: fuzzyGraph(sampleKnn, LAYOUT_PRUNE) };
  return {};
}

/**
 * kNN of all train rows for the layout graph: warm-started from the previous graph (by id) when
 * it covers most rows, exact every `exactKnnEvery` updates or when requested.
 */
function layoutKnn(tf: Tf, history: KnnHistory, zm: Matrix, ids: Float64Array, o: EngineSettings, rng: Rng): KnnResult {
  const k = o.k;
  const n = zm.rows;
  const prev = history.prev;
  // Previous neighbour lists, by id, as rows of this epoch (-1 where unknown).
  let mapped: Int32Array | undefined;
  let covered = 0;
  if (prev) {
    const rowNow = rowMap(ids);
    const prevRowToNow = Int32Array.from(prev.ids, (id) => rowNow.get(id) ?? -1);
    const prevRowOf = rowMap(prev.ids);
    mapped = new Int32Array(n * prev.k).fill(-1);
    for (let i = 0; i < n; i++) {
      const p = prevRowOf.get(ids[i]);
      if (p === undefined) continue;
      covered++;
      for (let t = 0; t < prev.k; t++) {
        const q = prev.indices[p * prev.k + t];
        mapped[i * prev.k + t] = q >= 0 ? prevRowToNow[q] : -1;
      }
    }
  }
  let res: KnnResult | undefined;
  const large = n > EXACT_KNN_MAX_ROWS;
  const refreshDue = history.sinceExact + 1 >= o.exactKnnEvery;
  if (o.layoutKnn === 'warm' && prev && mapped && covered >= MIN_WARM_COVERAGE * n && (!refreshDue || large)) {
    // At scale a due refresh is NN-descent from the previous graph plus fresh trees, not an exact search.
    res = large && refreshDue
      ? knnDescent(zm, Math.min(k, n - 1), rng, { init: mapped, kInit: prev.k, trees: REFRESH_TREES })
      : knnWarm(tf, zm, Math.min(k, n - 1), mapped, prev.k, rng, large ? WARM_RANDOM : undefined, large ? LARGE_HOP : undefined);
    history.sinceExact = refreshDue ? 0 : history.sinceExact + 1;
    // Many changed neighbourhoods: the old graph was a poor guide, so its search is not to be trusted.
    if (neighbourChange(mapped, prev.k, res.indices, res.k) > WARM_KNN_MAX_CHANGE) {
      res = large ? knnDescent(zm, Math.min(k, n - 1), rng, { init: res.indices, kInit: res.k, trees: REFRESH_TREES }) : undefined;
    }
  }
  if (!res) {
    // Cold (or no usable history): exact while affordable, else NN-descent from random-projection trees.
    res = large ? knnDescent(zm, Math.min(k, n - 1), rng) : knnSelf(tf, zm, Math.min(k, n - 1));
    history.sinceExact = 0;
  }
  history.change = prev && mapped && covered > 0 ? neighbourChange(mapped, prev.k, res.indices, res.k) : 1;
  history.prev = { ids, k: res.k, indices: res.indices };
  return res;
}

/** Share of the new neighbour lists not present in the previous lists (rows with no history skipped). */
function neighbourChange(prev: Int32Array, kPrev: number, next: Int32Array, k: number): number {
  const n = next.length / k;
  let changed = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (prev[i * kPrev] < 0) continue;
    for (let t = 0; t < k; t++) {
      const j = next[i * k + t];
      let found = false;
      for (let u = 0; u < kPrev; u++) if (prev[i * kPrev + u] === j) found = true;
      if (!found) changed++;
      total++;
    }
  }
  return total > 0 ? changed / total : 1;
}
