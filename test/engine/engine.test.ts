import test from 'ava';
import { ProjectionEngine, type EngineOptions } from '../../src/engine/engine.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import { initTf } from '../../src/tf/backend.js';
import type { EpochData } from '../../src/model/epoch-data.js';
import { createRng } from '../../src/util/random.js';

const fixed: EngineOptions = { seed: 3, fixedWork: { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60 } };

function copySplits(splits: EpochData[]): EpochData[] {
  return splits.map((s) => ({ ...s, x: s.x.slice(), ids: s.ids.slice(), labels: s.labels?.slice() }));
}

test('same input and seed give the same layout; another seed gives another', async (t) => {
  const stream = new SyntheticStream({ n: 400, dim: 32, clusters: 4, rank: 6, seed: 1 });
  const epochs = [stream.next(), stream.next()];
  const run = async (seed: number) => {
    const e = new ProjectionEngine({ ...fixed, seed });
    const out = [];
    for (let i = 0; i < epochs.length; i++) out.push(await e.update({ run: 'r', epoch: i, splits: copySplits(epochs[i]) }));
    return out;
  };
  const a = await run(3);
  const b = await run(3);
  const c = await run(4);
  t.deepEqual([...a[1].positions], [...b[1].positions]);
  t.deepEqual(a[1].metrics.nn15, b[1].metrics.nn15);
  t.notDeepEqual([...a[1].positions], [...c[1].positions]);
});

test('tf.memory() stays flat across many updates and interleaved runs', async (t) => {
  const { tf } = await initTf();
  const e = new ProjectionEngine({ ...fixed, fixedWork: { steps: 1, coldSteps: 1, refineEpochs: 2, coldRefineEpochs: 2 } });
  const s1 = new SyntheticStream({ n: 300, dim: 24, clusters: 3, rank: 5, seed: 2, run: 'a', testShare: 0.2 });
  const s2 = new SyntheticStream({ n: 200, dim: 24, clusters: 3, rank: 5, seed: 3, run: 'b' });
  const head = { classes: 3, dim: 24, weight: Float32Array.from({ length: 72 }, (_, i) => Math.sin(i)), bias: new Float32Array(3) };
  const counts: number[] = [];
  for (let i = 0; i < 8; i++) {
    await e.update({ run: 'a', epoch: i, splits: s1.next().map((s) => ({ ...s, head })) });
    await e.update({ run: 'b', epoch: i, splits: s2.next() });
    counts.push(tf.memory().numTensors);
  }
  t.true(counts.every((c) => c === counts[1]), `tensor counts ${counts.join(',')}`);
});

test('well-separated clusters stay separated in the layout', async (t) => {
  const stream = new SyntheticStream({ n: 600, dim: 40, clusters: 3, rank: 6, seed: 5, separation: 12, drift: 0.05 });
  const e = new ProjectionEngine(fixed);
  let layout;
  for (let i = 0; i < 3; i++) layout = await e.update({ run: 'r', epoch: i, splits: stream.next() });
  const l = layout!;
  // 2-D 10-NN class purity.
  let pure = 0;
  for (let i = 0; i < l.n; i++) {
    const d: [number, number][] = [];
    for (let j = 0; j < l.n; j++) {
      if (j !== i) d.push([Math.hypot(l.positions[2 * i] - l.positions[2 * j], l.positions[2 * i + 1] - l.positions[2 * j + 1]), j]);
    }
    d.sort((p, q) => p[0] - q[0]);
    pure += d.slice(0, 10).filter(([, j]) => l.labels![j] === l.labels![i]).length / 10;
  }
  t.true(pure / l.n > 0.97, `purity ${pure / l.n}`);
  t.true(l.metrics.D! > 0.2, `D ${l.metrics.D}`);
  t.true(l.metrics.nn15 > 0.2, `nn15 ${l.metrics.nn15}`);
});

