/**
 * An epoch's layout as a standalone SVG picture for reports: points in class colours,
 * misclassified points ringed, optional decision regions, a legend and a metrics caption.
 * Every text is sanitised and XML-escaped (class names come from the producer).
 */
import type { EpochLayout } from '../model/epoch-layout.js';
import { padExtent, type Bounds } from '../model/bounds.js';
import type { Printable } from '../model/printable.js';

/** What to draw besides the layout itself. */
export interface SvgOptions {
  /** Class names, index = label (from hello). */
  /** Class names, printable (as ingest hands them on). */
  readonly classes?: readonly Printable[];
  /** Heading; default "<run> — epoch <n>". */
  readonly title?: string;
  /** Picture size in pixels (default 800 x 600). */
  readonly width?: number;
  readonly height?: number;
  /** Colour by label (default) or by prediction. */
  readonly coloring?: 'label' | 'prediction';
  /** Draw the decision regions when the layout has them (default true). */
  readonly regions?: boolean;
}

// "category10" and its lighter twins: the palette people expect in scatter plots.
const COLORS = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];
const NO_CLASS = '#555555';

/** Colour of class `cls` (cycling after 20). */
export function svgClassColor(cls: number): string {
  return Number.isInteger(cls) && cls >= 0 ? COLORS[cls % COLORS.length] : NO_CLASS;
}

/**
 * Text safe inside an XML element or attribute. Producer strings are printable already (made so at
 * ingest, model/printable.ts); XML adds its own rules: unpaired surrogates and the non-characters
 * U+FFFE/U+FFFF removed, and the five markup characters escaped.
 */
export function xmlText(s: string): string {
  return s
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Fixed-point number for coordinates (two decimals are sub-pixel; keeps files small). */
const num = (v: number): string => String(Math.round(v * 100) / 100);

/** The metrics caption parts, e.g. ["n=600", "nn15 0.442", "trust15 0.900", ...]. */
export function metricsCaption(layout: EpochLayout): string[] {
  const m = layout.metrics;
  const parts = [`n=${layout.n}`];
  const add = (label: string, v: number | undefined, digits = 3): void => {
    if (typeof v === 'number' && Number.isFinite(v)) parts.push(`${label} ${v.toFixed(digits)}`);
  };
  add('nn15', m.nn15);
  add('trust15', m.trust15);
  add('ppr', m.ppr);
  add('stability', m.stability);
  add('D', m.D);
  add('V', m.V);
  add('sample r', m.sample_rate, 2);
  add('rel. density', m.rel_density, 2);
  add('update_ms', m.update_ms, 0);
  if (m.degenerate) parts.push('degenerate (all points on one spot)');
  return parts;
}

/**
 * Bounds of every point except far outliers: per axis, points beyond Tukey's outer fences
 * (Q1 - 3 IQR, Q3 + 3 IQR) are left out and the rest is enclosed whole, plus a 4% margin.
 * A picture for a report should show all regular points, yet one runaway point must not
 * shrink the rest to a dot.
 */
export function fenceBounds(positions: ArrayLike<number>, n: number): Bounds {
  const axis = (k: 0 | 1): [number, number] => {
    const v: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = positions[2 * i + k];
      if (Number.isFinite(a)) v.push(a);
    }
    if (v.length === 0) return [-1, 1];
    v.sort((p, q) => p - q);
    const q = (f: number): number => v[Math.min(v.length - 1, Math.floor(f * (v.length - 1)))];
    const iqr = q(0.75) - q(0.25);
    const lo = q(0.25) - 3 * iqr;
    const hi = q(0.75) + 3 * iqr;
    let mn = Infinity;
    let mx = -Infinity;
    for (const a of v) if (a >= lo && a <= hi) (mn = Math.min(mn, a)), (mx = Math.max(mx, a));
    return [mn, mx];
  };
  const [x0, x1] = axis(0);
  const [y0, y1] = axis(1);
  return padExtent(x0, x1, y0, y1, 0.04);
}

/** Greedy wrap of caption parts into lines of at most maxChars (a part never splits). */
export function wrapParts(parts: readonly string[], maxChars: number, sep = ' · '): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    if (cur && cur.length + sep.length + p.length > maxChars) {
      lines.push(cur);
      cur = p;
    } else cur = cur ? cur + sep + p : p;
  }
  if (cur) lines.push(cur);
  return lines;
}

/**
 * Render a layout as SVG.
 * @param layout the epoch's layout (positions n*2).
 * @param opts names, title, size, colouring.
 * @throws when the size is not positive or the layout's arrays disagree with n.
 */
