import test from 'ava';
import { DEFAULT_SCHEDULE, learningRate } from '../../src/demo/lr-schedule.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

test('the stable schedule halves every halfLife epochs', (t) => {
  const s = { ...DEFAULT_SCHEDULE, base: 0.08, halfLife: 10 };
  t.is(learningRate(0, s), 0.08);
  t.true(close(learningRate(10, s), 0.04));
  t.true(close(learningRate(20, s), 0.02));
  t.true(close(learningRate(5, s), 0.08 / Math.SQRT2));
  t.is(learningRate(29, { ...s, halfLife: Infinity }), 0.08);
});

test('the unstable schedule ramps geometrically from rampFrom and stops at rampMax', (t) => {
  const s = { base: 0.1, halfLife: Infinity, unstable: true, rampFrom: 3, rampFactor: 2, rampMax: 8 };
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((e) => learningRate(e, s)), [0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 0.8, 0.8]);
  // With decay, the ramp starts from the decayed rate of the epoch before it.
  const d = { ...s, halfLife: 1, rampMax: 100 };
  t.true(close(learningRate(3, d), 0.1 * 0.25 * 2));
});

test('a bad epoch is refused', (t) => {
  t.throws(() => learningRate(-1, DEFAULT_SCHEDULE), { message: /epoch must be an integer >= 0/ });
  t.throws(() => learningRate(1.5, DEFAULT_SCHEDULE), { message: /epoch/ });
});
