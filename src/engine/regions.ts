/**
 * Decision regions (docs/method.md#regions, after DVI): the head's class of the decoder's reconstruction of every
 * grid-cell centre, over a grid covering the layout. Drawn as the scatter's background.
 */
import type { Tf } from '../tf/backend.js';
import type { Projector } from './projector.js';
import type { RegionGrid } from '../model/epoch-layout.js';
import { extentBounds, type Bounds } from '../model/bounds.js';
import { classify, type ReducedHead } from './head.js';

/** Layout bounds plus a 5% margin on each side: the grid covers every point. */
export function gridBounds(pos: Float32Array): Bounds {
  return extentBounds(pos, pos.length >> 1, 0.05);
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
