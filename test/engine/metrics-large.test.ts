import test from 'ava';
import { initTf } from '../../src/tf/backend.js';
import { matrix } from '../../src/engine/knn.js';
import { scoreLayouts } from '../../src/engine/metrics.js';
import { scoreJobsLarge, scoreLayoutsLarge } from '../../src/engine/metrics-large.js';
import { createRng } from '../../src/util/random.js';

test('large-epoch scores equal scoreLayouts: train rows alone, and a second block scored among both', async (t) => {
  const { tf } = await initTf();
  const r = createRng(1);
  const dim = 48;
  const nt = 2500;
  const no = 500;
  const centres = Float32Array.from({ length: 8 * dim }, () => 3 * r.normal());
  // An offset of 10 on every column: without centring the expanded form would lose precision.
  const x = Float32Array.from({ length: (nt + no) * dim }, (_, e) => 10 + centres[(Math.floor(e / dim) % 8) * dim + (e % dim)] + r.normal());
  const xt = x.subarray(0, nt * dim);
  const mean = new Float32Array(dim);
  for (let i = 0; i < nt; i++) for (let c = 0; c < dim; c++) mean[c] += xt[i * dim + c] / nt;
  const rows = { blocks: [{ x: xt, n: nt }, { x: x.subarray(nt * dim), n: no }], dim };
  const low = Float32Array.from({ length: (nt + no) * 2 }, (_, e) => (e % 2 ? 0 : (Math.floor(e / 2) % 8) * 4) + r.normal());
  const lowB = low.map((v) => v + 0.5 * r.normal());
  const queries = Int32Array.from({ length: 150 }, (_, i) => i * 16);
  const full = scoreLayouts(tf, matrix(xt, nt, dim), [low.subarray(0, nt * 2), lowB.subarray(0, nt * 2)], 15, queries);
  const large = scoreLayoutsLarge(tf, rows, mean, [low, lowB], 15, queries, nt);
  for (let l = 0; l < 2; l++) {
    t.is(large[l].nn, full[l].nn);
    t.true(Math.abs(large[l].trust - full[l].trust) < 1e-6, `${large[l].trust} vs ${full[l].trust}`);
  }
  const oq = Int32Array.from({ length: 100 }, (_, i) => nt + i * 5);
  const fullO = scoreLayouts(tf, matrix(x, nt + no, dim), [low], 15, oq)[0];
  const largeO = scoreLayoutsLarge(tf, rows, mean, [low], 15, oq)[0];
  t.is(largeO.nn, fullO.nn);
  t.true(Math.abs(largeO.trust - fullO.trust) < 1e-6);
  t.throws(() => scoreLayoutsLarge(tf, rows, mean, [low.subarray(0, 10)], 15, queries, nt), { message: /layout has 5 points/ });
  // Both jobs in one pass over the rows score exactly as the two separate calls.
  const [trainJob, otherJob] = scoreJobsLarge(tf, rows, mean, [
    { lows: [low, lowB], k: 15, queries, candidates: nt },
    { lows: [low], k: 15, queries: oq },
  ]);
  t.deepEqual(trainJob, large);
  t.deepEqual(otherJob, [largeO]);
  t.throws(() => scoreJobsLarge(tf, rows, mean, [{ lows: [low], k: 15, queries: oq }, { lows: [low], k: 3000, queries, candidates: nt }]), { message: /need 1 <= k < n - 1, got k=3000, n=2500/ });
});
