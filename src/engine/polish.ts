/**
 * Idle-time refinement ("polish"): when an update's deadline cut its refinement short (large
 * epochs: at 50,000 points the update affords its 10-epoch floor of the 60 planned), the live
 * worker runs the missing epochs between updates, on that update's layout graph, on a copy of its
 * train layout. The shown layout is never changed after it was sent: the polished copy is where the
 * next update's known ids start (docs/engine-choices.md#idle-polish). Stability is still measured
 * between the layouts shown.
 */
import type { EdgeList } from './fuzzy-graph.js';
import type { Rng } from '../util/random.js';
import type { ShownLayout } from './run-state.js';
import { refineLayout } from './refine.js';

/** Idle refinement still owed for a run's last update. */
export interface PolishWork {
  /** The update's layout graph over its train rows. */
  readonly graph: EdgeList;
  /** A copy of the train rows' shown positions, refined in place (n*2). */
  readonly pos: Float32Array;
  /** Row of the first train point in the run's joined layout (ShownLayout.pos). */
  readonly offset: number;
  /** Initial learning rate of each slice. */
  readonly alpha: number;
  readonly rng: Rng;
  /** Epochs still owed. */
  left: number;
}

/**
 * umap-learn's transform starts at a quarter of UMAP's rate: after a cold update (rate 1, decayed
 * to 0 by its deadline) polishing continues from there rather than restarting hot.
 */
const COLD_POLISH_ALPHA = 0.25;

/**
 * The polish owed by an update, or undefined when its refinement ran every planned epoch.
 * @param graph the update's layout graph
 * @param trainPos its train layout as shown (copied)
 * @param offset first train row in the joined layout
 * @param refined epochs the update ran, of `planned`, at rate `alpha`
 * @param cold the run's first update
 * @param rng the slices' negative samples
 */
export function polishWork(
  graph: EdgeList,
  trainPos: Float32Array,
  offset: number,
  refined: { readonly epochs: number; readonly planned: number; readonly alpha: number },
  cold: boolean,
  rng: Rng,
): PolishWork | undefined {
  const left = refined.planned - refined.epochs;
  if (!(left > 0) || graph.n * 2 !== trainPos.length) return undefined;
  return { graph, pos: trainPos.slice(), offset, alpha: cold ? COLD_POLISH_ALPHA : refined.alpha, rng, left };
}

/**
 * Refine for one time slice (at least one epoch; the rate decays within the slice, and each edge
 * starts at a random phase of its period, so over many short slices every edge gets its share).
 * @returns epochs run
 */
export function polishStep(work: PolishWork, ab: { readonly a: number; readonly b: number }, ms: number): number {
  if (work.left <= 0) return 0;
  const r = refineLayout(work.pos, work.graph, work.rng, {
    a: ab.a,
    b: ab.b,
    epochs: work.left,
    alpha: work.alpha,
    deadline: performance.now() + ms,
    minEpochs: 1,
    randomPhase: true,
  });
  work.left -= Math.max(1, r.epochs);
  return r.epochs;
}

/**
 * Where the next update starts its known ids: the shown layout with the train rows replaced by
 * their polished positions (the layout itself is left as shown, for stability).
 */
export function polishedStart(shown: ShownLayout, work: PolishWork | undefined): ShownLayout {
  if (!work || work.offset * 2 + work.pos.length > shown.pos.length) return shown;
  const pos = shown.pos.slice();
  pos.set(work.pos, work.offset * 2);
  return { ids: shown.ids, pos, row: shown.row };
}
