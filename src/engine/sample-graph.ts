/**
 * The projector's training graph: a density-guided sample of the train rows (docs/method.md#sampling)
 * and UMAP's fuzzy graph on the sample's kNN lists (docs/method.md#graph).
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import { densitySample, type SampleChoice } from './sampling.js';
import { knnSelf, takeRows, type KnnResult, type Matrix } from './knn.js';
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
 * Laps 'sampling' and 'sample_graph' on the clock.
 * @param tf tfjs
 * @param r the reduced train split
 * @param o settings: sampleRate (fixed rate instead of the density search), k
 * @param rng the update's generator
 * @param clock the update's phase clock
 */
export function sampleGraph(tf: Tf, r: Reduced, o: EngineSettings, rng: Rng, clock: PhaseClock): SampleGraph {
  const sample = densitySample(tf, r.zg, rng, o.sampleRate !== undefined ? { fixedRate: o.sampleRate } : {});
  clock.lap('sampling');
  const zs = takeRows(r.zm, sample.indices);
  const zsg = takeRows(r.zg, sample.indices);
  const knn = knnSelf(tf, zsg, Math.min(o.k, sample.indices.length - 1));
  const spatial = fuzzyGraph(knn, SPATIAL_PRUNE);
  clock.lap('sample_graph');
  return { sample, zs, zsg, knn, spatial };
}
