/**
 * The training phase of an update: the run's projector learns this epoch's sample graph and the
 * temporal edges to its working memory, warm from the previous epoch's weights
 * (docs/method.md#projector), for the steps or the time the budget allows.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import { Projector, referenceShape } from './projector.js';
import { train, type TrainingSet, type TrainResult } from './trainer.js';
import { temporalSet } from './temporal-edges.js';
import type { TemporalMemory } from './temporal-memory.js';
import type { UpdateBudget } from './budget.js';
import type { EngineSettings } from './engine-options.js';
import type { Reduced } from './reduce.js';
import type { SampleGraph } from './sample-graph.js';

/**
 * This epoch's training set: the sample rows with their spatial graph and, after a run's first
 * update, the temporal edges to its working memory (docs/method.md#graph).
 * @param tf tfjs
 * @param memory the run's working memory
 * @param index the run's update counter
 * @param reduced the reduced train split
 * @param sampled the sample and its graph
 * @param ids the train split's ids
 * @param cold true on the run's first update (no history yet)
 * @param o settings: identityWeight
 */
export function trainingSet(
  tf: Tf,
  memory: TemporalMemory,
  index: number,
  reduced: Reduced,
  sampled: SampleGraph,
  ids: Float64Array,
  cold: boolean,
  o: EngineSettings,
): TrainingSet {
  const { zs, sample, spatial } = sampled;
  const sampleIds = Float64Array.from(sample.indices, (r) => ids[r]);
  const temporal = cold
    ? undefined
    : temporalSet(tf, memory, { index, z: zs.data, ids: sampleIds, mean: reduced.stats.mean, sd: reduced.stats.sd }, reduced.basis, {
        identityWeight: o.identityWeight,
      });
  return { x: zs.data, rows: sample.indices.length, m: reduced.basis.m, edges: spatial, temporal };
}

/**
 * A run's projector for inputs of width m: the configured widths, or the reference GN-BN shape.
 * @param m basis width (the projector's input)
 * @param o settings: shape
 * @param rng initialises the weights
 */
export function newProjector(m: number, o: EngineSettings, rng: Rng): Projector {
  return new Projector({ ...(o.shape ?? referenceShape(m)), input: m }, rng);
}

/**
 * Train in place.
 * @param tf tfjs
 * @param projector the run's projector
 * @param set the sample rows, the spatial graph and the temporal part
 * @param budget the update's work plan
 * @param o settings: batch, lr
 * @param ab UMAP's q(d) curve parameters
 * @param rng the update's generator
 */
export function trainProjector(
  tf: Tf,
  projector: Projector,
  set: TrainingSet,
  budget: UpdateBudget,
  o: EngineSettings,
  ab: { readonly a: number; readonly b: number },
  rng: Rng,
): TrainResult {
  return train(tf, projector, set, {
    a: ab.a,
    b: ab.b,
    deadline: budget.trainDeadline(),
    steps: budget.trainSteps(),
    minSteps: budget.minTrainSteps(),
    batch: o.batch,
    lr: o.lr,
    rng,
  });
}
