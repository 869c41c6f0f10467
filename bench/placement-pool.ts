/**
 * Where the test split's gap to the train split goes (docs/engine-choices.md#test-placement).
 * `test_nn15` ranks a test row's neighbours among train + test rows; `nn15` ranks a train row's
 * among train rows only. This reads both from the live metrics and adds the third way, epoch by
 * epoch, with the live metrics' query rows (200 seeded train rows) against exact raw neighbours:
 * train rows among train rows (= nn15), train rows among train + test rows, and test rows among
 * train + test rows (= test_nn15). The second against the third is the like-for-like gap.
 * The engine runs as `eval --reproducible` does (seed 1, fixed work), so the numbers repeat.
 * Not part of `npm run bench` (about 2 minutes per recording).
 * Run: `npx tsx bench/placement-pool.ts [recording ...]` (default: the demo and PyTorch CNN runs);
 * one line per recording, means over the warm epochs.
 */
import { recordingEpochs } from '../src/session/recording-epochs.js';
import { ProjectionEngine } from '../src/engine/engine.js';
import { REPRODUCIBLE_WORK } from '../src/engine-thread/engine-factory.js';
import { metricQueryRows, scoreLayouts } from '../src/engine/metrics.js';
import { matrix } from '../src/engine/knn.js';
import { initTf } from '../src/tf/backend.js';
import { mean } from './engine.js';

const SEED = 1;
const QUERIES = 200;
const K = 15;
const files = process.argv.length > 2 ? process.argv.slice(2) : ['fixtures/runs/demo-mnist-s1.scamrec.gz', 'fixtures/runs/torch-cnn-digits-s1.scamrec.gz'];
const { tf } = await initTf();

for (const file of files) {
  const engine = new ProjectionEngine({ seed: SEED, fixedWork: REPRODUCIBLE_WORK });
  const trainOnly: number[] = [];
  const trainJoint: number[] = [];
  const testJoint: number[] = [];
  let epochs = 0;
  for await (const set of recordingEpochs(file)) {
    const layout = await engine.update(set);
    const train = set.splits.find((s) => s.split === 'train');
    const test = set.splits.find((s) => s !== train && s.dim === train?.dim && s.n > 0);
    if (!train || !test) throw new Error(`${file}: epoch ${set.epoch} lacks a train or a test split`);
    // Positions come split by split, in the order sent: as many splits as the metrics read.
    if (set.splits.indexOf(train) !== 0 || set.splits.indexOf(test) !== 1) throw new Error(`${file}: expected the train split first, then the test split`);
    if (epochs++ === 0) continue; // the cold epoch: the warm ones are what a run shows
    // nn15 and test_nn15 are the live metrics themselves (measure.ts, the same queries); only the
    // train rows ranked among train + test rows are scored here.
    const nt = train.n;
    const both = new Float32Array((nt + test.n) * train.dim);
    both.set(train.x);
    both.set(test.x, nt * train.dim);
    const pos = layout.positions.slice(0, 2 * (nt + test.n));
    trainOnly.push(layout.metrics.nn15);
    trainJoint.push(scoreLayouts(tf, matrix(both, nt + test.n, train.dim), [pos], K, metricQueryRows(SEED, set.run, nt, QUERIES))[0].nn);
    testJoint.push(layout.metrics.test_nn15 ?? NaN);
  }
  const f = (v: number[]) => mean(v).toFixed(3);
  console.log(`${file}: ${trainOnly.length} warm epochs | train rows among train ${f(trainOnly)} | train rows among train + test ${f(trainJoint)} | test rows among train + test ${f(testJoint)} | like-for-like gap ${(mean(trainJoint) - mean(testJoint)).toFixed(3)}`);
}
