/** Small array helpers shared by the engine's phases. */
import type { EpochData } from '../model/epoch-data.js';

/** 0, 1, ..., n-1. */
export function rangeIdx(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Row of each id (the last row when an id repeats). */
export function rowMap(ids: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) m.set(ids[i], i);
  return m;
}

/** The splits' ids end to end, in the order given. */
export function concatIds(parts: readonly { readonly data: EpochData }[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.data.n, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p.data.ids, o);
    o += p.data.n;
  }
  return out;
}

/** The splits' positions (n*2 each) end to end, in the order given. */
export function concatPos(parts: readonly { readonly data: EpochData; readonly pos: Float32Array }[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.data.n, 0) * 2);
  let o = 0;
  for (const p of parts) {
    out.set(p.pos, o);
    o += p.pos.length;
  }
  return out;
}
