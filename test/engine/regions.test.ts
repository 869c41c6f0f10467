import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { gridBounds, regionGrid } from '../../src/engine/regions.js';
import { Projector } from '../../src/engine/projector.js';
import { createRng } from '../../src/util/random.js';

test('grid bounds cover the layout with a 5% margin', (t) => {
  const b = gridBounds(Float32Array.from([0, 0, 10, 20]));
  t.deepEqual(b, { x0: -0.5, y0: -1, x1: 10.5, y1: 21 });
  t.deepEqual(gridBounds(new Float32Array(0)), { x0: -1, y0: -1, x1: 1, y1: 1 });
});

test('regions: a head whose bias dominates paints every cell its class; a head on one decoder output splits the grid', async (t) => {
  const { tf } = await initTf();
  const p = new Projector({ input: 4, encoder: [8], decoder: [8], groups: 8 }, createRng(1));
  p.statsReady = true;
  const bias = { classes: 3, m: 4, weight: new Float32Array(12), bias: Float32Array.from([0, 5, 1]) };
  const g = regionGrid(tf, p, bias, { x0: -1, y0: -1, x1: 1, y1: 1 }, 6, 4);
  t.is(g.cls.length, 24);
  t.true([...g.cls].every((c) => c === 1));
  // Two classes decided by the sign of the decoder's first output: both appear only if it varies;
  // instead check consistency: each cell's class equals the sign rule applied to its reconstruction.
  const sign = { classes: 2, m: 4, weight: Float32Array.from([1, -1, 0, 0, 0, 0, 0, 0]), bias: new Float32Array(2) };
  const g2 = regionGrid(tf, p, sign, { x0: -1, y0: -1, x1: 1, y1: 1 }, 5, 5);
  const centres = new Float32Array(50);
  for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) {
    centres[2 * (r * 5 + c)] = -1 + (c + 0.5) * 0.4;
    centres[2 * (r * 5 + c) + 1] = -1 + (r + 0.5) * 0.4;
  }
  const z = p.apply(tf, 'dec', centres, 25);
  for (let i = 0; i < 25; i++) t.is(g2.cls[i], z[i * 4] > -z[i * 4] ? 0 : 1);
  t.throws(() => regionGrid(tf, p, bias, { x0: 0, y0: 0, x1: 1, y1: 1 }, 0, 3), { message: /bad grid size/ });
});
