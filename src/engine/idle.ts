/**
 * Idle-time training: between updates the live worker keeps training a run's projector on the last
 * epoch's graph plus anchors that pull the encoder towards the layout that was shown, so the encoder
 * (new points, other splits) and the decoder (decision regions, ppr, recon) catch up with the
 * display (docs/engine-choices.md#idle-training). It stops by itself once the loss stops improving.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import type { Projector } from './projector.js';
import { train, type TemporalSet, type TrainingSet } from './trainer.js';

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
/** How far (layout units) an anchor may sit from its shown position for free. */
const ANCHOR_MARGIN = 0.1;

/**
 * The idle-time work of an epoch: its training set plus, for every sample row, an identity edge to
 * an anchor copy of itself whose target is where the layout put it.
 * @param set the epoch's training set (sample rows, spatial graph, temporal part)
 * @param sampleRows the sample's rows among the train split's rows
 * @param pos the shown train layout, n*2
 * @param weight weight of the anchor edges (the identity-edge weight)
 * @param rng the update's generator
 */
export function idleWork(set: TrainingSet, sampleRows: Int32Array, pos: Float32Array, weight: number, rng: Rng): IdleWork {
  const t = set.temporal;
  const m = set.m;
  const old = t?.rows ?? 0;
  const rows = old + set.rows;
  const x = new Float32Array(rows * m);
  if (t) x.set(t.x);
  x.set(set.x, old * m);
  const target = new Float32Array(rows * 2);
  if (t) target.set(t.target);
  sampleRows.forEach((r, i) => {
    target[2 * (old + i)] = pos[2 * r];
    target[2 * (old + i) + 1] = pos[2 * r + 1];
  });
  const margin = new Float32Array(rows).fill(ANCHOR_MARGIN);
  if (t) margin.set(t.margin);
  const e0 = t?.from.length ?? 0;
  const from = new Int32Array(e0 + set.rows);
  const to = new Int32Array(e0 + set.rows);
  const w = new Float32Array(e0 + set.rows);
  if (t) {
    from.set(t.from);
    to.set(t.to);
    w.set(t.weight);
  }
  for (let i = 0; i < set.rows; i++) {
    from[e0 + i] = i;
    to[e0 + i] = old + i;
    w[e0 + i] = weight;
  }
  const temporal: TemporalSet = { x, rows, target, margin, from, to, weight: w };
  return { set: { ...set, temporal }, rng, best: Infinity, stale: 0 };
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
