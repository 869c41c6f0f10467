import test from 'ava';
import { refineAlpha } from '../../src/engine/train-layout.js';

test('refinement rate: base under drift, rising to 1 when most neighbourhoods changed', (t) => {
  t.is(refineAlpha(0.03, 0.1), 0.03);
  t.is(refineAlpha(0.03, 0.3), 0.03);
  t.true(Math.abs(refineAlpha(0.03, 0.55) - (0.03 + 0.97 * 0.5)) < 1e-12);
  t.is(refineAlpha(0.03, 0.95), 1);
});
