/**
 * Building the EpochLayout that leaves the engine: every split's points end to end (train first
 * as the splits were given), with their split flag, labels and predictions.
 */
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import type { EpochLayout, EpochMetrics, RegionGrid } from '../model/epoch-layout.js';
import { concatIds, concatPos } from './arrays.js';

/** One split and where its points were placed (n*2). */
export interface PlacedSplit {
  readonly data: EpochData;
  readonly pos: Float32Array;
}

/** All splits as one set of points. */
export interface JoinedLayout {
  readonly ids: Float64Array;
  /** n*2. */
  readonly positions: Float32Array;
  /** 1 for a 'test' split's point, 0 otherwise. */
  readonly split: Uint8Array;
  /** -1 where a split had none; absent when no split had any. */
  readonly labels?: Int32Array;
  readonly preds?: Int32Array;
  readonly tasks?: Int32Array;
}

/**
 * @param parts the placed splits, in output order
 */
export function joinSplits(parts: readonly PlacedSplit[]): JoinedLayout {
  const total = parts.reduce((s, p) => s + p.data.n, 0);
  const ids = concatIds(parts);
  const positions = concatPos(parts);
  const split = new Uint8Array(total);
  const anyLabels = parts.some((p) => p.data.labels);
  const anyPreds = parts.some((p) => p.data.preds);
  const anyTasks = parts.some((p) => p.data.tasks);
  const labels = anyLabels ? new Int32Array(total).fill(-1) : undefined;
  const preds = anyPreds ? new Int32Array(total).fill(-1) : undefined;
  const tasks = anyTasks ? new Int32Array(total).fill(-1) : undefined;
  let o = 0;
  for (const p of parts) {
    split.fill(p.data.split === 'test' ? 1 : 0, o, o + p.data.n);
    if (labels && p.data.labels) labels.set(p.data.labels, o);
    if (preds && p.data.preds) preds.set(p.data.preds, o);
    if (tasks && p.data.tasks) tasks.set(p.data.tasks, o);
    o += p.data.n;
  }
  return { ids, positions, split, labels, preds, ...(tasks ? { tasks } : {}) };
}

/**
 * @param set the epoch the layout is of
 * @param all its splits joined (the layout takes these arrays over)
 * @param metrics the epoch's metrics
 * @param regions the decision-region grid, when there is a head and a decoder
 */
export function epochLayout(set: EpochSet, all: JoinedLayout, metrics: EpochMetrics, regions?: RegionGrid): EpochLayout {
  return {
    run: set.run,
    epoch: set.epoch,
    n: all.ids.length,
    ids: all.ids,
    positions: all.positions,
    split: all.split,
    labels: all.labels,
    preds: all.preds,
    ...(all.tasks ? { tasks: all.tasks } : {}),
    metrics,
    regions,
  };
}
