import test from 'ava';
import { ranks, spearman, topOverlap, TemporalRanking, HISTORY_EPOCHS } from '../../src/eval/temporal-ranking.js';
import { createRng } from '../../src/util/random.js';

const f64 = (...v: number[]) => Float64Array.from(v);

test('ranks share ties; spearman and top-k overlap on hand-checked values', (t) => {
  t.deepEqual([...ranks(f64(3, 1, 2, 1))], [4, 1.5, 3, 1.5]);
  t.is(spearman(f64(1, 2, 3, 4), f64(10, 20, 30, 40)), 1);
  t.is(spearman(f64(1, 2, 3, 4), f64(4, 3, 2, 1)), -1);
  // Ranks (1,2,3) vs (1,3,2): 1 - 6*2/(3*8) = 0.5.
  t.true(Math.abs(spearman(f64(1, 2, 3), f64(1, 3, 2)) - 0.5) < 1e-12);
  t.is(spearman(f64(1, 2, 3), f64(5, 5, 5)), 0, 'a constant side has no ranking to agree with');
  t.is(topOverlap(f64(1, 2, 3, 4, 5, 6), f64(6, 5, 4, 3, 2, 1), 2), 0);
  t.is(topOverlap(f64(1, 2, 3, 4, 5, 6), f64(1, 9, 2, 8, 7, 6), 2), 0.5);
});

/**
 * Samples that drift along a raw-space line, one step an epoch: a layout that draws the same drift
 * ranks the earlier epochs exactly as the raw space does; a layout that jitters at random does not.
 */
function driftRun(epochs: number, n = 40, dim = 6) {
  const rng = createRng(7);
  const ids = Float64Array.from({ length: n }, (_, i) => 1000 + i);
  const dir = Float32Array.from({ length: n * dim }, () => rng.next() - 0.5);
  const t = new TemporalRanking();
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const out: { faithful: number; random: number; top: number; randomTop: number }[] = [];
  for (let e = 0; e < epochs; e++) {
    const x = Float32Array.from(dir, (d) => d * e);
    const faithful = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) faithful.set([dir[i * dim] * e, dir[i * dim + 1] * e], i * 2);
    const random = Float32Array.from({ length: n * 2 }, () => rng.next());
    const s = t.score('r', e, ids, x, dim, rows, [{ method: 'faithful', positions: faithful }, { method: 'random', positions: random }]);
    out.push({ faithful: s.get('faithful')!.spearman, random: s.get('random')!.spearman, top: s.get('faithful')!.top5, randomTop: s.get('random')!.top5 });
  }
  return out;
}

test('temporal ranking: a layout that moves as the representation moves scores 1, a random one near 0', (t) => {
  const out = driftRun(14);
  t.true(Number.isNaN(out[2].faithful), 'fewer than 3 earlier epochs: no score');
  t.is(out[3].faithful, 1);
  t.true(Number.isNaN(out[9].top), 'fewer than 10 earlier epochs: no top-5');
  t.is(out[13].top, 1);
  t.true(Math.abs(out[13].random) < 0.3, `random layout spearman ${out[13].random}`);
  t.true(out[13].randomTop < 0.8);
});

test('temporal ranking: rows are matched by id, not by their order in the epoch, and scoring carries on past the history cap', (t) => {
  const r = new TemporalRanking();
  const dim = 2;
  let last;
  for (let e = 0; e < HISTORY_EPOCHS + 5; e++) {
    // The same two samples, sent in alternating order: positions follow the ids.
    const ids = e % 2 ? f64(2, 1) : f64(1, 2);
    const base = [e, 0, 0, 2 * e];
    const x = Float32Array.from(e % 2 ? [base[2], base[3], base[0], base[1]] : base);
    last = r.score('r', e, ids, x, dim, Int32Array.of(0, 1), [{ method: 'm', positions: x }]).get('m')!;
  }
  t.is(last!.spearman, 1);
  t.is(last!.top5, 1);
});

test('temporal ranking rewards any displacement that grows with the epoch gap: a random walk unrelated to the data scores well above 0 (the caveat docs/evaluation.md states)', (t) => {
  const n = 100;
  const dim = 8;
  const rng = createRng(3);
  const ids = Float64Array.from({ length: n }, (_, i) => i);
  const dir = Float32Array.from({ length: n * dim }, () => rng.next() - 0.5);
  const walk = new Float32Array(n * 2);
  const r = new TemporalRanking();
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const rho: number[] = [];
  for (let e = 0; e < 20; e++) {
    const x = Float32Array.from(dir, (d) => d * e * 0.1 + (rng.next() - 0.5) * 0.05);
    for (let i = 0; i < walk.length; i++) walk[i] += rng.next() - 0.5;
    const s = r.score('r', e, ids, x, dim, rows, [{ method: 'walk', positions: walk.slice() }]).get('walk')!;
    if (Number.isFinite(s.spearman)) rho.push(s.spearman);
  }
  const mean = rho.reduce((a, b) => a + b, 0) / rho.length;
  t.true(mean > 0.3, `random walk spearman ${mean}`);
});
