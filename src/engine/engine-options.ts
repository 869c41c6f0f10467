/**
 * The engine's settings: what a caller may set, the defaults, and the checks that refuse a bad
 * value at construction rather than mid-run. Why each default is what it is:
 * docs/method.md#defaults and docs/engine-choices.md.
 */
import type { ProjectorShape } from './projector.js';

/** Work done per update when results must be reproducible (no clock involved). */
export interface FixedWork {
  /** Optimiser steps on a warm update / on the first (cold) update. */
  readonly steps: number;
  readonly coldSteps: number;
  /** Layout-refinement epochs on a warm / cold update. */
  readonly refineEpochs: number;
  readonly coldRefineEpochs: number;
  /**
   * Projector steps after refinement, anchored to the layout just shown, on a warm / cold update
   * [0 / 0] (the budgeted engine spends the time refinement leaves on them).
   */
  readonly anchorSteps?: number;
  readonly coldAnchorSteps?: number;
}

/** Engine settings. Every field is optional; defaults in brackets. */
export interface EngineOptions {
  /** Seed of every random choice [0]. */
  readonly seed?: number;
  /** Target wall time of one update, ms [1000]. Training and refinement share what the fixed steps leave. */
  readonly budgetMs?: number;
  /** Budget of a run's first (cold) update, ms [3 x budgetMs]. */
  readonly coldBudgetMs?: number;
  /**
   * Budget per train row of a large epoch, ms [0.042]: an update's budget is the larger of
   * budgetMs and this times the train rows (2.1 s at 50,000; docs/engine-choices.md#budget-per-row).
   */
  readonly msPerRow?: number;
  /** Replace the clock with fixed amounts of work (same input + seed => same layout). */
  readonly fixedWork?: FixedWork;
  /** Neighbours of the graphs and metrics [15]. */
  readonly k?: number;
  /** PCA dimensions the activations are reduced to [64] (no reduction when D is smaller). */
  readonly pcaDims?: number;
  /** Fixed sample rate for the projector's graph; default: density-guided (docs/method.md#sampling). */
  readonly sampleRate?: number;
  /** Projector widths [compact GN-BN: 128-64-32, mirrored decoder; the reference 256-128-64-32 is `referenceShape`] (docs/engine-choices.md#projector-size-and-decoder). */
  readonly shape?: Omit<ProjectorShape, 'input'>;
  /** Edges per training batch [256]: at a fixed time, more smaller steps won here (512 cost 3x per step). */
  readonly batch?: number;
  /** Adam learning rate [0.01]. */
  readonly lr?: number;
  /** Layout refinement: on all train points, on the sample only, or off (encoder output) ['all']. */
  readonly refine?: 'all' | 'sample' | 'off';
  /** Where a warm refinement starts: the previous layout (same ids) or the encoder's output ['previous']. */
  readonly refineInit?: 'previous' | 'encoder';
  /**
   * Initial learning rate of a warm refinement when the graph barely changed [0.03] (rises towards
   * 1 when many neighbourhoods changed); cold refinement uses UMAP's 1.
   */
  readonly refineAlpha?: number;
  /**
   * At most this many refinement epochs per warm update [60] / cold update [500, UMAP's count for
   * up to 10,000 points]. A warm update whose graph changed a lot plans more, up to the cold count
   * (train-layout.ts, refineEpochs).
   */
  readonly refineEpochs?: number;
  readonly coldRefineEpochs?: number;
  /** At least this many refinement epochs per update (5x on a cold start), even past the budget [10]. */
  readonly minRefineEpochs?: number;
  /** At least this many training steps per update (2x on a cold start), even past the budget [1]. */
  readonly minTrainSteps?: number;
  /** Share of the free budget given to training (the rest refines) [0.35]. */
  readonly trainShare?: number;
  /** Query rows of nn15/trust15/ppr per epoch [200]. */
  readonly metricQueries?: number;
  /** Decision-region grid size [64 x 32]. */
  readonly regionCols?: number;
  readonly regionRows?: number;
  /** UMAP's curve parameters [0.1, 1]. */
  readonly minDist?: number;
  readonly spread?: number;
  /** Working memory: share of rows kept per epoch [0.05], epochs in the working set [6]. */
  readonly memoryShare?: number;
  readonly memoryEpochs?: number;
  /** Weight of identity temporal edges [1]. */
  readonly identityWeight?: number;
  /** Share of the reduced data's variance the graphs' coordinates keep [0.99] (1 = all pcaDims). */
  readonly graphVariance?: number;
  /**
   * The fewest coordinates the graphs use, whatever graphVariance keeps (at most pcaDims) [24]: the
   * share is set by the spread between clusters, the ranking inside one by the small directions it
   * drops. 24 took the 5,000 x 512 stream's nn15 from 0.140 to 0.155-0.157 (16 and 32 scored the
   * same) and the 50,000-point one's from 0.659 to 0.671 at the same update times
   * (docs/engine-choices.md#graph-width).
   */
  readonly graphMinColumns?: number;
  /**
   * The parametric projector [true]. Off: no training; new ids start at the mean previous position
   * of their layout neighbours, other splits at their train neighbours' mean position, and there
   * are no regions, ppr or encoder metrics (the "warm UMAP alone" baseline of `eval`).
   */
  readonly projector?: boolean;
  /** Cosine temporal edges to the working memory [true] (identity edges: identityWeight). */
  readonly temporalEdges?: boolean;
  /**
   * Anchor the projector to the shown layout [true]: after refinement it trains on the update's
   * graph plus an anchor per train row pulling its encoding to where the row is shown, with the
   * time refinement leaves (docs/method.md#anchoring). Idle training continues this set.
   */
  readonly anchors?: boolean;
  /** Share of the free budget kept back from refinement for the anchored projector steps [0.25]. */
  readonly anchorShare?: number;
  /**
   * How far (layout units) an anchored encoding may sit from its shown position without loss [0;
   * was 0.1]: a slack lets encodings trade places within the spacing of the nearest neighbours
   * (docs/engine-choices.md#anchor-weight).
   */
  readonly anchorMargin?: number;
  /**
   * Share of the anchored steps' drawn edges that are anchors [0.9; was 0.5], in (0, 1); the graph and
   * temporal edges are the rest (docs/engine-choices.md#anchor-weight).
   */
  readonly anchorDrawShare?: number;
  /**
   * When the projector trains before refinement ['new-ids']: 'new-ids', with its trainShare of the
   * time only when the epoch has train ids the previous layout did not show (else only its floor,
   * and the anchored steps get the time); 'always', its share on every update, as before 2026-12-02
   * (docs/engine-choices.md#known-ids). Only where refinement reads the encoder for new ids alone:
   * anchors on, refine 'all', refineInit 'previous'.
   */
  readonly trainBeforeRefine?: 'new-ids' | 'always';
  /**
   * Refinement visits each edge from a random phase of its period [true], so that edges sampled
   * less often than once per update are still visited in proportion over several updates
   * (docs/engine-choices.md#refinement-edge-schedule). False: UMAP's schedule from phase 0.
   */
  readonly refinePhase?: boolean;
  /**
   * Scale of the reconstruction loss: 'unit' divides it by the mean variance of the projector's
   * input columns, so it weighs the same at any input width ['unit']; 'raw' is the plain mean
   * squared error (docs/engine-choices.md#reconstruction-loss-scale).
   */
  readonly reconScale?: 'unit' | 'raw';
  /**
   * Weight of the head term [1; 0 = off]: with a classifier head in the epoch, the anchored steps
   * also teach the decoder to decode each train row's shown position to something the head
   * classifies as it classifies the row (a KL divergence between the head's softmax outputs), so
   * the decision regions agree with the shown layout (docs/engine-choices.md#head-term).
   */
  readonly headWeight?: number;
  /**
   * Idle-time refinement [true]: when an update's deadline cut refinement short, the live worker
   * runs the missing epochs between updates on a copy of the layout, where the next update starts
   * (polish.ts, docs/engine-choices.md#idle-polish). No effect with fixed work (no idle time).
   */
  readonly idlePolish?: boolean;
  /**
   * Epochs of settling other splits' points into the shown layout after placement (the train points
   * fixed; at most 10 above 10,000 train rows) [100; 0 = off] (docs/engine-choices.md#test-placement).
   */
  readonly settleEpochs?: number;
  /**
   * The neighbours a test point is settled among: 'joint', train + test rows (test points pull on
   * each other, as they are scored) ['joint']; 'train', train rows only (docs/engine-choices.md#test-placement).
   */
  readonly settleNeighbours?: 'joint' | 'train';
  /** Layout kNN: exact every update, or warm-started from the previous graph ['warm']. */
  readonly layoutKnn?: 'exact' | 'warm';
  /** With warm kNN, an exact graph every this many updates [25] (and whenever many neighbourhoods changed). */
  readonly exactKnnEvery?: number;
  /**
   * Most train points laid out per epoch [200,000]; beyond it a subset chosen by id is laid out and
   * the rest placed like test points (layout-cap.ts, docs/method.md#beyond-200000-points).
   */
  readonly maxLayoutRows?: number;
}

