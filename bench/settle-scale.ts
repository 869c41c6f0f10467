/**
 * How many settling epochs the test split gets at scale (place-splits.ts, LARGE_SETTLE_EPOCHS):
 * the 50,000 + 10,000 manifold stream's first two epochs through engines that differ only in
 * `settleEpochs`, with reproducible work (so the train layouts are identical and only the test
 * split's placement differs), scored on 1,000 test query rows against exact raw neighbours among
 * train + test (measure.ts testScore). Not part of `npm run bench` (about 3 minutes per variant).
 * Run: `npx tsx bench/settle-scale.ts [0,5,10]` (one line per variant: settle epochs, place_ms of
 * the warm epoch, test_nn15).
 */
import { ProjectionEngine } from '../src/engine/engine.js';
import { REPRODUCIBLE_WORK } from '../src/engine-thread/engine-factory.js';
import { testScore } from '../src/engine/measure.js';
import type { PlacedSplit } from '../src/engine/assemble.js';
import { initTf } from '../src/tf/backend.js';
import { ManifoldStream } from './manifold-stream.js';

const { tf } = await initTf();
const variants = (process.argv[2] ?? '0,5,10').split(',').map(Number);
const stream = new ManifoldStream({ n: 60_000, dim: 512, seed: 7, run: 'r' });
const epochs = [stream.next(), stream.next()];
for (const settleEpochs of variants) {
  const engine = new ProjectionEngine({ seed: 1, fixedWork: REPRODUCIBLE_WORK, settleEpochs });
  let layout;
  for (const [t, splits] of epochs.entries()) layout = await engine.update({ run: 'r', epoch: t, splits: splits.map((s) => ({ ...s })) });
  // Positions come split by split, in the order sent.
  const parts: PlacedSplit[] = [];
  let at = 0;
  for (const s of epochs[1]) {
    parts.push({ data: s, pos: layout!.positions.subarray(at, at + 2 * s.n) });
    at += 2 * s.n;
  }
  const train = epochs[1].find((s) => s.split === 'train')!;
  const score = testScore(tf, parts, train, { seed: 3, k: 15, metricQueries: 1000 });
  process.stdout.write(`settle ${settleEpochs}: place ${layout!.metrics.phases_ms?.place.toFixed(0)} ms, test_nn15 ${score?.toFixed(4)}\n`);
}
