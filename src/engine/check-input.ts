/**
 * The checks an epoch set passes before the engine touches it, so that a malformed set fails with
 * a message naming the split and the field instead of deep inside a tensor op.
 */
import type { EpochData, EpochSet } from '../model/epoch-data.js';

/** A checked set and the split the engine trains on. */
export interface CheckedSet {
  readonly splits: readonly EpochData[];
  /** The 'train' split, or the first split when none is called 'train'. */
  readonly trainSplit: EpochData;
}

/**
 * @param set one epoch of one run, every split
 * @throws when the run name, the epoch or any split's sizes are wrong
 */
export function checkEpochSet(set: EpochSet): CheckedSet {
  if (!set || typeof set.run !== 'string' || set.run.length === 0) throw new Error('ProjectionEngine.update: set.run must be a non-empty string');
  if (!Number.isInteger(set.epoch) || set.epoch < 0) throw new Error(`ProjectionEngine.update: epoch must be an integer >= 0, got ${set.epoch}`);
  if (!Array.isArray(set.splits) || set.splits.length === 0) throw new Error(`ProjectionEngine.update: run ${set.run} epoch ${set.epoch} has no splits`);
  for (const s of set.splits) {
    if (s.n < 1) throw new Error(`ProjectionEngine.update: split ${s.split} of epoch ${set.epoch} is empty`);
    if (s.x.length !== s.n * s.dim) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.x.length} values for ${s.n}x${s.dim}`);
    if (s.ids.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.ids.length} ids for ${s.n} rows`);
    if (s.labels && s.labels.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.labels.length} labels for ${s.n} rows`);
    if (s.preds && s.preds.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.preds.length} preds for ${s.n} rows`);
    if (s.tasks && s.tasks.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.tasks.length} tasks for ${s.n} rows`);
  }
  const trainSplit = set.splits.find((s) => s.split === 'train') ?? set.splits[0];
  return { splits: set.splits, trainSplit };
}