test('warm start: an unchanged epoch barely moves (stability near 0), a refit would not', async (t) => {
  const stream = new SyntheticStream({ n: 500, dim: 32, clusters: 4, rank: 6, seed: 7 });
  const data = stream.next();
  const e = new ProjectionEngine(fixed);
  await e.update({ run: 'r', epoch: 0, splits: copySplits(data) });
  const again = await e.update({ run: 'r', epoch: 1, splits: copySplits(data) });
  t.true(again.metrics.stability! < 0.03, `stability ${again.metrics.stability}`);
  // A cold start of another engine on the same data lands elsewhere (different seed).
  const other = new ProjectionEngine({ ...fixed, seed: 99 });
  const cold = await other.update({ run: 'r', epoch: 0, splits: copySplits(data) });
  let moved = 0;
  for (let i = 0; i < cold.n; i++) moved += Math.hypot(cold.positions[2 * i] - again.positions[2 * i], cold.positions[2 * i + 1] - again.positions[2 * i + 1]);
  t.true(moved / cold.n > 1, `mean distance between independent layouts ${moved / cold.n}`);
});

test('every split is placed; metrics, head regions and ppr are reported', async (t) => {
  const stream = new SyntheticStream({ n: 500, dim: 30, clusters: 3, rank: 5, seed: 8, testShare: 0.2 });
  const r = createRng(1);
  const head = { classes: 3, dim: 30, weight: Float32Array.from({ length: 90 }, () => r.normal()), bias: new Float32Array(3) };
  const e = new ProjectionEngine({ ...fixed, regionCols: 16, regionRows: 8 });
  let l;
  for (let i = 0; i < 2; i++) l = await e.update({ run: 'r', epoch: i, splits: stream.next().map((s) => ({ ...s, head })) });
  const layout = l!;
  t.is(layout.n, 500);
  t.is(layout.split.filter((v) => v === 1).length, 100);
  t.true([...layout.positions].every(Number.isFinite));
  const m = layout.metrics;
  for (const key of ['sample_rate', 'rel_density', 'update_ms', 'nn15', 'trust15', 'encoder_nn15', 'encoder_trust15', 'test_nn15', 'stability', 'D', 'V', 'ppr', 'region_agreement', 'recon'] as const) {
    t.true(Number.isFinite(m[key]), `${key} = ${m[key]}`);
  }
  t.true(m.ppr! >= 0 && m.ppr! <= 1);
  t.true(m.train_steps === 3);
  t.is(typeof m.sample_fallback, 'boolean');
  t.truthy(layout.regions);
  t.is(layout.regions!.cls.length, 16 * 8);
  t.true([...layout.regions!.cls].every((c) => c >= 0 && c < 3));
  t.truthy(m.phases_ms && m.phases_ms.train >= 0);
});

test('a dead-network epoch is flagged degenerate with masked metrics and finite positions', async (t) => {
  const stream = new SyntheticStream({ n: 200, dim: 16, clusters: 2, rank: 3, seed: 9 });
  const e = new ProjectionEngine(fixed);
  await e.update({ run: 'r', epoch: 0, splits: stream.next() });
  const dead = stream.next().map((s) => ({ ...s, x: new Float32Array(s.n * s.dim) }));
  const l = await e.update({ run: 'r', epoch: 1, splits: dead });
  t.true(l.metrics.degenerate);
  t.true(Number.isNaN(l.metrics.nn15));
  t.true([...l.positions].every(Number.isFinite));
  // The run recovers on the next good epoch.
  const next = await e.update({ run: 'r', epoch: 2, splits: stream.next() });
  t.false(next.metrics.degenerate);
});

