/**
 * The scatter plot: every point of an EpochLayout as a braille dot (or an ASCII stand-in),
 * coloured by label, prediction or correctness, misclassified cells bold + underlined, with an
 * optional decision-region background. Owns the viewport (zoom about the centre, pan, reset)
 * on top of the layout's robust auto-fit bounds. It paints into any cell grid, so the same code
 * draws into blessed's screen buffer and into test grids.
 */
import type { EpochLayout, RegionGrid } from '../model/epoch-layout.js';
import { BRAILLE_BASE, BrailleCanvas, DOTS_X, DOTS_Y } from './braille-canvas.js';
import type { Painter } from './cell-painter.js';
import type { Rect } from './layout-math.js';
import { DEFAULT_COLOR, FLAG_BOLD, FLAG_UNDERLINE, packAttr, type Palette } from './palette.js';
import {
  type Bounds,
  fitTransform,
  fromDot,
  HOME_VIEW,
  panView,
  robustBounds,
  type Transform,
  type View,
  ZOOM_STEP,
  zoomView,
} from './viewport.js';

/** What the dot colour means; 'task' (key T, continual learning) is outside the c cycle. */
export type Coloring = 'label' | 'prediction' | 'correctness' | 'task';
export const COLORINGS: readonly Coloring[] = ['label', 'prediction', 'correctness'];

/** Misclassified cells stand out without colour too (NO_COLOR, monochrome terminals). */
const MIS_FLAGS = FLAG_BOLD | FLAG_UNDERLINE;

export class ScatterWidget {
  coloring: Coloring = 'label';
  /** Draw the decision regions behind the points (when the layout has them). */
  background = false;
  view: View = HOME_VIEW;
  readonly canvas = new BrailleCanvas(0, 0);
  private readonly bounds = new WeakMap<EpochLayout, Bounds>();
  private transform: Transform | null = null;
  /** The inspector's trajectory, drawn over the points. */
  private readonly trail = new BrailleCanvas(0, 0);

  /**
   * @param palette colours (NO_COLOR gives a palette without any).
   * @param ascii draw with ASCII characters instead of braille.
   */
  constructor(
    private readonly palette: Palette,
    readonly ascii: boolean,
  ) {}

  /** Next colouring mode (key c). */
  cycleColoring(): Coloring {
    this.coloring = COLORINGS[(COLORINGS.indexOf(this.coloring) + 1) % COLORINGS.length];
    return this.coloring;
  }

  /** Colour by task, or back to labels when already so (key T). */
  toggleTaskColoring(): Coloring {
    this.coloring = this.coloring === 'task' ? 'label' : 'task';
    return this.coloring;
  }

  /** Toggle the decision-region background (key b). */
  toggleBackground(): boolean {
    this.background = !this.background;
    return this.background;
  }

