/**
 * The training phase of an update: the run's projector learns this epoch's sample graph and the
 * temporal edges to its working memory, warm from the previous epoch's weights
 * (docs/method.md#projector), for the steps or the time the budget allows.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import { compactShape, Projector } from './projector.js';
import { train, type TrainingSet, type TrainResult } from './trainer.js';
import { temporalSet } from './temporal-edges.js';
import type { TemporalMemory } from './temporal-memory.js';
import type { UpdateBudget } from './budget.js';
import type { EngineSettings } from './engine-options.js';
import type { Reduced } from './reduce.js';
import type { SampleGraph } from './sample-graph.js';
import type { ReducedHead } from './head.js';

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
 * @param o settings: identityWeight, temporalEdges, reconScale, headWeight
 * @param head the epoch's classifier head in the basis, when it sent one
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
  head?: ReducedHead,
): TrainingSet {
  const { zs, sample, spatial } = sampled;
  const sampleIds = Float64Array.from(sample.indices, (r) => ids[r]);
  const temporal = cold
    ? undefined
    : temporalSet(tf, memory, { index, z: zs.data, ids: sampleIds, mean: reduced.stats.mean, sd: reduced.stats.sd }, reduced.basis, {
        identityWeight: o.identityWeight,
        cosine: o.temporalEdges,
      });
  const reconWeight = o.reconScale === 'unit' ? unitReconWeight(reduced.z) : undefined;
  const headTerm = head && o.headWeight > 0 ? { head, weight: o.headWeight } : undefined;
  return { x: zs.data, rows: sample.indices.length, m: reduced.basis.m, edges: spatial, temporal, reconWeight, head: headTerm };
}

/**
 * 1 / the mean variance of the projector's input columns. The inputs are standardised rows in the
 * PCA basis: their total variance is about D, so each of the m columns carries about D/m, and the
 * plain mean squared reconstruction error grows with D/m (8x at D = 512) while the UMAP term does
 * not. Dividing by it makes the error relative: 1 for a decoder that outputs the mean.
 */
export function unitReconWeight(z: Float32Array): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] * z[i];
  const v = z.length > 0 ? s / z.length : 0;
  return v > 0 ? 1 / v : 1;
}

/** How the anchors weigh (engine options anchorMargin, anchorDrawShare). */
export interface AnchorWeights {
  /** Free slack around the shown position, layout units. */
  readonly margin: number;
  /** Share of the drawn edges that are anchors, in (0, 1). */
  readonly drawShare: number;
}

/**
 * The anchored training set (docs/method.md#anchoring): every train row, the update's sample graph
 * and temporal edges moved to those rows, and one anchor edge per train row to a copy of itself
 * whose target is where the layout shows it. Training on it pulls the encoder onto the shown
 * layout (new ids, other splits and the encoder metrics follow the picture) and trains the decoder
 * on the shown positions (regions, ppr). Idle training continues on the same set.
 * @param set the update's training set (sample rows and graphs)
 * @param sampleRows the sample's rows among the train rows
 * @param z every train row in the basis, n*m
 * @param n train rows
 * @param pos the shown train layout, n*2
 * @param weights the anchors' margin and share of the draws
 */
