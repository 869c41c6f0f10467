import test from 'ava';
import { refineAlpha, refineEpochs } from '../../src/engine/train-layout.js';

test('refinement rate: base under drift, rising to 1 when most neighbourhoods changed', (t) => {
  t.is(refineAlpha(0.03, 0.1), 0.03);
  t.is(refineAlpha(0.03, 0.3), 0.03);
  t.true(Math.abs(refineAlpha(0.03, 0.55) - (0.03 + 0.97 * 0.5)) < 1e-12);
  t.is(refineAlpha(0.03, 0.95), 1);
});

test('refineEpochs: the warm count under drift, rising with the same ramp as the rate to the cold count', (t) => {
  t.is(refineEpochs(60, 500, 0.1), 60);
  t.is(refineEpochs(60, 500, 0.3), 60);
  t.is(refineEpochs(60, 500, 0.55), 280);
  t.is(refineEpochs(60, 500, 0.8), 500);
  t.is(refineEpochs(60, 500, 1), 500);
  // A cold count below the warm one never lowers the plan.
  t.is(refineEpochs(60, 30, 1), 60);
});
