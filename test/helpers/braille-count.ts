import { BRAILLE_BASE, popcount8 } from '../../src/ui/braille-canvas.js';

/** A braille cell with at least one dot (U+2800 is the blank pattern). */
const BRAILLE_CELL = /[\u2801-\u28ff]/g;

/** Braille cells with dots in captured terminal text. */
export function countBrailleCells(text: string): number {
  return (text.match(BRAILLE_CELL) ?? []).length;
}

/** Dots in those cells, counted with the canvas's own bit count. */
export function countBrailleDots(text: string): number {
  return (text.match(BRAILLE_CELL) ?? []).reduce((a, c) => a + popcount8(c.codePointAt(0)! - BRAILLE_BASE), 0);
}
