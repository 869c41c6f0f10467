/**
 * Drawing into a grid of [attr, char] cells: the layout of blessed's screen buffer
 * (screen.lines), so panels paint straight into it without tag parsing, and unit tests paint
 * into a plain grid of the same shape without a terminal.
 */
import { charWidth, textWidth } from './char-width.js';
import type { Rect } from './layout-math.js';
import { DEFAULT_COLOR, packAttr } from './palette.js';

/**
 * One cell: packed attribute and its text: one character, a character with combining marks, or
 * '' for the right half of a wide character (blessed then writes nothing there: the terminal
 * already advanced two columns).
 */
export type Cell = [number, string];
/** One row; blessed redraws rows marked dirty. */
export type CellLine = Cell[] & { dirty?: boolean };

/** The default attribute (terminal's own colours, no flags). */
export const PLAIN = packAttr(DEFAULT_COLOR, DEFAULT_COLOR, 0);

/** Border characters. */
interface BoxChars {
  readonly h: string;
  readonly v: string;
  readonly tl: string;
  readonly tr: string;
  readonly bl: string;
  readonly br: string;
}
const UNICODE_BOX: BoxChars = { h: '─', v: '│', tl: '┌', tr: '┐', bl: '└', br: '┘' };
const ASCII_BOX: BoxChars = { h: '-', v: '|', tl: '+', tr: '+', bl: '+', br: '+' };

/** A fresh grid of blank cells (tests, benchmarks). */
export function createGrid(cols: number, rows: number): CellLine[] {
  const grid: CellLine[] = [];
  for (let y = 0; y < rows; y++) {
    const line: CellLine = [];
    for (let x = 0; x < cols; x++) line.push([PLAIN, ' ']);
    grid.push(line);
  }
  return grid;
}

/** Paints into a cell grid, clipped to a rectangle; coordinates are absolute screen cells. */
export class Painter {
  private readonly x0: number;
  private readonly y0: number;
  private readonly x1: number;
  private readonly y1: number;

  /**
   * @param lines the grid (blessed's screen.lines or createGrid()).
   * @param clip only cells inside it are written; defaults to the whole grid.
   * @param asciiOnly text() writes '?' for each cell of a non-ASCII character (terminals without
   *   UTF-8 would otherwise get bytes they cannot show, and blessed's own '?' substitution loses
   *   the second column of wide characters).
   */
  constructor(
    readonly lines: CellLine[],
    clip?: Rect,
    readonly asciiOnly = false,
  ) {
    const rows = lines.length;
    const cols = rows > 0 ? lines[0].length : 0;
    const c = clip ?? { left: 0, top: 0, width: cols, height: rows };
    this.x0 = Math.max(0, c.left);
    this.y0 = Math.max(0, c.top);
    this.x1 = Math.min(cols, c.left + c.width);
    this.y1 = Math.min(rows, c.top + c.height);
  }

  /** A painter for a sub-rectangle (intersected with this one's clip). */
  clipped(r: Rect): Painter {
    const left = Math.max(this.x0, r.left);
    const top = Math.max(this.y0, r.top);
    const right = Math.min(this.x1, r.left + r.width);
    const bottom = Math.min(this.y1, r.top + r.height);
    return new Painter(this.lines, { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) }, this.asciiOnly);
  }

  /** Set one cell (ignored outside the clip). */
  put(x: number, y: number, ch: string, attr: number): void {
    if (x < this.x0 || y < this.y0 || x >= this.x1 || y >= this.y1) return;
    const line = this.lines[y];
    const cell = line[x];
    if (cell[0] !== attr || cell[1] !== ch) {
      cell[0] = attr;
      cell[1] = ch;
      line.dirty = true;
    }
  }

  /**
   * Write text from (x, y), cut at maxWidth cells and at the clip. Wide characters take two
   * cells (the second holds ''), combining marks join the previous cell; a wide character that
   * would straddle the limit is replaced by a space.
   * @returns cells written.
   */
  text(x: number, y: number, s: string, attr: number, maxWidth = Infinity): number {
    const limit = Math.min(maxWidth, this.x1 - x);
    let n = 0;
    for (const c of s) {
      const w = charWidth(c);
      const ch = this.asciiOnly && c > '~' ? '?' : c;
      if (w === 0) {
        if (this.asciiOnly) continue;
        if (n > 0 && y >= this.y0 && y < this.y1 && x + n - 1 >= this.x0) {
          const cell = this.lines[y][x + n - 1];
          // A mark after a wide character belongs to its first (visible) cell.
          const target = cell[1] === '' && x + n - 2 >= this.x0 ? this.lines[y][x + n - 2] : cell;
          target[1] += ch;
          this.lines[y].dirty = true;
        }
        continue;
      }
      if (n + w > limit) {
        if (n < limit && w === 2) this.put(x + n++, y, ' ', attr);
        break;
      }
      this.put(x + n, y, ch, attr);
      if (w === 2) this.put(x + n + 1, y, this.asciiOnly ? '?' : '', attr);
      n += w;
    }
    return n;
  }

  /** Fill a rectangle with one character and attribute. */
  fill(r: Rect, ch: string, attr: number): void {
    for (let y = r.top; y < r.top + r.height; y++) {
      for (let x = r.left; x < r.left + r.width; x++) this.put(x, y, ch, attr);
    }
  }

  /**
   * Draw a border around r with a title in the top edge; returns the inner rectangle.
   * @param ascii use + - | instead of box-drawing characters.
   */
  frame(r: Rect, title: string, attr: number, titleAttr: number, ascii: boolean): Rect {
    const b = ascii ? ASCII_BOX : UNICODE_BOX;
    const right = r.left + r.width - 1;
    const bottom = r.top + r.height - 1;
    if (r.width < 2 || r.height < 2) return { left: r.left, top: r.top, width: 0, height: 0 };
    for (let x = r.left + 1; x < right; x++) {
      this.put(x, r.top, b.h, attr);
      this.put(x, bottom, b.h, attr);
    }
    for (let y = r.top + 1; y < bottom; y++) {
      this.put(r.left, y, b.v, attr);
      this.put(right, y, b.v, attr);
    }
    this.put(r.left, r.top, b.tl, attr);
    this.put(right, r.top, b.tr, attr);
    this.put(r.left, bottom, b.bl, attr);
    this.put(right, bottom, b.br, attr);
    if (title && r.width > 4) this.text(r.left + 1, r.top, ` ${title} `, titleAttr, r.width - 2);
    return { left: r.left + 1, top: r.top + 1, width: r.width - 2, height: r.height - 2 };
  }
}

/** Shorten text to at most `width` cells, marking the cut with '~' (ASCII, so it fits anywhere). */
export function fitText(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = charWidth(ch);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
  }
  return out + '~';
}