/** The defaults of EngineOptions (the optional fields without one stay optional). */
const DEFAULTS = {
  seed: 0,
  budgetMs: 1000,
  msPerRow: 0.042,
  k: 15,
  pcaDims: 64,
  batch: 256,
  lr: 0.01,
  refine: 'all' as 'all' | 'sample' | 'off',
  refineInit: 'previous' as 'previous' | 'encoder',
  refineAlpha: 0.03,
  refineEpochs: 60,
  coldRefineEpochs: 500,
  minRefineEpochs: 10,
  minTrainSteps: 1,
  trainShare: 0.35,
  metricQueries: 200,
  regionCols: 64,
  regionRows: 32,
  minDist: 0.1,
  spread: 1,
  memoryShare: 0.05,
  memoryEpochs: 6,
  identityWeight: 1,
  layoutKnn: 'warm' as 'exact' | 'warm',
  graphVariance: 0.99,
  graphMinColumns: 24,
  exactKnnEvery: 25,
  projector: true,
  temporalEdges: true,
  anchors: true,
  anchorShare: 0.25,
  anchorMargin: 0,
  anchorDrawShare: 0.9,
  trainBeforeRefine: 'new-ids' as 'new-ids' | 'always',
  refinePhase: true,
  reconScale: 'unit' as 'unit' | 'raw',
  headWeight: 1,
  settleEpochs: 100,
  idlePolish: true,
  settleNeighbours: 'joint' as 'joint' | 'train',
  maxLayoutRows: 200_000,
};

