import test from 'ava';
import { evaluateEpochs, formatEvalJson, formatEvalTable, summariseEval } from '../../src/eval/eval.js';
import { umapFit } from '../../src/eval/umap-baseline.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import { ProjectionEngine } from '../../src/engine/engine.js';
import { recordingEpochs } from '../../src/session/recording-epochs.js';
import { engineOptionsOf } from '../../src/engine-thread/engine-factory.js';

const FIXTURE = new URL('../../fixtures/runs/demo-mnist-s1.scamrec.gz', import.meta.url).pathname;

test('evaluation rows: SentryCam beside the encoder, warm UMAP alone and umap-js on the same points, table and JSON', async (t) => {
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
  for (const r of rows) {
    t.true(r.encoder_nn15! > 0 && r.encoder_nn15! <= 1);
    t.true(r.warm_umap_nn15! > 0 && r.warm_umap_nn15! <= 1);
    t.true(r.warm_umap_ms! > 0);
  }
  t.is(rows[0].warm_umap_stability, undefined);
  t.true(rows[1].warm_umap_stability! >= 0);
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
  t.regex(table.split('\n')[0], /^run\s+epoch\s+n\s+ms\s+nn15\s+trust15\s+stab\s+enc_nn15\s+test_nn15\s+w_nn15\s+w_stab\s+umap_ms\s+u_nn15\s+u_trust15\s+u_stab\s+t_rho\s+u_t_rho$/);
  t.is(table.trim().split('\n').length, 6); // header, 3 rows, mean, the note on the mean
  const json = formatEvalJson(rows).trim().split('\n').map((l) => JSON.parse(l));
  t.is(json.length, 3);
  t.is(json[2].epoch, 2);
  t.true(typeof json[2].warm_umap_nn15 === 'number' && typeof json[2].encoder_nn15 === 'number');
  // Same epochs for every method: umap-js ran on epochs 1 and 2, so every mean covers those two;
  // stability only epoch 2 (the one with a 1-epoch umap-js gap).
  const mean = summariseEval(rows);
  t.is(mean.epochs, 2);
  t.is(mean.stability_epochs, 1);
  t.true(Math.abs(mean.nn15 - (rows[1].nn15 + rows[2].nn15) / 2) < 1e-12);
  t.true(Math.abs(mean.warm_umap_nn15 - (rows[1].warm_umap_nn15! + rows[2].warm_umap_nn15!) / 2) < 1e-12);
  t.true(Math.abs(mean.stability - rows[2].stability!) < 1e-12);
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

test('fault: live metrics were not the eval metrics; now the live nn15 and trust15 of a recorded run equal eval\'s to 1e-9', async (t) => {
  // The same seed in reproducible mode: both engines lay out the same points the same way, and both
  // score them with the one definition (exact raw-D neighbours of the same seeded query rows).
  const first = async (k: number): Promise<EpochSet[]> => {
    const sets: EpochSet[] = [];
    for await (const set of recordingEpochs(FIXTURE)) if (sets.push(set) >= k) break;
    return sets;
  };
  const engine = engineOptionsOf({ seed: 3, budgetMs: 1000, reproducible: true });
  const live = new ProjectionEngine(engine);
  const liveMetrics = [];
  for (const set of await first(3)) liveMetrics.push((await live.update(set)).metrics);
  const rows = await evaluateEpochs(await first(3), { engine, umap: 'none', warmUmap: false });
  t.is(rows.length, 3);
  for (let i = 0; i < 3; i++) {
    t.true(Math.abs(rows[i].nn15 - liveMetrics[i].nn15) <= 1e-9, `epoch ${i}: eval ${rows[i].nn15}, live ${liveMetrics[i].nn15}`);
    t.true(Math.abs(rows[i].trust15 - liveMetrics[i].trust15) <= 1e-9);
    if (i > 0) t.true(Math.abs(rows[i].stability! - liveMetrics[i].stability!) <= 1e-9);
    t.is(rows[i].encoder_nn15, liveMetrics[i].encoder_nn15);
  }
});
