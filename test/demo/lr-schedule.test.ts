import test from 'ava';
import { DEFAULT_SCHEDULE, learningRate } from '../../src/demo/lr-schedule.js';

test('the stable schedule is constant', (t) => {
  for (const e of [0, 7, 8, 29]) t.is(learningRate(e, DEFAULT_SCHEDULE), 0.05);
});

test('the unstable schedule ramps geometrically from rampFrom', (t) => {
  const s = { base: 0.1, unstable: true, rampFrom: 3, rampFactor: 2, rampMax: 8 };
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((e) => learningRate(e, s)), [0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 0.8, 0.8]);
});

test('a bad epoch is refused', (t) => {
  t.throws(() => learningRate(-1, DEFAULT_SCHEDULE), { message: /epoch must be an integer >= 0/ });
  t.throws(() => learningRate(1.5, DEFAULT_SCHEDULE), { message: /epoch/ });
});
