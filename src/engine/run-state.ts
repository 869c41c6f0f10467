/**
 * What the engine keeps per run between updates (runs are independent, so several may interleave):
 * the projector, the PCA basis, the working memory, the shown layout, the layout graph's history and
 * the idle-time work. Everything here is bounded: the memory by its own caps, the rest by one epoch.
 */
import type { Rng } from '../util/random.js';
import type { EpochData } from '../model/epoch-data.js';
import type { Basis } from './pca.js';
import type { Projector } from './projector.js';
import { TemporalMemory } from './temporal-memory.js';
import { newKnnHistory, type KnnHistory } from './layout-graph.js';
import { rowMap } from './arrays.js';
import type { IdleWork } from './idle.js';
import type { PolishWork } from './polish.js';
import type { PlacedNeighbours } from './place-memory.js';
import type { JoinedLayout } from './assemble.js';
import type { Reduced } from './reduce.js';
import type { EngineSettings } from './engine-options.js';

/** The layout shown for a run's last epoch, all splits (a copy the engine owns). */
export interface ShownLayout {
  readonly ids: Float64Array;
  /** n*2. */
  readonly pos: Float32Array;
  /** Row of each id. */
  readonly row: Map<number, number>;
}

/** Per-run state of the projection engine. */
export interface EngineRunState {
  /** Updates done so far (seeds the next update; orders the memory's records). */
  index: number;
  /** The run's activation width; a run may not change it. */
  readonly dim: number;
  /** Trained warm from epoch to epoch; absent until the first (cold) update trains it. */
  projector?: Projector;
  basis?: Basis;
  readonly memory: TemporalMemory;
  /** Previous layout (stability, warm starts, the degenerate layout's centre). */
  shown?: ShownLayout;
  /** Smoothed time of the phases after training/refinement (placement, metrics, regions), ms. */
  tailMs: number;
  readonly knn: KnnHistory;
  /** Idle-time training until the next update (absent once converged). */
  idle?: IdleWork;
  /** Idle-time refinement owed by the last update (polish.ts), and whose turn the next idle slice is. */
  polish?: PolishWork;
  polishTurn?: boolean;
  /** Last epoch's placement neighbours per split (place-memory.ts), where this epoch's search starts. */
  readonly placed: Map<string, PlacedNeighbours>;
}

/** First guess of the tail's time, as a share of the budget, until an update has measured it. */
const FIRST_TAIL_SHARE = 0.15;
/** Weight of the newest measurement in the smoothed tail time. */
const TAIL_SMOOTHING = 0.3;

/**
 * @param dim the run's activation width
 * @param o settings: memoryShare, memoryEpochs, budgetMs
 */
export function newRunState(dim: number, o: EngineSettings): EngineRunState {
  return {
    index: 0,
    dim,
    memory: new TemporalMemory({ keepShare: o.memoryShare, maxEpochs: o.memoryEpochs }),
    tailMs: FIRST_TAIL_SHARE * o.budgetMs,
    knn: newKnnHistory(),
    placed: new Map(),
  };
}

/**
 * Keep what the next update needs from this one: the working-memory record, a copy of the shown
 * layout (the returned layout's arrays belong to the caller) and the idle work.
 * @param st the run's state
 * @param epoch the epoch just laid out
 * @param trainSplit its train split (the memory keeps a reference to its rows)
 * @param reduced its standardisation
 * @param trainPos the train split's layout, n*2
 * @param all every split's layout, joined
 * @param idle the idle-time work of this epoch (none without a projector)
 * @param rng the update's generator (the memory draws the rows it keeps)
 */
export function rememberEpoch(
  st: EngineRunState,
  epoch: number,
  trainSplit: EpochData,
  reduced: Reduced,
  trainPos: Float32Array,
  all: JoinedLayout,
  idle: IdleWork | undefined,
  rng: Rng,
): void {
  const { stats } = reduced;
  st.memory.add({ index: st.index, epoch, dim: st.dim, mean: stats.mean, sd: stats.sd, scale: stats.scale, ids: trainSplit.ids, raw: trainSplit.x, y: trainPos }, rng);
  st.shown = { ids: all.ids.slice(), pos: all.positions.slice(), row: rowMap(all.ids) };
  st.idle = idle;
  st.index++;
}

/** Fold this update's tail time (ms) into the smoothed estimate. */
export function recordTail(st: EngineRunState, ms: number): void {
  st.tailMs = st.tailMs === 0 ? ms : (1 - TAIL_SMOOTHING) * st.tailMs + TAIL_SMOOTHING * ms;
}