test('bad input is refused with a clear message', async (t) => {
  const e = new ProjectionEngine(fixed);
  await t.throwsAsync(() => e.update({ run: 'r', epoch: 0, splits: [] }), { message: /has no splits/ });
  const s = new SyntheticStream({ n: 50, dim: 8, clusters: 2, rank: 2, seed: 1 }).next()[0];
  await t.throwsAsync(() => e.update({ run: 'r', epoch: 0, splits: [{ ...s, x: new Float32Array(10) }] }), { message: /10 values for 50x8/ });
  await t.throwsAsync(() => e.update({ run: '', epoch: 0, splits: [s] }), { message: /non-empty string/ });
  t.throws(() => new ProjectionEngine({ budgetMs: 0 }), { message: /budgetMs must be a positive number/ });
  t.throws(() => new ProjectionEngine({ refine: 'x' as never }), { message: /refine must be/ });
  for (const graphVariance of [0, 1.5, Number.NaN]) t.throws(() => new ProjectionEngine({ graphVariance }), { message: /graphVariance must lie in \(0, 1\]/ });
  for (const graphMinColumns of [0, 2.5, -1, Number.NaN, Infinity]) t.throws(() => new ProjectionEngine({ graphMinColumns }), { message: /graphMinColumns must be an integer >= 1/ });
});

test('raw activations kept stay bounded over many epochs (working memory only)', async (t) => {
  const e = new ProjectionEngine({ ...fixed, fixedWork: { steps: 1, coldSteps: 1, refineEpochs: 1, coldRefineEpochs: 1 } });
  const stream = new SyntheticStream({ n: 200, dim: 16, clusters: 2, rank: 3, seed: 10 });
  const sizes: number[] = [];
  for (let i = 0; i < 40; i++) {
    await e.update({ run: 'r', epoch: i, splits: stream.next() });
    sizes.push(e.memoryBytes('r'));
  }
  // The previous epoch in full (raw rows, ids, positions) plus at most 3 + 2 per age bucket (6
  // buckets) small records of max(50 rows, 5%) each: O(log T), independent of the epoch count.
  const full = 200 * 16 * 4 + 200 * 8 + 200 * 2 * 4;
  const record = 50 * (16 * 4 + 8 + 2 * 4) + 2 * 16 * 4;
  t.true(Math.max(...sizes) <= full + 15 * record, `max bytes ${Math.max(...sizes)} vs bound ${full + 15 * record}`);
  t.true(sizes[39] <= sizes[20] * 1.3, `${sizes[20]} -> ${sizes[39]}`);
});

test('after an abrupt change of the data the layout recovers its neighbourhoods within an epoch', async (t) => {
  const e = new ProjectionEngine({ ...fixed, fixedWork: { steps: 2, coldSteps: 4, refineEpochs: 40, coldRefineEpochs: 150 } });
  const a = new SyntheticStream({ n: 800, dim: 32, clusters: 5, rank: 8, seed: 11 });
  const b = new SyntheticStream({ n: 800, dim: 32, clusters: 5, rank: 8, seed: 12 });
  const before = [];
  for (let i = 0; i < 2; i++) before.push(await e.update({ run: 'r', epoch: i, splits: a.next() }));
  const jump = await e.update({ run: 'r', epoch: 2, splits: b.next() });
  t.true(e.lastGraphChange > 0.8, `changed ${e.lastGraphChange}`);
  const after = await e.update({ run: 'r', epoch: 3, splits: b.next() });
  t.true(e.lastGraphChange < 0.3, `changed ${e.lastGraphChange}`);
  // Recovered to at least 80% of the steady-state neighbour preservation.
  t.true(after.metrics.nn15 > 0.8 * before[1].metrics.nn15, `${before[1].metrics.nn15} -> ${jump.metrics.nn15} -> ${after.metrics.nn15}`);
});

test('idle-time training improves the decoder on the shown layout and stops by itself', async (t) => {
  const mk = () => new ProjectionEngine({ ...fixed, fixedWork: { steps: 1, coldSteps: 2, refineEpochs: 10, coldRefineEpochs: 60 } });
  const data = new SyntheticStream({ n: 400, dim: 24, clusters: 4, rank: 5, seed: 21 });
  const epochs = [data.next(), data.next()];
  const plain = mk();
  const idle = mk();
  await plain.update({ run: 'r', epoch: 0, splits: copySplits(epochs[0]) });
  await idle.update({ run: 'r', epoch: 0, splits: copySplits(epochs[0]) });
  let slices = 0;
  let total = 0;
  for (; slices < 200; slices++) {
    const steps = await idle.idleTrain('r', 50);
    if (steps === 0) break;
    total += steps;
  }
  t.true(total > 5, `steps ${total}`);
  t.true(slices < 200, 'idle training never stopped');
  t.is(await idle.idleTrain('nope', 50), 0);
  const a = await plain.update({ run: 'r', epoch: 1, splits: copySplits(epochs[1]) });
  const b = await idle.update({ run: 'r', epoch: 1, splits: copySplits(epochs[1]) });
  t.true(b.metrics.recon! < a.metrics.recon!, `recon without ${a.metrics.recon}, with idle training ${b.metrics.recon}`);
});