/** Options with every default filled in: what the phases read. */
export type EngineSettings = typeof DEFAULTS & EngineOptions;

/**
 * Fill in the defaults and check the values.
 * @param opts the caller's options
 * @returns the settings the engine runs with
 * @throws on a value the engine cannot run with, naming the field
 */
export function resolveOptions(opts: EngineOptions): EngineSettings {
  // An option given as undefined keeps its default ({ ...DEFAULTS, ...opts } would let it replace it).
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const o = { ...DEFAULTS, ...given } as EngineSettings;
  const positive = ['budgetMs', 'k', 'pcaDims', 'batch', 'lr', 'metricQueries', 'regionCols', 'regionRows', 'spread', 'maxLayoutRows'] as const;
  for (const key of positive) {
    const v = o[key] as number;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`ProjectionEngine: ${key} must be a positive number, got ${v}`);
  }
  if (!Number.isFinite(o.seed)) throw new Error(`ProjectionEngine: seed must be a finite number, got ${o.seed}`);
  if (!(o.anchorShare >= 0 && o.anchorShare < 1)) throw new Error(`ProjectionEngine: anchorShare must lie in [0, 1), got ${o.anchorShare}`);
  if (!(o.anchorMargin >= 0 && Number.isFinite(o.anchorMargin))) throw new Error(`ProjectionEngine: anchorMargin must be a finite number >= 0, got ${o.anchorMargin}`);
  if (!(o.anchorDrawShare > 0 && o.anchorDrawShare < 1)) throw new Error(`ProjectionEngine: anchorDrawShare must lie in (0, 1), got ${o.anchorDrawShare}`);
  if (!['new-ids', 'always'].includes(o.trainBeforeRefine)) throw new Error(`ProjectionEngine: trainBeforeRefine must be new-ids or always, got ${o.trainBeforeRefine}`);
  if (!(o.headWeight >= 0 && Number.isFinite(o.headWeight))) throw new Error(`ProjectionEngine: headWeight must be a finite number >= 0, got ${o.headWeight}`);
  if (!(o.identityWeight >= 0)) throw new Error(`ProjectionEngine: identityWeight must be >= 0, got ${o.identityWeight}`);
  if (!(o.trainShare >= 0 && o.trainShare <= 1)) throw new Error(`ProjectionEngine: trainShare must lie in [0, 1], got ${o.trainShare}`);
  if (!o.projector && o.refine !== 'all') throw new Error(`ProjectionEngine: projector off needs refine 'all' (something must lay the points out), got ${o.refine}`);
  if (!['joint', 'train'].includes(o.settleNeighbours)) throw new Error(`ProjectionEngine: settleNeighbours must be joint or train, got ${o.settleNeighbours}`);
  if (!['all', 'sample', 'off'].includes(o.refine)) throw new Error(`ProjectionEngine: refine must be all, sample or off, got ${o.refine}`);
  if (o.sampleRate !== undefined && !(o.sampleRate > 0 && o.sampleRate <= 1)) {
    throw new Error(`ProjectionEngine: sampleRate must lie in (0, 1], got ${o.sampleRate}`);
  }
  if (!(o.graphVariance > 0 && o.graphVariance <= 1)) {
    throw new Error(`ProjectionEngine: graphVariance must lie in (0, 1], got ${o.graphVariance}`);
  }
  if (!(o.msPerRow >= 0 && Number.isFinite(o.msPerRow))) throw new Error(`ProjectionEngine: msPerRow must be a finite number >= 0, got ${o.msPerRow}`);
  if (!Number.isInteger(o.graphMinColumns) || o.graphMinColumns < 1) {
    throw new Error(`ProjectionEngine: graphMinColumns must be an integer >= 1, got ${o.graphMinColumns}`);
  }
  if (!Number.isInteger(o.k) || o.k < 2) throw new Error(`ProjectionEngine: k must be an integer >= 2, got ${o.k}`);
  return o;
}