export function anchoredSet(set: TrainingSet, sampleRows: Int32Array, z: Float32Array, n: number, pos: Float32Array, weights: AnchorWeights): TrainingSet {
  const m = set.m;
  const t = set.temporal;
  const old = t?.rows ?? 0;
  const rows = old + n;
  const x = new Float32Array(rows * m);
  if (t) x.set(t.x);
  x.set(z, old * m);
  const target = new Float32Array(rows * 2);
  if (t) target.set(t.target);
  target.set(pos, old * 2);
  const margin = new Float32Array(rows).fill(weights.margin);
  if (t) margin.set(t.margin);
  const e0 = t?.from.length ?? 0;
  const from = new Int32Array(e0 + n);
  const to = new Int32Array(e0 + n);
  const weight = new Float32Array(e0 + n);
  let mass = 0;
  for (let e = 0; e < set.edges.weight.length; e++) mass += set.edges.weight[e];
  if (t) {
    for (let e = 0; e < e0; e++) {
      from[e] = sampleRows[t.from[e]];
      mass += t.weight[e];
    }
    to.set(t.to);
    weight.set(t.weight);
  }
  const w = mass > 0 ? (mass * weights.drawShare) / (1 - weights.drawShare) / n : 1;
  for (let i = 0; i < n; i++) {
    from[e0 + i] = i;
    to[e0 + i] = old + i;
    weight[e0 + i] = w;
  }
  const edges = {
    ...set.edges,
    n,
    from: Int32Array.from(set.edges.from, (r) => sampleRows[r]),
    to: Int32Array.from(set.edges.to, (r) => sampleRows[r]),
  };
  return { x: z, rows: n, m, edges, temporal: { x, rows, target, margin, from, to, weight, shownFrom: old }, reconWeight: set.reconWeight, head: set.head };
}

/**
 * The cold update's anchored steps run at the full learning rate, without early stopping, for all
 * the steps (or time) they have. Both projector halves are fresh then, and on a small epoch the
 * usual schedule (x0.1 every 4 rounds of a few steps, stop after 3 rounds without a 0.01 gain)
 * left 20-24 steps at the full rate and stopped at 55-78 of 100: epoch-0 regions stayed about 0.1
 * below later epochs' (docs/engine-choices.md#head-term).
 */
const COLD_ANCHOR_SCHEDULE = { patience: Infinity, decayEvery: Infinity } as const;

/**
 * The anchored steps after refinement: the budget's fixed count, or until its anchor deadline.
 * @param tf tfjs
 * @param projector the run's projector
 * @param set anchoredSet(...)
 * @param budget the update's work plan
 * @param o settings: batch, lr
 * @param ab UMAP's q(d) curve parameters
 * @param rng the update's generator
 */
export function trainAnchored(
  tf: Tf,
  projector: Projector,
  set: TrainingSet,
  budget: UpdateBudget,
  o: EngineSettings,
  ab: { readonly a: number; readonly b: number },
  rng: Rng,
): TrainResult {
  const limits = { deadline: budget.anchorDeadline(), steps: budget.anchorSteps(), minSteps: budget.minAnchorSteps() };
  return trainWithin(tf, projector, set, budget.cold ? { ...limits, ...COLD_ANCHOR_SCHEDULE } : limits, o, ab, rng);
}

/**
 * A run's projector for inputs of width m: the configured widths, or the compact GN-BN shape (compactShape).
 * @param m basis width (the projector's input)
 * @param o settings: shape
 * @param rng initialises the weights
 */
export function newProjector(m: number, o: EngineSettings, rng: Rng): Projector {
  return new Projector({ ...(o.shape ?? compactShape(m)), input: m }, rng);
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
 * @param allKnown every train id was shown before (budget.trainDeadline)
 */
export function trainProjector(
  tf: Tf,
  projector: Projector,
  set: TrainingSet,
  budget: UpdateBudget,
  o: EngineSettings,
  ab: { readonly a: number; readonly b: number },
  rng: Rng,
  allKnown: boolean,
): TrainResult {
  return trainWithin(tf, projector, set, { deadline: budget.trainDeadline(allKnown), steps: budget.trainSteps(), minSteps: budget.minTrainSteps() }, o, ab, rng);
}

/** The work limits of one training phase, as the update's budget sets them. */
interface PhaseLimits {
  readonly deadline: number;
  readonly steps: number | undefined;
  readonly minSteps: number;
  /** Early stopping and learning-rate decay, when not the trainer's defaults. */
  readonly patience?: number;
  readonly decayEvery?: number;
}

/** Both phases train the same way; only their limits differ. */
function trainWithin(
  tf: Tf,
  projector: Projector,
  set: TrainingSet,
  limits: PhaseLimits,
  o: EngineSettings,
  ab: { readonly a: number; readonly b: number },
  rng: Rng,
): TrainResult {
  return train(tf, projector, set, { a: ab.a, b: ab.b, batch: o.batch, lr: o.lr, rng, ...limits });
}
