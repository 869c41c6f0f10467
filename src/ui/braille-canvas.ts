/**
 * A dot canvas on braille cells: every terminal cell holds 2x4 dots (Unicode U+2800 + bits).
 * Dots go straight into a byte per cell (no per-dot objects, no strings until drawing), which is
 * what keeps a 10k-point frame in the low milliseconds. Each cell also remembers one class for
 * its colour (a streaming majority vote) and how many of its dots were misclassified.
 */

/** First braille codepoint (no dots). */
export const BRAILLE_BASE = 0x2800;

// Bit of dot (x, y) inside a cell, per the Unicode braille layout: dots 1-3 and 7 in the left
// column (top to bottom), 4-6 and 8 in the right one.
const DOT_BITS: readonly (readonly number[])[] = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** Dots per cell horizontally / vertically. */
export const DOTS_X = 2;
export const DOTS_Y = 4;

/** Population count of a cell's 8 dot bits. */
export function popcount8(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

// Upper half of a cell = dots in rows 0-1, lower half = rows 2-3.
const UPPER = 0x01 | 0x02 | 0x08 | 0x10;
const LOWER = 0x04 | 0x40 | 0x20 | 0x80;

export class BrailleCanvas {
  private colsV = 0;
  private rowsV = 0;
  /** Dot bits per cell (row-major). */
  bits = new Uint8Array(0);
  /** Colour class per cell (-1 = none); majority by Boyer-Moore vote, the last class on ties. */
  cls = new Int16Array(0);
  private votes = new Uint16Array(0);
  /** Misclassified dots per cell (saturating at 255). */
  mis = new Uint8Array(0);

  /**
   * @param cols cells across.
   * @param rows cells down.
   */
  constructor(cols: number, rows: number) {
    this.resize(cols, rows);
  }

  get cols(): number {
    return this.colsV;
  }
  get rows(): number {
    return this.rowsV;
  }
  /** Dots across (2 per cell). */
  get dotWidth(): number {
    return this.colsV * DOTS_X;
  }
  /** Dots down (4 per cell). */
  get dotHeight(): number {
    return this.rowsV * DOTS_Y;
  }

  /** Change the size; clears the canvas. Reuses the buffers when they are big enough. */
  resize(cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 0 || rows < 0) {
      throw new Error(`BrailleCanvas: size must be non-negative integers, got ${cols}x${rows}`);
    }
    this.colsV = cols;
    this.rowsV = rows;
    const cells = cols * rows;
    if (this.bits.length < cells) {
      this.bits = new Uint8Array(cells);
      this.cls = new Int16Array(cells);
      this.votes = new Uint16Array(cells);
      this.mis = new Uint8Array(cells);
    }
    this.clear();
  }

  /** Remove every dot. */
  clear(): void {
    const cells = this.colsV * this.rowsV;
    this.bits.fill(0, 0, cells);
    this.cls.fill(-1, 0, cells);
    this.votes.fill(0, 0, cells);
    this.mis.fill(0, 0, cells);
  }

  /**
   * Set one dot. Coordinates outside the canvas are ignored (clipping).
   * @param dx dot column, 0 at the left (fractions are floored).
   * @param dy dot row, 0 at the top.
   * @param cls class for the cell colour vote, or -1 for none.
   * @param misclassified whether this point's prediction differs from its label.
   */
  plot(dx: number, dy: number, cls = -1, misclassified = false): void {
    // `>= 0` with floor also rejects NaN.
    const x = Math.floor(dx);
    const y = Math.floor(dy);
    if (!(x >= 0 && y >= 0 && x < this.colsV * DOTS_X && y < this.rowsV * DOTS_Y)) return;
    const col = x >> 1;
    const row = y >> 2;
    const i = row * this.colsV + col;
    this.bits[i] |= DOT_BITS[x & 1][y & 3];
    if (cls >= 0) {
      if (this.votes[i] === 0) {
        this.cls[i] = cls;
        this.votes[i] = 1;
      } else if (this.cls[i] === cls) {
        if (this.votes[i] < 0xffff) this.votes[i]++;
      } else {
        this.votes[i]--;
        // A tie hands the cell to the newest class ("last wins"), so it never goes blank.
        if (this.votes[i] === 0) {
          this.cls[i] = cls;
          this.votes[i] = 1;
        }
      }
    }
    if (misclassified && this.mis[i] < 255) this.mis[i]++;
  }

  /** Index of cell (col, row) in the per-cell arrays. */
  index(col: number, row: number): number {
    return row * this.colsV + col;
  }

  /** The braille character of a cell (U+2800 when empty). */
  brailleAt(col: number, row: number): string {
    return String.fromCharCode(BRAILLE_BASE + this.bits[row * this.colsV + col]);
  }

  /**
   * An ASCII stand-in for a cell, for terminals or fonts without braille: the shape of the
   * upper/lower halves for sparse cells, '#' for dense ones, 'x' when a dot is misclassified.
   */
  asciiAt(col: number, row: number): string {
    const i = row * this.colsV + col;
    const b = this.bits[i];
    if (b === 0) return ' ';
    if (this.mis[i] > 0) return 'x';
    // 6+ of 8 dots: the cell is essentially filled.
    if (popcount8(b) >= 6) return '#';
    const up = (b & UPPER) !== 0;
    const down = (b & LOWER) !== 0;
    return up && down ? ':' : up ? "'" : '.';
  }

  /** The canvas as text lines (braille or ASCII), for tests and debugging. */
  toLines(ascii = false): string[] {
    const out: string[] = [];
    for (let r = 0; r < this.rowsV; r++) {
      let s = '';
      for (let c = 0; c < this.colsV; c++) s += ascii ? this.asciiAt(c, r) : this.brailleAt(c, r);
      out.push(s);
    }
    return out;
  }
}
