import test from 'ava';
import type { EpochLayout, EpochMetrics } from '../../src/model/epoch-layout.js';
import { BRAILLE_BASE } from '../../src/ui/braille-canvas.js';
import { createGrid, Painter } from '../../src/ui/cell-painter.js';
import { gridToText } from '../helpers/grid-text.js';
import { createPalette, DEFAULT_COLOR, FLAG_BOLD, FLAG_UNDERLINE, packAttr } from '../../src/ui/palette.js';
import { ScatterWidget } from '../../src/ui/scatter-widget.js';

const METRICS: EpochMetrics = { sample_rate: 1, rel_density: 1, update_ms: 1, train_steps: 1, loss: 1, nn15: 1, trust15: 1 };
const b = (bits: number): string => String.fromCharCode(BRAILLE_BASE + bits);
/** Empty cells are drawn as spaces, not blank braille. */
const E = ' ';

/** Four points on the corners of the unit square; labels 0..3, point 3 predicted as 0. */
function corners(extra: Partial<EpochLayout> = {}): EpochLayout {
  return {
    run: 'r',
    epoch: 1,
    n: 4,
    ids: Float64Array.from([0, 1, 2, 3]),
    positions: Float32Array.from([0, 0, 1, 0, 0, 1, 1, 1]),
    split: new Uint8Array(4),
    labels: Int32Array.from([0, 1, 2, 3]),
    preds: Int32Array.from([0, 1, 2, 0]),
    metrics: METRICS,
    ...extra,
  };
}

// Worked example: bounds [0,1] widened by 5% -> [-0.05, 1.05] (span 1.1). An 11x3-cell area is
// 22x12 dots, scale = min(22, 12)/1.1 = 10.909; offX = 11 - 0.5*scale = 5.545, offY = 6 + 0.5*scale
// = 11.455. So x=0 -> dot column 5, x=1 -> 16; y=0 -> dot row 11, y=1 -> 0. Cells and bits:
// (0,0) -> dot (5,11): cell (2,2), right column, row 3 -> 0x80
// (1,0) -> dot (16,11): cell (8,2), left column, row 3 -> 0x40
// (0,1) -> dot (5,0): cell (2,0), right column, row 0 -> 0x08
// (1,1) -> dot (16,0): cell (8,0), left column, row 0 -> 0x01
test('known points give exactly these braille cells and colours', (t) => {
  const pal = createPalette(256);
  const w = new ScatterWidget(pal, false);
  const grid = createGrid(11, 3);
  w.paint(new Painter(grid), { left: 0, top: 0, width: 11, height: 3 }, corners());
  t.deepEqual(gridToText(grid), [
    E + E + b(0x08) + E.repeat(5) + b(0x01) + E + E,
    E.repeat(11),
    E + E + b(0x80) + E.repeat(5) + b(0x40) + E + E,
  ]);
  t.is(grid[0][2][0], packAttr(pal.classColor(2)), 'label 2 at top-left');
  t.is(grid[2][8][0], packAttr(pal.classColor(1)), 'label 1 at bottom-right');
  t.is(grid[0][8][0], packAttr(pal.classColor(3), DEFAULT_COLOR, FLAG_BOLD | FLAG_UNDERLINE), 'misclassified: bold+underline');
  t.is(grid[1][0][0], packAttr(DEFAULT_COLOR), 'empty cell plain');
});

test('colouring modes: prediction and correctness', (t) => {
  const pal = createPalette(256);
  const w = new ScatterWidget(pal, false);
  const grid = createGrid(11, 3);
  const r = { left: 0, top: 0, width: 11, height: 3 };
  t.is(w.cycleColoring(), 'prediction');
  w.paint(new Painter(grid), r, corners());
  t.is(grid[0][8][0], packAttr(pal.classColor(0), DEFAULT_COLOR, FLAG_BOLD | FLAG_UNDERLINE), 'predicted class 0');
  t.is(w.cycleColoring(), 'correctness');
  w.paint(new Painter(grid), r, corners());
  t.is(grid[0][8][0], packAttr(pal.wrong, DEFAULT_COLOR, FLAG_BOLD | FLAG_UNDERLINE));
  t.is(grid[2][2][0], packAttr(pal.correct));
  t.is(w.cycleColoring(), 'label');
});

