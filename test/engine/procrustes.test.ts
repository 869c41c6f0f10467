import test from 'ava';
import { alignToPrevious, applySimilarity, procrustes } from '../../src/engine/procrustes.js';
import { createRng } from '../../src/util/random.js';

function cloud(n: number, seed: number): Float32Array {
  const r = createRng(seed);
  return Float32Array.from({ length: 2 * n }, () => r.normal() * 3);
}

function transform(pos: Float32Array, angle: number, scale: number, tx: number, ty: number, reflect: boolean): Float32Array {
  const out = new Float32Array(pos.length);
  for (let i = 0; i < pos.length; i += 2) {
    const x = pos[i];
    const y = reflect ? -pos[i + 1] : pos[i + 1];
    out[i] = scale * (Math.cos(angle) * x - Math.sin(angle) * y) + tx;
    out[i + 1] = scale * (Math.sin(angle) * x + Math.cos(angle) * y) + ty;
  }
  return out;
}

test('recovers a known rotation, scale and translation exactly', (t) => {
  const a = cloud(50, 1);
  const b = transform(a, 1.1, 2.5, 4, -7, false);
  const fit = procrustes(b, a); // map b back onto a
  const back = applySimilarity(fit, b);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(back[i] - a[i]) < 1e-4, `coord ${i}`);
  t.true(Math.abs(fit.s - 1 / 2.5) < 1e-5);
  // Rotation (det +1).
  t.true(fit.r[0] * fit.r[3] - fit.r[1] * fit.r[2] > 0.999);
});

test('recovers a reflection', (t) => {
  const a = cloud(40, 2);
  const b = transform(a, -0.4, 0.5, 1, 2, true);
  const fit = procrustes(b, a);
  const back = applySimilarity(fit, b);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(back[i] - a[i]) < 1e-4);
  t.true(fit.r[0] * fit.r[3] - fit.r[1] * fit.r[2] < -0.999);
});

test('alignToPrevious pairs by id, whatever the order, and leaves only real change', (t) => {
  const prev = cloud(30, 3);
  const prevIds = Float64Array.from({ length: 30 }, (_, i) => i * 10);
  // Current: reversed order, rotated/scaled copy, and one point really moved.
  const rotated = transform(prev, 2.0, 3, -5, 5, false);
  const ids = Float64Array.from({ length: 30 }, (_, i) => (29 - i) * 10);
  const pos = new Float32Array(60);
  for (let i = 0; i < 30; i++) {
    pos[2 * i] = rotated[2 * (29 - i)];
    pos[2 * i + 1] = rotated[2 * (29 - i) + 1];
  }
  const aligned = alignToPrevious(prevIds, prev, ids, pos);
  for (let i = 0; i < 30; i++) {
    const p = 29 - i;
    t.true(Math.abs(aligned[2 * i] - prev[2 * p]) < 1e-3);
    t.true(Math.abs(aligned[2 * i + 1] - prev[2 * p + 1]) < 1e-3);
  }
  t.throws(() => procrustes(new Float32Array(4), new Float32Array(6)), { message: /differ in size/ });
});
