/**
 * 2-D Procrustes alignment: the similarity transform (rotation or reflection, uniform scale,
 * translation) that best maps one layout onto another in least squares. Used to compare umap-js
 * refits fairly: its layouts come out in an arbitrary orientation each time, which is not change.
 */

/** y' = s * y R + t for row vectors y. */
export interface Similarity {
  /** Row-major 2x2 orthogonal matrix (det +1 rotation or -1 reflection). */
  readonly r: readonly [number, number, number, number];
  readonly s: number;
  readonly t: readonly [number, number];
}

/**
 * Fit the transform taking `from` onto `to` (both n*2, rows paired by index).
 * @param from layout to move
 * @param to reference layout
 */
export function procrustes(from: Float32Array, to: Float32Array): Similarity {
  if (from.length !== to.length || from.length % 2 !== 0) throw new Error(`procrustes: layouts differ in size (${from.length} vs ${to.length})`);
  const n = from.length / 2;
  if (n < 2) throw new Error('procrustes: need at least two paired points');
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i];
    fy += from[2 * i + 1];
    tx += to[2 * i];
    ty += to[2 * i + 1];
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  // M = F0^T T0 (2x2) and |F0|^2.
  let a = 0, b = 0, c = 0, d = 0, ff = 0;
  for (let i = 0; i < n; i++) {
    const u = from[2 * i] - fx;
    const v = from[2 * i + 1] - fy;
    const p = to[2 * i] - tx;
    const q = to[2 * i + 1] - ty;
    a += u * p; b += u * q; c += v * p; d += v * q;
    ff += u * u + v * v;
  }
  // Maximise trace(R^T M) over rotations [[cos, -sin], [sin, cos]] and reflections [[cos, sin], [sin, -cos]].
  const rotVal = Math.hypot(a + d, c - b);
  const refVal = Math.hypot(a - d, b + c);
  let r: [number, number, number, number];
  let best: number;
  if (rotVal >= refVal) {
    const th = Math.atan2(c - b, a + d);
    r = [Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)];
    best = rotVal;
  } else {
    const th = Math.atan2(b + c, a - d);
    r = [Math.cos(th), Math.sin(th), Math.sin(th), -Math.cos(th)];
    best = refVal;
  }
  const s = ff > 0 ? best / ff : 1;
  // t = mean(to) - s * mean(from) R
  const mx = s * (fx * r[0] + fy * r[2]);
  const my = s * (fx * r[1] + fy * r[3]);
  return { r, s, t: [tx - mx, ty - my] };
}

/** Apply a transform to a layout (new array). */
export function applySimilarity(t: Similarity, pos: Float32Array): Float32Array {
  const out = new Float32Array(pos.length);
  const [r0, r1, r2, r3] = t.r;
  for (let i = 0; i < pos.length; i += 2) {
    const x = pos[i];
    const y = pos[i + 1];
    out[i] = t.s * (x * r0 + y * r2) + t.t[0];
    out[i + 1] = t.s * (x * r1 + y * r3) + t.t[1];
  }
  return out;
}

/**
 * Align `pos` (with ids) onto a previous layout over the ids they share.
 * @returns the aligned copy of pos, or pos itself when fewer than 2 ids are shared
 */
export function alignToPrevious(prevIds: Float64Array, prevPos: Float32Array, ids: Float64Array, pos: Float32Array): Float32Array {
  const where = new Map<number, number>();
  for (let i = 0; i < prevIds.length; i++) where.set(prevIds[i], i);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const p = where.get(ids[i]);
    if (p === undefined) continue;
    a.push(pos[2 * i], pos[2 * i + 1]);
    b.push(prevPos[2 * p], prevPos[2 * p + 1]);
  }
  if (a.length < 4) return pos;
  return applySimilarity(procrustes(Float32Array.from(a), Float32Array.from(b)), pos);
}