function headed(seed: number): { stream: SyntheticStream; head: { classes: number; dim: number; weight: Float32Array; bias: Float32Array } } {
  const r = createRng(1);
  const stream = new SyntheticStream({ n: 500, dim: 30, clusters: 4, rank: 5, seed, testShare: 0.2 });
  return { stream, head: { classes: 4, dim: 30, weight: Float32Array.from({ length: 120 }, () => r.normal()), bias: new Float32Array(4) } };
}

test('fault: the cold update trained the projector without anchors (epoch-0 regions meant nothing); anchored steps make regions, ppr and the encoder follow the shown layout', async (t) => {
  const work = { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60, anchorSteps: 20, coldAnchorSteps: 60 };
  const runs = [];
  for (const anchors of [true, false]) {
    const { stream, head } = headed(8);
    const e = new ProjectionEngine({ seed: 3, anchors, regionCols: 16, regionRows: 8, fixedWork: work });
    const out = [];
    for (let i = 0; i < 3; i++) out.push((await e.update({ run: 'r', epoch: i, splits: stream.next().map((s) => ({ ...s, head })) })).metrics);
    runs.push(out);
  }
  const [on, off] = runs;
  // The shown layout does not depend on the projector's anchoring.
  t.is(on[2].nn15, off[2].nn15);
  t.is(on[0].anchor_steps, 60);
  t.is(off[0].anchor_steps, undefined);
  // From the cold epoch on, the regions under the points agree with the head's class of the points.
  t.true(on[0].region_agreement! >= 0.9, `epoch 0 region agreement ${on[0].region_agreement}`);
  t.true(on[0].region_agreement! > off[0].region_agreement! + 0.2, `${on[0].region_agreement} vs ${off[0].region_agreement} unanchored`);
  t.true(on[2].ppr! > off[2].ppr!, `ppr ${on[2].ppr} vs ${off[2].ppr} unanchored`);
  // The encoder's own layout comes closer to the shown one.
  const gap = (m: (typeof on)[number]) => m.nn15 - m.encoder_nn15!;
  t.true(gap(on[2]) < gap(off[2]), `nn15 - encoder_nn15: ${gap(on[2])} anchored, ${gap(off[2])} unanchored`);
});

test('projector off (warm UMAP alone): every split is laid out from neighbours, without regions or encoder metrics', async (t) => {
  const { stream, head } = headed(9);
  const e = new ProjectionEngine({ seed: 3, projector: false, regionCols: 16, regionRows: 8, fixedWork: { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60 } });
  let l;
  for (let i = 0; i < 2; i++) l = await e.update({ run: 'r', epoch: i, splits: stream.next().map((s) => ({ ...s, head })) });
  const layout = l!;
  t.is(layout.n, 500);
  t.true([...layout.positions].every(Number.isFinite));
  t.is(layout.regions, undefined);
  const m = layout.metrics;
  t.is(m.train_steps, 0);
  t.is(m.encoder_nn15, undefined);
  t.is(m.ppr, undefined);
  t.true(m.nn15 > 0.3, `nn15 ${m.nn15}`);
  t.true(m.test_nn15! > 0.2, `test_nn15 ${m.test_nn15}`);
  // Fault: "cold" meant "no projector yet", so with the projector off every update restarted from PCA.
  t.true(m.stability! < 0.05, `stability ${m.stability}`);
  t.is(await e.idleTrain('r', 50), 0);
});
