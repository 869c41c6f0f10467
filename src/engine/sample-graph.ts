/**
 * The projector's training graph: a density-guided sample of the train rows (docs/method.md#sampling)
 * and UMAP's fuzzy graph on the sample's kNN lists (docs/method.md#graph).
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import { densitySample, type SampleChoice } from './sampling.js';
import { knnSelf, takeRows, type KnnResult, type Matrix } from './knn.js';
import { sampleIndices } from '../util/random.js';
import { fuzzyGraph, type EdgeList } from './fuzzy-graph.js';
import type { EngineSettings } from './engine-options.js';
import type { PhaseClock } from './phase-clock.js';
import type { Reduced } from './reduce.js';

/** The sample and its graph. */
export interface SampleGraph {
  readonly sample: SampleChoice;
  /** The sample's rows of z (the projector's input) and of the graph coordinates. */
  readonly zs: Matrix;
  readonly zsg: Matrix;
  /** The sample's kNN lists (also the layout graph of refine 'sample'). */
  readonly knn: KnnResult;
  /** The spatial graph the projector trains on. */
  readonly spatial: EdgeList;
}

/** The reference's pruning of the spatial graph: edges below max(w)/3 are dropped. */
const SPATIAL_PRUNE = 3;

/**
 * Above this many train rows the rate is chosen on, and the sample drawn from, a seeded subset of
 * this many rows (docs/method.md#sampling). rho(r) ~ r^(1/d) does not depend on n, so the rate
 * found on 5,000 rows is the rate of the whole; and the projector takes tens of steps of 256 edges
 * per update, so a sample of at most 2,500 rows (~37,000 edges) already holds more than it can see.
 * At 50,000 rows the full search took over a second (quadratic kNN of the candidate subsets) and
 * made the temporal graph and the exact sample graph as slow again; a 10,000-row pool still
 * took ~0.8 s of CPU (issue 12). 5,000 is the size of the bench's engine epochs.
 */
export const SAMPLE_POOL = 5_000;

/**
 * Laps 'sampling' and 'sample_graph' on the clock.
 * @param tf tfjs
 * @param r the reduced train split
 * @param o settings: sampleRate (fixed rate instead of the density search), k
 * @param rng the update's generator
 * @param clock the update's phase clock
 */
export function sampleGraph(tf: Tf, r: Reduced, o: EngineSettings, rng: Rng, clock: PhaseClock): SampleGraph {
  const pool = r.zg.rows > SAMPLE_POOL ? sampleIndices(r.zg.rows, SAMPLE_POOL, rng).sort() : undefined;
  const chosen = densitySample(tf, pool ? takeRows(r.zg, pool) : r.zg, rng, o.sampleRate !== undefined ? { fixedRate: o.sampleRate } : {});
  const sample = pool ? { ...chosen, indices: Int32Array.from(chosen.indices, (i) => pool[i]) } : chosen;
  clock.lap('sampling');
  const zs = takeRows(r.zm, sample.indices);
  const zsg = takeRows(r.zg, sample.indices);
  const knn = knnSelf(tf, zsg, Math.min(o.k, sample.indices.length - 1));
  const spatial = fuzzyGraph(knn, SPATIAL_PRUNE);
  clock.lap('sample_graph');
  return { sample, zs, zsg, knn, spatial };
}
