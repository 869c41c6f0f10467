/**
 * Axis-aligned boxes in layout coordinates, and the one rule for turning a data extent into a
 * drawable box. Callers differ only in which extent they take (all points, quantiles, fences).
 */

/** An axis-aligned box in layout coordinates. */
export interface Bounds {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The box for when there is nothing to enclose. */
export const UNIT_BOUNDS: Bounds = { x0: -1, y0: -1, x1: 1, y1: 1 };

/**
 * Widen an extent into a box that a transform can use.
 * - No spread at all (one point, a collapsed epoch): a unit box around the centre, so scales stay finite.
 * - One flat axis (all points on a line): that axis borrows 5% of the other axis' span.
 * - Then each axis is widened by `margin` of its span on each side.
 * @param margin share of each axis' span added on both sides.
 */
export function padExtent(x0: number, x1: number, y0: number, y1: number, margin: number): Bounds {
  const span = Math.max(x1 - x0, y1 - y0);
  if (!(span > 0)) {
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    return { x0: cx - 1, y0: cy - 1, x1: cx + 1, y1: cy + 1 };
  }
  if (!(x1 - x0 > 0)) (x0 -= span * 0.05), (x1 += span * 0.05);
  if (!(y1 - y0 > 0)) (y0 -= span * 0.05), (y1 += span * 0.05);
  const mx = (x1 - x0) * margin;
  const my = (y1 - y0) * margin;
  return { x0: x0 - mx, y0: y0 - my, x1: x1 + mx, y1: y1 + my };
}

/**
 * Bounds of every finite point plus `margin` of the span on each side.
 * @param positions x0,y0,x1,y1,... (length >= 2n).
 * @param n number of points.
 */
export function extentBounds(positions: ArrayLike<number>, n: number, margin = 0.05): Bounds {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i];
    const y = positions[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!Number.isFinite(x0)) return UNIT_BOUNDS;
  return padExtent(x0, x1, y0, y1, margin);
}
