import test from 'ava';
import { ProjectionEngine } from '../../src/engine/engine.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import { createRng } from '../../src/util/random.js';
import { initTf } from '../../src/tf/backend.js';

// Few anchored steps, as a large epoch gets under the clock: reconstruction alone leaves the decoder rough.
const work = { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60, anchorSteps: 5, coldAnchorSteps: 20 };

/** Three epochs of a drifting 4-cluster stream under a random linear head whose classes cut across the clusters. */
async function regionRun(headWeight: number) {
  const r = createRng(1);
  const head = { classes: 4, dim: 30, weight: Float32Array.from({ length: 120 }, () => r.normal()), bias: new Float32Array(4) };
  const stream = new SyntheticStream({ n: 500, dim: 30, clusters: 4, rank: 5, seed: 11, testShare: 0.2 });
  const e = new ProjectionEngine({ seed: 3, headWeight, regionCols: 16, regionRows: 8, fixedWork: work });
  const { tf } = await initTf();
  const out = [];
  const grids: number[][] = [];
  const tensors: number[] = [];
  for (let i = 0; i < 3; i++) {
    const layout = await e.update({ run: 'r', epoch: i, splits: stream.next().map((s) => ({ ...s, head })) });
    out.push(layout.metrics);
    grids.push(Array.from(layout.regions?.cls ?? []));
    tensors.push(tf.memory().numTensors);
  }
  return { metrics: out, grids, tensors };
}

// What the term is for (regions that agree with the layout) is measured on the recorded runs, where
// it raised region agreement (docs/engine-choices.md#head-term). This stream cannot show it: its
// random head cuts across the clusters, and over engine seeds 1-6 region agreement came out level
// with and without the term (0.868 / 0.893 with 5 anchored steps, 0.933 / 0.936 with 25; a single
// seed had shown +0.05 and then -0.02 once the projector and the streams changed). What holds on
// any stream is pinned here: the term trains the decoder, not the layout, and frees its tensors.
test('the head term trains the decoder without moving the layout or the encoder, and frees its tensors', async (t) => {
  const { metrics: on, grids: onGrids, tensors } = await regionRun(1);
  const { metrics: off, grids: offGrids } = await regionRun(0);
  // The term's tensors are freed every step.
  t.is(tensors[2], tensors[1], `tensor counts ${tensors.join(',')}`);
  const mean = (ms: typeof on, k: 'encoder_nn15') => ms.reduce((a, m) => a + m[k]!, 0) / ms.length;
  // The shown layout is refinement's; the head term only trains the projector after it.
  t.deepEqual(on.map((m) => m.nn15), off.map((m) => m.nn15));
  // It changes what the decoder learns: the decoded classes of the region grid. (Not region_agreement
  // or ppr: once the anchors took 90% of the draws, both came out equal with and without the term on
  // this stream, 0.945 / 0.94 / 0.94, while 17-24 of the 128 cells differed.)
  t.is(onGrids[0].length, 16 * 8);
  t.notDeepEqual(onGrids, offGrids);
  // ...and does not cost the encoder its layout (the term's gradient stops at the decoder).
  t.true(mean(on, 'encoder_nn15') > mean(off, 'encoder_nn15') - 0.03, `encoder_nn15 ${mean(on, 'encoder_nn15')} with, ${mean(off, 'encoder_nn15')} without`);
});

test('a bad headWeight is refused, naming the field', (t) => {
  for (const headWeight of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => new ProjectionEngine({ headWeight }), { message: /headWeight must be a finite number >= 0/ });
  }
});

test("fault: the cold update's anchored steps stopped early, most at a tenth of the learning rate (epoch-0 regions lagged); they now run every step they are given (up to the trainer's 20 rounds)", async (t) => {
  const r = createRng(1);
  const head = { classes: 4, dim: 30, weight: Float32Array.from({ length: 120 }, () => r.normal()), bias: new Float32Array(4) };
  const stream = new SyntheticStream({ n: 300, dim: 30, clusters: 4, rank: 5, seed: 11 });
  const e = new ProjectionEngine({ seed: 3, regionCols: 16, regionRows: 8, fixedWork: { ...work, coldAnchorSteps: 100 } });
  const cold = (await e.update({ run: 'r', epoch: 0, splits: stream.next().map((s) => ({ ...s, head })) })).metrics;
  t.is(cold.anchor_steps, 100);
});