  /** Zoom in (+1) or out (-1) about the view centre. */
  zoom(dir: 1 | -1): void {
    this.view = zoomView(this.view, dir > 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
  }

  /** Pan one step; +x looks right, +y looks up. Needs one painted frame to know the scale. */
  pan(dirX: number, dirY: number): void {
    if (!this.transform) return;
    this.view = panView(this.view, dirX, dirY, this.transform, this.canvas.dotWidth, this.canvas.dotHeight);
  }

  /** The transform of the last painted frame (null before one, or with nothing drawn). */
  get lastTransform(): Transform | null {
    return this.transform;
  }

  /**
   * Draw a trajectory (layout points, oldest first) as a braille line over the last painted frame
   * in `rect`; its cells take `attr`. Segments are capped at 4096 dots each (a far jump is still one line).
   */
  paintTrail(p: Painter, rect: Rect, pts: readonly { readonly x: number; readonly y: number }[], attr: number): void {
    const t = this.transform;
    const c = this.canvas;
    if (!t || pts.length === 0 || c.cols !== rect.width || c.rows !== rect.height) return;
    const o = this.trail;
    o.resize(rect.width, rect.height);
    const dot = (q: { x: number; y: number }): [number, number] => [q.x * t.scale + t.offX, t.offY - q.y * t.scale];
    let [px, py] = dot(pts[0]);
    o.plot(px, py);
    for (let k = 1; k < pts.length; k++) {
      const [qx, qy] = dot(pts[k]);
      const steps = Math.min(4096, Math.ceil(Math.max(Math.abs(qx - px), Math.abs(qy - py))));
      for (let s = 1; s <= steps; s++) o.plot(px + ((qx - px) * s) / steps, py + ((qy - py) * s) / steps);
      [px, py] = [qx, qy];
    }
    for (let row = 0; row < rect.height; row++) {
      for (let col = 0; col < rect.width; col++) {
        const i = o.index(col, row);
        if (o.bits[i] === 0) continue;
        const ch = this.ascii ? '*' : String.fromCharCode(BRAILLE_BASE + (o.bits[i] | c.bits[i]));
        p.put(rect.left + col, rect.top + row, ch, attr);
      }
    }
  }

  /** Mark cell (col, row) of the last painted frame in `rect` with `attr` (the inspector's cursor). */
  paintCursor(p: Painter, rect: Rect, col: number, row: number, attr: number): void {
    const c = this.canvas;
    if (col < 0 || row < 0 || col >= rect.width || row >= rect.height || c.cols !== rect.width || c.rows !== rect.height) return;
    const empty = c.bits[c.index(col, row)] === 0;
    const ch = empty ? '+' : this.ascii ? c.asciiAt(col, row) : c.brailleAt(col, row);
    p.put(rect.left + col, rect.top + row, ch, attr);
  }

  /** Back to the auto-fitted view (key r). */
  reset(): void {
    this.view = HOME_VIEW;
  }

  /** The auto-fit bounds of a layout (cached per layout object). */
  fitBounds(layout: EpochLayout): Bounds {
    let b = this.bounds.get(layout);
    if (!b) {
      b = robustBounds(layout.positions, layout.n);
      this.bounds.set(layout, b);
    }
    return b;
  }

  /** Short description of the mode for the panel title, e.g. "label" or "prediction (no preds)". */
  describe(layout: EpochLayout | undefined): string {
    let s: string = this.coloring;
    if (layout && this.coloring === 'task') {
      if (!layout.tasks) s += ' (no tasks)';
    } else if (layout && this.coloring !== 'label' && !layout.preds) s += ' (no preds)';
    if (this.background) s += layout?.regions ? ' +regions' : ' (no regions)';
    if (this.view.zoom !== 1) s += ` x${this.view.zoom >= 10 ? this.view.zoom.toFixed(0) : this.view.zoom.toFixed(2)}`;
    return s;
  }

  /**
   * Put the layout's points into the canvas for a cols x rows area.
   * @returns the transform used (null when there is nothing to draw).
   */
  rasterize(layout: EpochLayout | undefined, cols: number, rows: number): Transform | null {
    const c = this.canvas;
    if (c.cols !== cols || c.rows !== rows) c.resize(cols, rows);
    else c.clear();
    if (!layout || layout.n === 0 || cols === 0 || rows === 0) {
      this.transform = null;
      return null;
    }
    const t = fitTransform(this.fitBounds(layout), this.view, c.dotWidth, c.dotHeight);
    this.transform = t;
    const { positions: pos, labels, preds, tasks, n } = layout;
    const both = labels !== undefined && preds !== undefined;
    const mode = this.coloring;
    const { scale, offX, offY } = t;
    for (let i = 0; i < n; i++) {
      const mis = both && labels[i] !== preds[i];
      let cls: number;
      if (mode === 'task') cls = tasks ? tasks[i] : -1;
      else if (mode === 'correctness') cls = both ? 0 : -1;
      else if (mode === 'prediction') cls = preds ? preds[i] : labels ? labels[i] : -1;
      else cls = labels ? labels[i] : preds ? preds[i] : -1;
      c.plot(pos[2 * i] * scale + offX, offY - pos[2 * i + 1] * scale, cls, mis);
    }
    return t;
  }

  /** Region class at layout point (x, y), or -1 outside the grid. */
  private static regionAt(g: RegionGrid, x: number, y: number): number {
    const col = Math.floor(((x - g.x0) / (g.x1 - g.x0)) * g.cols);
    const row = Math.floor(((y - g.y0) / (g.y1 - g.y0)) * g.rows);
    if (!(col >= 0 && row >= 0 && col < g.cols && row < g.rows)) return -1;
    return g.cls[row * g.cols + col];
  }

  /**
   * Rasterize and paint the layout into `rect` (the panel's inside).
   * @param message a line shown at the top-left, e.g. "waiting for the first layout".
   */
  paint(p: Painter, rect: Rect, layout: EpochLayout | undefined, message?: string): void {
    const cols = Math.max(0, rect.width);
    const rows = Math.max(0, rect.height);
    const t = this.rasterize(layout, cols, rows);
    const c = this.canvas;
    const pal = this.palette;
    const regions = this.background && t && pal.mode !== 0 ? layout?.regions : undefined;
    const ascii = this.ascii;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        const i = c.index(col, row);
        let bg = DEFAULT_COLOR;
        if (regions && t) {
          const pt = fromDot(t, col * DOTS_X + DOTS_X / 2, row * DOTS_Y + DOTS_Y / 2);
          const rc = ScatterWidget.regionAt(regions, pt.x, pt.y);
          if (rc >= 0) bg = pal.regionColor(rc);
        }
        const bits = c.bits[i];
        if (bits === 0) {
          p.put(rect.left + col, rect.top + row, ' ', packAttr(DEFAULT_COLOR, bg, 0));
          continue;
        }
        const mis = c.mis[i] > 0;
        const cls = c.cls[i];
        let fg: number;
        if (this.coloring === 'correctness') fg = cls < 0 ? DEFAULT_COLOR : mis ? pal.wrong : pal.correct;
        else fg = cls < 0 ? DEFAULT_COLOR : pal.classColor(cls);
        const ch = ascii ? c.asciiAt(col, row) : c.brailleAt(col, row);
        p.put(rect.left + col, rect.top + row, ch, packAttr(fg, bg, mis ? MIS_FLAGS : 0));
      }
    }
    if (message) p.text(rect.left, rect.top, message, packAttr(pal.dim, DEFAULT_COLOR, 0), cols);
  }
}
