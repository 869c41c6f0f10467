/**
 * Decision regions (METHOD.md / DVI): the head's class of the decoder's reconstruction of every
 * grid-cell centre, over a grid covering the layout. Drawn as the scatter's background.
 */
import type { Tf } from '../tf/backend.js';
import type { Projector } from './projector.js';
import type { RegionGrid } from '../model/epoch-layout.js';
import { classify, type ReducedHead } from './head.js';

/** Layout bounds plus a 5% margin on each side (degenerate extents get a unit box). */
export function gridBounds(pos: Float32Array): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < pos.length; i += 2) {
    x0 = Math.min(x0, pos[i]);
    x1 = Math.max(x1, pos[i]);
    y0 = Math.min(y0, pos[i + 1]);
    y1 = Math.max(y1, pos[i + 1]);
  }
  if (!Number.isFinite(x0)) return { x0: -1, y0: -1, x1: 1, y1: 1 };
  const mx = Math.max((x1 - x0) * 0.05, 0.5 * Number(x1 === x0));
  const my = Math.max((y1 - y0) * 0.05, 0.5 * Number(y1 === y0));
  return { x0: x0 - mx, y0: y0 - my, x1: x1 + mx, y1: y1 + my };
}

/**
 * @param tf tfjs
 * @param projector with a decoder
 * @param head the head in the projector's input space
 * @param bounds layout area to cover
 * @param cols grid columns
 * @param rows grid rows
 */
export function regionGrid(
  tf: Tf,
  projector: Projector,
  head: ReducedHead,
  bounds: { x0: number; y0: number; x1: number; y1: number },
  cols: number,
  rows: number,
): RegionGrid {
  if (!projector.hasDecoder) throw new Error('regionGrid: the projector has no decoder');
  if (!(Number.isInteger(cols) && cols >= 1 && Number.isInteger(rows) && rows >= 1)) {
    throw new Error(`regionGrid: bad grid size ${cols}x${rows}`);
  }
  const { x0, y0, x1, y1 } = bounds;
  const centres = new Float32Array(cols * rows * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      centres[2 * i] = x0 + ((c + 0.5) * (x1 - x0)) / cols;
      centres[2 * i + 1] = y0 + ((r + 0.5) * (y1 - y0)) / rows;
    }
  }
  const z = projector.apply(tf, 'dec', centres, cols * rows);
  const cls = classify(head, z, cols * rows);
  return { x0, y0, x1, y1, cols, rows, cls: Int16Array.from(cls) };
}