test('ASCII mode draws the same cells with ASCII characters', (t) => {
  const w = new ScatterWidget(createPalette(0), true);
  const grid = createGrid(11, 3);
  w.paint(new Painter(grid), { left: 0, top: 0, width: 11, height: 3 }, corners());
  t.deepEqual(gridToText(grid), ["  '     x  ", '           ', '  .     .  ']);
  t.is(grid[0][2][0], packAttr(DEFAULT_COLOR), 'no colour under NO_COLOR');
  t.is(grid[0][8][0], packAttr(DEFAULT_COLOR, DEFAULT_COLOR, FLAG_BOLD | FLAG_UNDERLINE), 'misclassified still marked');
});

test('decision regions tint the background when switched on and colours exist', (t) => {
  const pal = createPalette(256);
  const w = new ScatterWidget(pal, false);
  // Left half class 0, right half class 1: a 2x1 grid over [-0.2, 1.2]^2. Cell centres (dot
  // col*2+1, row*4+2) map to x = (dot - 5.545) / 10.909: cell 3 -> 0.13 (left), cell 8 -> 1.05
  // (right), cell 0 -> -0.42 (outside).
  const regions = { x0: -0.2, y0: -0.2, x1: 1.2, y1: 1.2, cols: 2, rows: 1, cls: Int16Array.from([0, 1]) };
  const grid = createGrid(11, 3);
  const r = { left: 0, top: 0, width: 11, height: 3 };
  w.paint(new Painter(grid), r, corners({ regions }));
  t.is(grid[1][0][0] & 0x1ff, DEFAULT_COLOR, 'off by default');
  t.true(w.toggleBackground());
  w.paint(new Painter(grid), r, corners({ regions }));
  t.is(grid[1][3][0] & 0x1ff, pal.regionColor(0), 'left cell: region 0');
  t.is(grid[1][8][0] & 0x1ff, pal.regionColor(1), 'right cell: region 1');
  t.is(grid[0][2][0] & 0x1ff, pal.regionColor(0), 'dot cells keep the tint');
  t.is(grid[0][0][0] & 0x1ff, DEFAULT_COLOR, 'outside the grid: no tint');
  const mono = new ScatterWidget(createPalette(0), false);
  mono.toggleBackground();
  const g2 = createGrid(11, 3);
  mono.paint(new Painter(g2), r, corners({ regions }));
  t.is(g2[1][3][0] & 0x1ff, DEFAULT_COLOR, 'no tint without colour');
});

test('zoom about the centre, pan and reset move the dots', (t) => {
  const w = new ScatterWidget(createPalette(256), false);
  const r = { left: 0, top: 0, width: 11, height: 3 };
  const draw = (): string[] => {
    const g = createGrid(11, 3);
    w.paint(new Painter(g), r, corners());
    return gridToText(g);
  };
  const home = draw();
  w.zoom(1);
  // x1.5625: scale 17.05, the corners go to dot rows 14.5 and -2.5: outside the 12-dot-high canvas.
  w.zoom(1);
  const zoomed = draw();
  t.is(w.view.zoom, 1.5625);
  t.is(zoomed.join('').trim(), '', 'all four corners pushed out of view');
  w.reset();
  t.deepEqual(draw(), home);
  // Look right: the picture moves left by 10% of the 22-dot width (2.2 dots): x=0 -> dot 3.3
  // (cell 1, right column), x=1 -> dot 14.2 (cell 7, left column).
  w.pan(1, 0);
  const panned = draw();
  t.is(panned[0], E + b(0x08) + E.repeat(5) + b(0x01) + E.repeat(3));
  t.is(w.describe(corners()), 'label');
});

test('paint with no layout shows the message and clears the area', (t) => {
  const w = new ScatterWidget(createPalette(16), false);
  const grid = createGrid(30, 2);
  grid[1][3] = [1, 'Z'];
  w.paint(new Painter(grid), { left: 0, top: 0, width: 30, height: 2 }, undefined, 'waiting');
  t.deepEqual(gridToText(grid), ['waiting'.padEnd(30), ' '.repeat(30)]);
});
