/**
 * Idle-time training: between updates the live worker keeps training a run's projector on the last
 * update's anchored set (its graph plus anchors that pull the encoder towards the layout that was
 * shown), so the encoder (new points, other splits) and the decoder (decision regions, ppr, recon)
 * catch up with the display (docs/engine-choices.md#idle-training). It stops by itself once the loss stops improving.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import type { Projector } from './projector.js';
import { train, type TrainingSet } from './trainer.js';

/** What idle training works on until the next update. */
export interface IdleWork {
  readonly set: TrainingSet;
  /** The update's generator, continued (idle steps draw their batches from it). */
  readonly rng: Rng;
  /** Best slice loss so far, and slices in a row without a 1% improvement on it. */
  best: number;
  stale: number;
}

/** Slices in a row without a 1% improvement after which idle training ends. */
const PATIENCE = 5;
/** Idle steps fine-tune an already trained projector: 30% of the update's learning rate. */
const IDLE_LR_SHARE = 0.3;

/**
 * The idle-time work of an epoch.
 * @param set what to train on: the update's anchored set (train-projector.ts anchoredSet), or its
 *   plain training set when anchoring is off
 * @param rng the update's generator
 */
export function idleWork(set: TrainingSet, rng: Rng): IdleWork {
  return { set, rng, best: Infinity, stale: 0 };
}

/** Settings of one idle slice. */
export interface IdleSlice {
  /** q(d) curve. */
  readonly a: number;
  readonly b: number;
  /** Time slice, ms (at least one step is taken). */
  readonly ms: number;
  /** Edges per batch and the update's learning rate. */
  readonly batch: number;
  readonly lr: number;
}

/**
 * Train for one slice and update the convergence count in `work`.
 * @returns steps taken, and whether the work is done (converged, or the loss is not finite)
 */
export function idleStep(tf: Tf, projector: Projector, work: IdleWork, slice: IdleSlice): { steps: number; done: boolean } {
  const r = train(tf, projector, work.set, {
    a: slice.a,
    b: slice.b,
    deadline: performance.now() + slice.ms,
    batch: slice.batch,
    lr: slice.lr * IDLE_LR_SHARE,
    minSteps: 1,
    rng: work.rng,
  });
  let done = false;
  if (r.loss < work.best * 0.99) {
    work.best = r.loss;
    work.stale = 0;
  } else if (++work.stale >= PATIENCE || !Number.isFinite(r.loss)) {
    done = true;
  }
  return { steps: r.steps, done };
}
