/**
 * The neighbours each placed point had among the train rows last epoch, by id, so that this epoch's
 * graph search starts from them (knn-graph-search.ts) instead of from a random pool: sample ids
 * persist across epochs, and between two epochs most neighbourhoods change little. Held per split
 * for one epoch: ids x k numbers (1.2 MB for 10,000 test points at k = 15).
 */
import type { KnnResult } from './knn.js';
import { rowMap } from './arrays.js';

/** One split's placement neighbours, as sample ids. */
export interface PlacedNeighbours {
  /** The split's sample ids, in its row order. */
  readonly ids: Float64Array;
  /** Neighbours per row. */
  readonly k: number;
  /** Train sample ids of each row's neighbours (NaN where none), ids.length x k. */
  readonly nnIds: Float64Array;
  /** The same neighbours as train rows of that epoch (-1 where none). */
  readonly nnRows: Int32Array;
  /** That epoch's train ids, in row order. */
  readonly trainIds: Float64Array;
}

/**
 * @param ids the placed split's sample ids
 * @param nn their neighbours among the train rows (row indices)
 * @param trainIds the train rows' sample ids
 */
export function rememberNeighbours(ids: Float64Array, nn: KnnResult, trainIds: Float64Array): PlacedNeighbours {
  const nnIds = new Float64Array(nn.indices.length);
  for (let e = 0; e < nn.indices.length; e++) {
    const j = nn.indices[e];
    nnIds[e] = j >= 0 ? trainIds[j] : NaN;
  }
  return { ids: ids.slice(), k: nn.k, nnIds, nnRows: nn.indices.slice(), trainIds: trainIds.slice() };
}

/**
 * Start rows for this epoch's search: each row's last-epoch neighbours that are still train rows
 * (-1 where unknown: new ids, or neighbours gone).
 * @param prev last epoch's neighbours of the split (undefined: none kept)
 * @param ids the split's sample ids this epoch
 * @param trainIds the train rows' sample ids this epoch
 * @param trainRow row of each train sample id this epoch (built only when the rows were reordered)
 * @returns undefined when no row has a start
 */
export function startRows(prev: PlacedNeighbours | undefined, ids: Float64Array, trainIds: Float64Array, trainRow: () => ReadonlyMap<number, number>): KnnResult | undefined {
  if (!prev) return undefined;
  const k = prev.k;
  // Producers send the same samples in the same order each epoch: then last epoch's rows are this
  // epoch's, and the two id maps (60,000 entries at CIFAR size, ~40 ms) are not needed.
  if (sameIds(prev.ids, ids) && sameIds(prev.trainIds, trainIds)) return { k, indices: prev.nnRows.slice(), distances: new Float32Array(0) };
  const before = rowMap(prev.ids);
  const rows = trainRow();
  const indices = new Int32Array(ids.length * k).fill(-1);
  let any = false;
  for (let i = 0; i < ids.length; i++) {
    const p = before.get(ids[i]);
    if (p === undefined) continue;
    for (let t = 0; t < k; t++) {
      const r = rows.get(prev.nnIds[p * k + t]);
      if (r === undefined) continue;
      indices[i * k + t] = r;
      any = true;
    }
  }
  return any ? { k, indices, distances: new Float32Array(0) } : undefined;
}

/** The same ids in the same order. */
function sameIds(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