export function layoutToSvg(layout: EpochLayout, opts: SvgOptions = {}): string {
  const width = opts.width ?? 800;
  const height = opts.height ?? 600;
  if (!(Number.isInteger(width) && width >= 200 && Number.isInteger(height) && height >= 150)) {
    throw new Error(`layoutToSvg: size must be integers of at least 200x150 pixels, got ${width}x${height}`);
  }
  const n = layout.n;
  if (layout.positions.length !== 2 * n) {
    throw new Error(`layoutToSvg: positions has ${layout.positions.length} values, expected 2*n = ${2 * n}`);
  }
  for (const [name, a] of [['labels', layout.labels], ['preds', layout.preds]] as const) {
    if (a && a.length !== n) throw new Error(`layoutToSvg: ${name} has ${a.length} entries, expected n = ${n}`);
  }
  const classes = opts.classes ?? [];
  const byPred = opts.coloring === 'prediction';
  const { labels, preds, positions } = layout;
  const colorClass = (i: number): number => (byPred ? (preds ?? labels) : (labels ?? preds))?.[i] ?? -1;

  // Count points the fences leave out before laying out the caption that reports them.
  const b = fenceBounds(positions, n);
  const inView = (x: number, y: number): boolean => Number.isFinite(x) && Number.isFinite(y) && x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;
  let outside = 0;
  for (let i = 0; i < n; i++) if (!inView(positions[2 * i], positions[2 * i + 1])) outside++;
  const captionParts = [byPred ? 'colour: prediction' : 'colour: label', ...metricsCaption(layout)];
  if (outside > 0) captionParts.push(`${outside} point${outside === 1 ? '' : 's'} outside the view`);

  // Frame: title band on top, caption band at the bottom, legend column on the right.
  const pad = 10;
  // 11 px sans-serif averages ~6.2 px per character.
  const captionLines = wrapParts(captionParts, Math.floor((width - 2 * pad) / 6.2));
  const titleH = 34;
  const captionLineH = 14;
  const captionH = 12 + captionLines.length * captionLineH;
  const legendW = Math.min(200, Math.floor(width * 0.28));
  const plot = { x: pad, y: titleH, w: width - legendW - 2 * pad, h: height - titleH - captionH };

  const scale = Math.min(plot.w / (b.x1 - b.x0), plot.h / (b.y1 - b.y0));
  const ox = plot.x + plot.w / 2 - ((b.x0 + b.x1) / 2) * scale;
  const oy = plot.y + plot.h / 2 + ((b.y0 + b.y1) / 2) * scale;
  const sx = (x: number): number => ox + x * scale;
  const sy = (y: number): number => oy - y * scale;
  // Smaller dots for denser plots: ~2.5 px for hundreds of points, 1 px for 100k.
  const r = Math.max(1, Math.min(3, 2.5 * Math.sqrt(1000 / Math.max(1, n))));

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`);
  const title = opts.title ?? `${layout.run} — epoch ${layout.epoch}`;
  out.push(`<title>${xmlText(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="${pad}" y="22" font-size="16" font-weight="bold">${xmlText(title)}</text>`);
  out.push(`<clipPath id="plot"><rect x="${plot.x}" y="${plot.y}" width="${num(plot.w)}" height="${num(plot.h)}"/></clipPath>`);
  out.push(`<rect class="frame" x="${plot.x}" y="${plot.y}" width="${num(plot.w)}" height="${num(plot.h)}" fill="none" stroke="#cccccc"/>`);

  const g = layout.regions;
  if (g && opts.regions !== false) {
    out.push('<g class="regions" clip-path="url(#plot)" fill-opacity="0.15">');
    const cw = (g.x1 - g.x0) / g.cols;
    const ch = (g.y1 - g.y0) / g.rows;
    for (let row = 0; row < g.rows; row++) {
      for (let col = 0; col < g.cols; col++) {
        const x = sx(g.x0 + col * cw);
        // Row 0 is at y0 (the bottom): its top edge on screen is y0 + ch.
        const y = sy(g.y0 + (row + 1) * ch);
        out.push(`<rect x="${num(x)}" y="${num(y)}" width="${num(cw * scale)}" height="${num(ch * scale)}" fill="${svgClassColor(g.cls[row * g.cols + col])}"/>`);
      }
    }
    out.push('</g>');
  }

  const rings: string[] = [];
  out.push(`<g class="points" clip-path="url(#plot)" stroke="none">`);
  for (let i = 0; i < n; i++) {
    const x = positions[2 * i];
    const y = positions[2 * i + 1];
    if (!inView(x, y)) continue;
    const cx = num(sx(x));
    const cy = num(sy(y));
    out.push(`<circle cx="${cx}" cy="${cy}" r="${num(r)}" fill="${svgClassColor(colorClass(i))}"/>`);
    if (labels && preds && labels[i] !== preds[i]) rings.push(`<circle cx="${cx}" cy="${cy}" r="${num(r + 1.5)}"/>`);
  }
  out.push('</g>');
  // Misclassified: a dark ring around the dot, drawn above all dots so none hides it.
  out.push(`<g class="misclassified" fill="none" stroke="#000000" stroke-width="0.8">`);
  out.push(...rings);
  out.push('</g>');

  // Legend: one swatch per class (names from hello, else "class i"), then the ring.
  let nClasses = classes.length;
  for (const a of [labels, preds]) if (a) for (let i = 0; i < a.length; i++) nClasses = Math.max(nClasses, a[i] + 1);
  const lx = width - legendW;
  const lineH = 16;
  const maxRows = Math.max(1, Math.floor((height - titleH - captionH) / lineH) - 2);
  out.push(`<g class="legend" font-size="12">`);
  const shown = nClasses > maxRows ? maxRows - 1 : nClasses;
  for (let c = 0; c < shown; c++) {
    const y = titleH + c * lineH;
    const name = classes[c] ?? `class ${c}`;
    out.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="${svgClassColor(c)}"/>`);
    out.push(`<text x="${lx + 16}" y="${y + 9}">${xmlText(`${c} ${name}`)}</text>`);
  }
  let ly = titleH + shown * lineH;
  if (shown < nClasses) {
    out.push(`<text x="${lx}" y="${ly + 9}" fill="#555555">${xmlText(`+${nClasses - shown} more classes`)}</text>`);
    ly += lineH;
  }
  if (labels && preds) {
    out.push(`<circle cx="${lx + 5}" cy="${ly + 5}" r="4" fill="none" stroke="#000000" stroke-width="0.8"/>`);
    out.push(`<text x="${lx + 16}" y="${ly + 9}">misclassified</text>`);
  }
  out.push('</g>');

  captionLines.forEach((line, k) => {
    const y = height - captionH + 10 + (k + 1) * captionLineH - 4;
    out.push(`<text class="caption" x="${pad}" y="${y}" font-size="11" fill="#333333">${xmlText(line)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
