/**
 * What the point inspector says about one sample, as plain functions over layouts and raw rows:
 * the dashboard's select mode and `sentrycam inspect --id` compute the same facts the same way.
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import type { EpochSet } from '../model/epoch-data.js';

const indexCache = new WeakMap<EpochLayout, Map<number, number>>();

/** Row of sample `id` in a layout (the first one: ids are unique per split, train is listed first), or -1. */
export function rowOf(layout: EpochLayout, id: number): number {
  let m = indexCache.get(layout);
  if (!m) {
    m = new Map();
    for (let i = layout.n - 1; i >= 0; i--) m.set(layout.ids[i], i);
    indexCache.set(layout, m);
  }
  return m.get(id) ?? -1;
}

/** One epoch of a sample's trajectory. */
export interface TrajectoryPoint {
  readonly epoch: number;
  readonly x: number;
  readonly y: number;
}

/** Positions of sample `id` in each layout that has it, in the order given (oldest first). */
export function trajectory(layouts: Iterable<EpochLayout>, id: number): TrajectoryPoint[] {
  const out: TrajectoryPoint[] = [];
  for (const l of layouts) {
    const i = rowOf(l, id);
    if (i >= 0) out.push({ epoch: l.epoch, x: l.positions[2 * i], y: l.positions[2 * i + 1] });
  }
  return out;
}

/** The row of the layout nearest to (x, y) in layout units, or -1 for an empty layout. */
export function nearestRow(layout: EpochLayout, x: number, y: number): number {
  let best = -1;
  let bestD = Infinity;
  const p = layout.positions;
  for (let i = 0; i < layout.n; i++) {
    const dx = p[2 * i] - x;
    const dy = p[2 * i + 1] - y;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Raw activations of one epoch (all splits, one row per sample). */
export interface RawRows {
  readonly n: number;
  readonly dim: number;
  /** n*dim, row-major. */
  readonly x: Float32Array;
  readonly ids: Float64Array;
  readonly labels?: Int32Array;
}

/**
 * Every split of an assembled epoch as one block of rows, train first (the order of the engine's
 * layout), copied: the engine takes the set's buffers. Labels only when every split has them.
 */
export function rawRowsOf(set: EpochSet): RawRows {
  const dim = set.splits[0]?.dim ?? 0;
  let n = 0;
  for (const d of set.splits) n += d.n;
  const x = new Float32Array(n * dim);
  const ids = new Float64Array(n);
  const labels = set.splits.every((d) => d.labels !== undefined) ? new Int32Array(n) : undefined;
  let at = 0;
  for (const d of [...set.splits].sort((a, b) => (a.split === b.split ? 0 : a.split === 'train' ? -1 : 1))) {
    x.set(d.x.subarray(0, d.n * dim), at * dim);
    ids.set(d.ids.subarray(0, d.n), at);
    if (labels && d.labels) labels.set(d.labels.subarray(0, d.n), at);
    at += d.n;
  }
  return { n, dim, x, ids, labels };
}

/** A neighbour in the raw space. */
export interface Neighbour {
  readonly id: number;
  /** Its label, or null when the producer sent none. */
  readonly label: number | null;
  /** Euclidean distance in the raw space. */
  readonly dist: number;
}

/**
 * The k nearest rows to row `q` in the raw space (exact, one pass: O(n·D)), nearest first; ties go
 * to the lower row, so the answer is reproducible.
 */
export function rawNeighbours(raw: RawRows, q: number, k: number): Neighbour[] {
  const { x, dim } = raw;
  const best: { i: number; d: number }[] = [];
  const base = q * dim;
  for (let i = 0; i < raw.n; i++) {
    if (i === q) continue;
    let d = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = x[o + j] - x[base + j];
      d += v * v;
    }
    if (best.length < k || d < best[best.length - 1].d) {
      let at = best.length;
      while (at > 0 && best[at - 1].d > d) at--;
      best.splice(at, 0, { i, d });
      if (best.length > k) best.pop();
    }
  }
  return best.map(({ i, d }) => ({ id: raw.ids[i], label: raw.labels ? raw.labels[i] : null, dist: Math.sqrt(d) }));
}

/** How far one sample moved between two layouts. */
export interface Move {
  readonly id: number;
  /** Distance moved / the layout's diameter (the same scale as the `stability` metric). */
  readonly moved: number;
}

/** Diameter of a layout's bounding box (1 for a degenerate one, so shares stay finite). */
function diameter(l: EpochLayout): number {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < l.n; i++) {
    const x = l.positions[2 * i];
    const y = l.positions[2 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const d = Math.hypot(x1 - x0, y1 - y0);
  return d > 0 && Number.isFinite(d) ? d : 1;
}

/** The `k` samples of `cur` that moved most since `prev` (ids in both), largest first; ties by id. */
export function movedMost(prev: EpochLayout, cur: EpochLayout, k: number): Move[] {
  const diam = diameter(cur);
  const all: Move[] = [];
  for (let i = 0; i < cur.n; i++) {
    const j = rowOf(prev, cur.ids[i]);
    if (j < 0 || rowOf(cur, cur.ids[i]) !== i) continue;
    const d = Math.hypot(cur.positions[2 * i] - prev.positions[2 * j], cur.positions[2 * i + 1] - prev.positions[2 * j + 1]);
    all.push({ id: cur.ids[i], moved: d / diam });
  }
  all.sort((a, b) => b.moved - a.moved || a.id - b.id);
  return all.slice(0, k);
}
