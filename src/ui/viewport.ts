/**
 * Viewport math for the scatter: robust bounds of a layout, a view (zoom + pan) on top of them,
 * and the affine map from layout coordinates to canvas dots (y pointing up on screen).
 * Braille dots are about square on a terminal (a cell is ~1:2 and holds 2x4 dots), so one scale
 * for both axes keeps the layout's aspect ratio.
 */

import { padExtent, UNIT_BOUNDS, type Bounds } from '../model/bounds.js';

export type { Bounds };

/** The user's view relative to the auto-fitted bounds. */
export interface View {
  /** Magnification, 1 = the fitted bounds fill the canvas. */
  readonly zoom: number;
  /** Offset of the view centre from the bounds' centre, in layout units. */
  readonly panX: number;
  readonly panY: number;
}

/** dotX = x * scale + offX; dotY = offY - y * scale. */
export interface Transform {
  readonly scale: number;
  readonly offX: number;
  readonly offY: number;
}

export const HOME_VIEW: View = { zoom: 1, panX: 0, panY: 0 };

/** Zoom limits: beyond 1/8 the layout is a speck, beyond 512 float32 positions get coarse. */
export const MIN_ZOOM = 1 / 8;
export const MAX_ZOOM = 512;
/** Zoom factor per key press. */
export const ZOOM_STEP = 1.25;
/** Pan distance per key press, as a share of the visible span. */
export const PAN_STEP = 0.1;

/** Value at quantile q of sorted values (linear interpolation). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Most points the robust bounds look at. */
const BOUNDS_SAMPLE = 8192;

/**
 * Bounds that ignore outliers: the q and 1-q quantiles of each axis, widened by `margin` of the
 * span on each side. Non-finite positions are skipped. A layout with no spread (one point, or a
 * collapsed epoch) gets a unit box around its centre so that the transform stays finite.
 * @param positions x0,y0,x1,y1,... (length >= 2n).
 * @param n number of points.
 * @param q tail share cut on each side (0.01 = 1st to 99th percentile).
 * @param margin widening on each side, as a share of the span.
 */
export function robustBounds(positions: ArrayLike<number>, n: number, q = 0.01, margin = 0.05): Bounds {
  if (!(q >= 0 && q < 0.5)) throw new Error(`robustBounds: q must be in [0, 0.5), got ${q}`);
  if (positions.length < 2 * n) {
    throw new Error(`robustBounds: positions has ${positions.length} values, need 2*n = ${2 * n}`);
  }
  // Quantiles from at most BOUNDS_SAMPLE evenly strided points: sorting 50,000 twice per new
  // layout took ~10 ms of a 30 ms frame, and the 1st / 99th percentiles barely move.
  const stride = Math.max(1, Math.ceil(n / BOUNDS_SAMPLE));
  const xs = new Float64Array(Math.ceil(n / stride));
  const ys = new Float64Array(xs.length);
  let m = 0;
  for (let i = 0; i < n; i += stride) {
    const x = positions[2 * i];
    const y = positions[2 * i + 1];
    if (Number.isFinite(x) && Number.isFinite(y)) {
      xs[m] = x;
      ys[m] = y;
      m++;
    }
  }
  if (m === 0) return UNIT_BOUNDS;
  const sx = xs.subarray(0, m).sort();
  const sy = ys.subarray(0, m).sort();
  return padExtent(quantile(sx, q), quantile(sx, 1 - q), quantile(sy, q), quantile(sy, 1 - q), margin);
}

/**
 * Map layout coordinates to canvas dots so that `bounds` (zoomed and panned by `view`) is
 * centred in a dotW x dotH canvas, with one scale on both axes.
 */
export function fitTransform(bounds: Bounds, view: View, dotW: number, dotH: number): Transform {
  const spanX = bounds.x1 - bounds.x0;
  const spanY = bounds.y1 - bounds.y0;
  if (!(spanX > 0 && spanY > 0)) throw new Error(`fitTransform: empty bounds ${JSON.stringify(bounds)}`);
  const scale = Math.min(dotW / spanX, dotH / spanY) * view.zoom;
  const cx = (bounds.x0 + bounds.x1) / 2 + view.panX;
  const cy = (bounds.y0 + bounds.y1) / 2 + view.panY;
  return { scale, offX: dotW / 2 - cx * scale, offY: dotH / 2 + cy * scale };
}

/** Layout point -> dot coordinates. */
export function toDot(t: Transform, x: number, y: number): { readonly dx: number; readonly dy: number } {
  return { dx: x * t.scale + t.offX, dy: t.offY - y * t.scale };
}

/** Dot coordinates -> layout point (the inverse of toDot). */
export function fromDot(t: Transform, dx: number, dy: number): { readonly x: number; readonly y: number } {
  return { x: (dx - t.offX) / t.scale, y: (t.offY - dy) / t.scale };
}

/** Zoom about the view centre by `factor` (>1 magnifies), clamped to [MIN_ZOOM, MAX_ZOOM]. */
export function zoomView(view: View, factor: number): View {
  if (!(factor > 0)) throw new Error(`zoomView: factor must be > 0, got ${factor}`);
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  return { ...view, zoom };
}

/**
 * Move the view by PAN_STEP of the visible span per unit of (dirX, dirY); +x looks right,
 * +y looks up. The step depends on the zoom so that a key press moves the picture by the same
 * share of the screen at any zoom.
 * @param t the current transform (gives the visible span).
 * @param dotW canvas width in dots.
 * @param dotH canvas height in dots.
 */
export function panView(view: View, dirX: number, dirY: number, t: Transform, dotW: number, dotH: number): View {
  const visibleW = dotW / t.scale;
  const visibleH = dotH / t.scale;
  return { ...view, panX: view.panX + dirX * PAN_STEP * visibleW, panY: view.panY + dirY * PAN_STEP * visibleH };
}
