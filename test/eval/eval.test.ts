import test from 'ava';
import { evaluateEpochs, formatEvalJson, formatEvalTable, summariseEval } from '../../src/eval/eval.js';
import { umapFit } from '../../src/eval/umap-baseline.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import type { EpochSet } from '../../src/model/epoch-data.js';

test('evaluation rows: SentryCam beside umap-js on the same points, table and JSON', async (t) => {
  const s = new SyntheticStream({ n: 250, dim: 16, clusters: 3, rank: 4, seed: 1, separation: 8 });
  const sets: EpochSet[] = [0, 1, 2].map((e) => ({ run: 'r', epoch: e, splits: s.next() }));
  const rows = await evaluateEpochs(sets, {
    engine: { seed: 1, fixedWork: { steps: 2, coldSteps: 4, refineEpochs: 10, coldRefineEpochs: 80 } },
    umap: (epoch) => epoch >= 1,
    queries: 100,
  });
  t.is(rows.length, 3);
  t.is(rows[0].umap_ms, undefined);
  t.is(rows[0].stability, undefined);
  for (const r of rows.slice(1)) {
    t.true(r.nn15 > 0 && r.nn15 <= 1);
    t.true(r.umap_nn15! > 0 && r.umap_nn15! <= 1);
    t.true(r.umap_trust15! > 0.5);
    t.true(r.stability! >= 0);
  }
  // umap_stability needs two consecutive fits: only epoch 2 has one.
  t.is(rows[1].umap_stability, undefined);
  t.true(rows[2].umap_stability! > 0);
  const table = formatEvalTable(rows);
  t.regex(table.split('\n')[0], /^run\s+epoch\s+n\s+ms\s+nn15\s+trust15\s+stab\s+umap_ms\s+u_nn15\s+u_trust15\s+u_stab$/);
  t.is(table.trim().split('\n').length, 5); // header, 3 rows, mean
  const json = formatEvalJson(rows).trim().split('\n').map((l) => JSON.parse(l));
  t.is(json.length, 3);
  t.is(json[2].epoch, 2);
  t.true(Math.abs(summariseEval(rows).nn15 - (rows[0].nn15 + rows[1].nn15 + rows[2].nn15) / 3) < 1e-12);
});

test('umapFit is seeded and refuses too few points', (t) => {
  const s = new SyntheticStream({ n: 60, dim: 8, clusters: 2, rank: 3, seed: 2 });
  const [d] = s.next();
  const a = umapFit(d.x, d.n, d.dim, { seed: 5, nEpochs: 50 });
  const b = umapFit(d.x, d.n, d.dim, { seed: 5, nEpochs: 50 });
  t.deepEqual([...a.positions], [...b.positions]);
  t.true([...a.positions].every(Number.isFinite));
  t.throws(() => umapFit(d.x.subarray(0, 80), 10, 8, { seed: 1 }), { message: /more than 15 points/ });
});
