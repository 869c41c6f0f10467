/**
 * Degrading by design beyond `maxLayoutRows` train points per epoch (200,000 by default): the engine
 * lays out a subset of about that many train rows, and the other train rows are placed as test
 * points are (their nearest laid-out rows, by a walk on the layout graph: place-splits.ts), without
 * settling. The subset is chosen by sample id (a hash of the id and the seed under a threshold), so
 * the same samples are laid out every epoch and the picture stays steady; being uniform over the
 * rows it follows their density. Every point is still returned and drawn. The time of an update then
 * stays that of a ~200,000-point epoch plus a linear placement of the rest, where laying out every
 * point would grow the graphs and the refinement with n (docs/method.md#beyond-200000-points).
 */
import type { EpochData, EpochSet } from '../model/epoch-data.js';

/** A set whose train split was cut to the laid-out subset; `rest` holds the other train rows. */
export interface CappedSet {
  readonly set: EpochSet;
  /** The train rows placed, not laid out (absent when nothing was cut). */
  readonly rest?: EpochData;
}

/** Uniform in [0, 1) from an id and the seed (stable across epochs); integer mixing, cheap for millions of rows. */
export function idHash(seed: number, id: number): number {
  let h = (Math.imul((id >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(Math.floor(id / 4294967296) | 0, 0xc2b2ae35) ^ (seed | 0)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * @param set the epoch
 * @param train its train split
 * @param max most train rows to lay out (about: the subset is drawn by id, not counted)
 * @param seed the engine's seed
 */
export function capLayoutRows(set: EpochSet, train: EpochData, max: number, seed: number): CappedSet {
  if (train.n <= max) return { set };
  const share = max / train.n;
  const laid: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < train.n; i++) (idHash(seed, train.ids[i]) < share ? laid : rest).push(i);
  const pick = (rows: number[]): EpochData => {
    const x = new Float32Array(rows.length * train.dim);
    rows.forEach((r, k) => x.set(train.x.subarray(r * train.dim, (r + 1) * train.dim), k * train.dim));
    return {
      ...train,
      n: rows.length,
      x,
      ids: Float64Array.from(rows, (r) => train.ids[r]),
      labels: train.labels && Int32Array.from(rows, (r) => train.labels![r]),
      preds: train.preds && Int32Array.from(rows, (r) => train.preds![r]),
    };
  };
  const restData = pick(rest);
  // The laid-out subset first (the split trained on), the other splits as given, the placed rest last
  // (so the test score still reads the first other split).
  const splits = [pick(laid), ...set.splits.filter((s) => s !== train), restData];
  return { set: { ...set, splits }, rest: restData };
}
