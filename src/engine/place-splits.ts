/**
 * Placing the splits that were not trained on (e.g. 'test'): standardised with the train split's
 * statistics, projected into its basis, put through the encoder, then moved by the displacement
 * that refinement gave their nearest train points (docs/method.md#placement).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import type { EpochData } from '../model/epoch-data.js';
import { projectRows, type Basis } from './pca.js';
import { knnSearch, matrix, type KnnResult, type Matrix } from './knn.js';
import { knnGraphSearch } from './knn-graph-search.js';
import { placeByDisplacement } from './placement.js';
import type { Standardisation } from './standardise.js';
import type { Projector } from './projector.js';
import { selectColumns, type Reduced } from './reduce.js';
import type { PlacedSplit } from './assemble.js';
import type { TrainLayout } from './train-layout.js';
import type { EngineSettings } from './engine-options.js';
import { settleGraph, settleJoint } from './transform.js';
import type { Rng } from '../util/random.js';
import { jointKnn } from './joint-knn.js';
import { rememberNeighbours, startRows, type PlacedNeighbours } from './place-memory.js';
import { rowMap } from './arrays.js';
import type { LayoutGraph } from './layout-graph.js';

/** What settling needs (engine's curve and the update's generator); absent: no settling. */
export interface SettleWith {
  readonly ab: { readonly a: number; readonly b: number };
  readonly rng: Rng;
}

/**
 * Initial learning rate of settling. umap-learn's transform starts at 0.25; on the joint graph 0.05
 * kept more test neighbours on both recorded runs (demo 0.578 against 0.574, PyTorch CNN 0.690
 * against 0.683, 100 epochs) and at scale (0.630 in 10 epochs against 0.626 in 30 at 0.25): the
 * start is already near its place, and a hot start shakes test points out of it (issue 15,
 * docs/engine-choices.md#test-placement).
 */
const SETTLE_ALPHA = 0.05;
/**
 * Above this many train rows, settling runs at most 5 epochs. There the start is the fuzzy mean of
 * the train neighbours' positions, already close, and placing 10,000 test points must fit in 300 ms
 * (issue 12). On the 50,000 + 10,000 stream's second epoch (reproducible work, test nn15 over
 * 1,000 query rows, `npx tsx bench/settle-scale.ts`): no settling 0.636, 5 epochs 0.638, 10 epochs
 * 0.643. The joint graph and its 10 epochs took ~170 ms of a ~310 ms place phase; 5 epochs save ~45.
 */
const LARGE_TRAIN = 10_000;
const LARGE_SETTLE_EPOCHS = 5;
/**
 * Up to this many query x train pairs the neighbours are searched exactly (5,000 x 1,000 is 5M);
 * beyond, by a walk on the layout graph (knn-graph-search.ts): 10,000 x 50,000 exactly took 4-7 s.
 */
const EXACT_PLACE_PAIRS = 25_000_000;

/**
 * @param tf tfjs
 * @param splits every split, in output order
 * @param trainSplit the one trained on (placed already: `layout`)
 * @param reduced the train split reduced
 * @param projector this update's projector
 * @param layout the train split's layout and encoder
 * @param o settings: k, refine (with refinement off, the encoder's output is the position)
 * @param settle settling's curve and generator (the graph search's pool is drawn from it too)
 * @param graph the train rows' layout kNN lists (the graph search at scale; settling) and their smoothing
 * @param unsettled a split placed without settling (the train rows beyond maxLayoutRows: settling
 *   hundreds of thousands of points would cost more than laying out the subset)
 * @param memory the run's placement neighbours of last epoch, per split (read, then replaced; the
 *   graph search starts from them: place-memory.ts)
 * @returns every split with its positions, in the order given
 */
