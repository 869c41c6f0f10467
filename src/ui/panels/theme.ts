/** Attributes shared by the panels, derived once from the palette and the ASCII switch. */
import { DEFAULT_COLOR, FLAG_BOLD, FLAG_INVERSE, packAttr, type Palette } from '../palette.js';

export interface Theme {
  readonly palette: Palette;
  /** ASCII-only drawing (no braille, box-drawing or block characters). */
  readonly ascii: boolean;
  readonly text: number;
  readonly dim: number;
  readonly bold: number;
  readonly border: number;
  readonly title: number;
  /** The status line: inverse video, so it reads as a bar even without colour. */
  readonly status: number;
  readonly accent: number;
}

/**
 * @param palette colours for the mode in use.
 * @param ascii whether to avoid non-ASCII characters.
 */
export function createTheme(palette: Palette, ascii: boolean): Theme {
  return {
    palette,
    ascii,
    text: packAttr(DEFAULT_COLOR, DEFAULT_COLOR, 0),
    dim: packAttr(palette.dim, DEFAULT_COLOR, 0),
    bold: packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_BOLD),
    border: packAttr(palette.dim, DEFAULT_COLOR, 0),
    title: packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_BOLD),
    status: packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_INVERSE),
    accent: packAttr(palette.accent, DEFAULT_COLOR, 0),
  };
}
