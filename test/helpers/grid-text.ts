import type { CellLine } from '../../src/ui/cell-painter.js';

/** The characters of a grid as text lines (trailing spaces kept): what exact-output UI tests compare. */
export function gridToText(grid: readonly CellLine[]): string[] {
  return grid.map((line) => line.map((c) => c[1]).join(''));
}
