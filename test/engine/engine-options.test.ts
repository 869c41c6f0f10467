import test from 'ava';
import { resolveOptions } from '../../src/engine/engine-options.js';

test('fault: an option passed as undefined replaced its default and then failed validation; it now keeps the default', (t) => {
  const o = resolveOptions({ budgetMs: undefined, anchorShare: undefined, graphMinColumns: undefined, trainBeforeRefine: undefined });
  t.is(o.budgetMs, 1000);
  t.is(o.anchorShare, 0.25);
  t.is(o.graphMinColumns, 24);
  t.is(o.trainBeforeRefine, 'new-ids');
  // A value that is given still wins.
  t.is(resolveOptions({ budgetMs: 250 }).budgetMs, 250);
});

test("the anchors' margin and draw share: defaults, and bad values refused naming the field", (t) => {
  const o = resolveOptions({});
  t.deepEqual([o.anchorMargin, o.anchorDrawShare], [0, 0.9]);
  for (const anchorMargin of [-0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => resolveOptions({ anchorMargin }), { message: /anchorMargin must be a finite number >= 0/ });
  }
  for (const anchorDrawShare of [0, 1, -0.5, Number.NaN]) {
    t.throws(() => resolveOptions({ anchorDrawShare }), { message: /anchorDrawShare must lie in \(0, 1\)/ });
  }
  t.throws(() => resolveOptions({ trainBeforeRefine: 'never' as 'always' }), { message: /trainBeforeRefine must be new-ids or always, got never/ });
});
