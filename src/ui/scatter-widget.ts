/**
 * The scatter plot: every point of an EpochLayout as a braille dot (or an ASCII stand-in),
 * coloured by label, prediction or correctness, misclassified cells bold + underlined, with an
 * optional decision-region background. Owns the viewport (zoom about the centre, pan, reset)
 * on top of the layout's robust auto-fit bounds. It paints into any cell grid, so the same code
 * draws into blessed's screen buffer and into test grids.
 */
import type { EpochLayout, RegionGrid } from '../model/epoch-layout.js';
import { BrailleCanvas, DOTS_X, DOTS_Y } from './braille-canvas.js';
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