export function placeSplits(
  tf: Tf,
  splits: readonly EpochData[],
  trainSplit: EpochData,
  reduced: Reduced,
  projector: Projector | undefined,
  layout: TrainLayout,
  o: EngineSettings,
  settle?: SettleWith,
  graph?: LayoutGraph,
  unsettled?: EpochData,
  memory?: Map<string, PlacedNeighbours>,
): PlacedSplit[] {
  const { n, dim } = trainSplit;
  const m = reduced.basis.m;
  const parts: PlacedSplit[] = [];
  let trainRow: Map<number, number> | undefined;
  const kept = new Map<string, PlacedNeighbours>();
  for (const s of splits) {
    if (s === trainSplit) {
      parts.push({ data: s, pos: layout.pos });
      continue;
    }
    if (s.dim !== dim) throw new Error(`ProjectionEngine: split ${s.split} has dimension ${s.dim}, train has ${dim}`);
    const zo = projectStandardised(tf, s, reduced.stats, reduced.basis);
    const zq = selectColumns(matrix(zo, s.n, m), reduced.graphCols);
    const key = s === unsettled ? 'rest' : s.split;
    const walk = graph?.allKnn !== undefined && settle !== undefined && s.n * n > EXACT_PLACE_PAIRS;
    const starts = walk && memory?.has(key) ? startRows(memory.get(key), s.ids, trainSplit.ids, () => (trainRow ??= rowMap(trainSplit.ids))) : undefined;
    const nn = placeKnn(tf, zq, reduced.zg, Math.min(o.k, n), graph?.allKnn, settle?.rng, starts);
    if (walk && memory) kept.set(key, rememberNeighbours(s.ids, nn, trainSplit.ids));
    let pos: Float32Array;
    if (!projector || !layout.encoder || n > LARGE_TRAIN) {
      // At scale too: the encoder of 50,000 train neighbours cost ~1 s, and the projector, starved
      // of steps there, placed no better than the neighbours' mean (docs/engine-choices.md#test-placement).
      // No projector: the fuzzy-weighted mean position of the train neighbours (zero displacement base).
      pos = placeByDisplacement(new Float32Array(s.n * 2), nn, new Float32Array(n * 2), layout.pos);
    } else {
      const encO = projector.apply(tf, 'enc', zo, s.n);
      layout.encoder.rows(nn.indices);
      pos = o.refine !== 'off' ? placeByDisplacement(encO, nn, layout.encoder.pos, layout.pos) : encO;
    }
    // Settle into the shown layout on the joint graph (transform.ts, docs/method.md#placement).
    const epochs = n > LARGE_TRAIN ? Math.min(o.settleEpochs, LARGE_SETTLE_EPOCHS) : o.settleEpochs;
    if (settle && epochs > 0 && o.refine !== 'off' && s !== unsettled) {
      // 'train': the test rows' lists hold train rows only, so no edge joins two test rows.
      const lists = o.settleNeighbours === 'joint' ? jointKnn(tf, zq, nn, n, nn.k) : nn;
      const trainLists = graph?.allKnn && graph.smoothing && { knn: graph.allKnn, smoothing: graph.smoothing };
      settleJoint(pos, layout.pos, settleGraph(lists, nn, trainLists, n), settle.rng, { ...settle.ab, epochs, alpha: SETTLE_ALPHA });
    }
    parts.push({ data: s, pos });
  }
  if (memory) {
    memory.clear();
    for (const [key, v] of kept) memory.set(key, v);
  }
  return parts;
}

/** The neighbours of the points to place among the train rows: exact while cheap, else by the graph walk. */
function placeKnn(tf: Tf, q: Matrix, ref: Matrix, k: number, graph: KnnResult | undefined, rng: Rng | undefined, starts?: KnnResult): KnnResult {
  if (graph && rng && q.rows * ref.rows > EXACT_PLACE_PAIRS) return knnGraphSearch(tf, q, ref, graph, k, rng, starts);
  return knnSearch(tf, q, ref, k);
}

/** Standardise another split with the train split's statistics and project it. */
function projectStandardised(tf: Tf, s: EpochData, stats: Standardisation, basis: Basis): Float32Array {
  const x = tf.tensor2d(s.x, [s.n, s.dim]);
  try {
    return projectRows(tf, x as Tensor2D, stats.mean, stats.scale, basis);
  } finally {
    x.dispose();
  }
}
