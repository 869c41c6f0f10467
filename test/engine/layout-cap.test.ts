import test from 'ava';
import { ProjectionEngine } from '../../src/engine/engine.js';
import { capLayoutRows, idHash } from '../../src/engine/layout-cap.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';

test('beyond maxLayoutRows a subset chosen by id is laid out and the rest placed: every point returned, finite, the same subset each epoch', async (t) => {
  const stream = new SyntheticStream({ n: 900, dim: 32, clusters: 4, rank: 6, seed: 3, testShare: 1 / 9 });
  const engine = new ProjectionEngine({ seed: 2, maxLayoutRows: 300, fixedWork: { steps: 2, coldSteps: 2, refineEpochs: 20, coldRefineEpochs: 60, anchorSteps: 2, coldAnchorSteps: 2 } });
  const subsets: string[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const splits = stream.next();
    const train = splits[0];
    const capped = capLayoutRows({ run: 'r', epoch, splits }, train, 300, 2);
    t.truthy(capped.rest);
    const laid = capped.set.splits[0];
    // About 300 of 800 (a binomial draw by id), and laid + rest cover the train split exactly once.
    t.true(laid.n > 230 && laid.n < 370, `laid ${laid.n}`);
    t.is(laid.n + capped.rest!.n, train.n);
    t.deepEqual(new Set([...laid.ids, ...capped.rest!.ids]).size, train.n);
    subsets.push([...laid.ids].join(','));
    const layout = await engine.update({ run: 'r', epoch, splits });
    t.is(layout.n, 900, 'every point of every split is returned');
    t.deepEqual(new Set(layout.ids).size, 900);
    t.true(layout.positions.every(Number.isFinite));
    // The placed rest is still marked train (split flag 0); the 100 test points are flagged 1.
    t.is(layout.split.reduce((a, b) => a + b, 0), 100);
    t.true(Number.isFinite(layout.metrics.nn15));
  }
  t.is(subsets[0], subsets[1], 'the same ids are laid out every epoch');
});

test('at or under maxLayoutRows nothing is cut; the id hash is uniform', (t) => {
  const stream = new SyntheticStream({ n: 200, dim: 8, clusters: 2, rank: 2, seed: 1 });
  const splits = stream.next();
  const capped = capLayoutRows({ run: 'r', epoch: 0, splits }, splits[0], 200, 0);
  t.is(capped.rest, undefined);
  t.is(capped.set.splits[0], splits[0]);
  let below = 0;
  for (let id = 0; id < 20_000; id++) if (idHash(5, id) < 0.25) below++;
  t.true(Math.abs(below / 20_000 - 0.25) < 0.02, `share ${below / 20_000}`);
  t.throws(() => new ProjectionEngine({ maxLayoutRows: 0 }), { message: /maxLayoutRows must be a positive number/ });
});
