import test from 'ava';
import { UpdateBudget } from '../../src/engine/budget.js';
import { resolveOptions } from '../../src/engine/engine-options.js';

test('a cold update gets three budgets (or coldBudgetMs) and aims 5% under it', (t) => {
  const o = resolveOptions({ budgetMs: 1000 });
  t.is(new UpdateBudget(o, false, 100, 0).deadline, 100 + 950);
  t.is(new UpdateBudget(o, true, 100, 0).deadline, 100 + 2850);
  t.is(new UpdateBudget(resolveOptions({ budgetMs: 1000, coldBudgetMs: 2000 }), true, 0, 0).deadline, 1900);
});

test('floors: a cold update trains twice and refines five times the minimum', (t) => {
  const o = resolveOptions({ minTrainSteps: 3, minRefineEpochs: 7 });
  t.is(new UpdateBudget(o, false, 0, 0).minTrainSteps(), 3);
  t.is(new UpdateBudget(o, true, 0, 0).minTrainSteps(), 6);
  t.is(new UpdateBudget(o, false, 0, 0).minRefineEpochs(), 7);
  t.is(new UpdateBudget(o, true, 0, 0).minRefineEpochs(), 35);
});

test('fixed work replaces the clock: set counts, no refinement deadline', (t) => {
  const fixedWork = { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60 };
  const warm = new UpdateBudget(resolveOptions({ fixedWork }), false, 0, 0);
  const cold = new UpdateBudget(resolveOptions({ fixedWork }), true, 0, 0);
  t.deepEqual([warm.trainSteps(), warm.refineEpochs(), warm.refineDeadline()], [3, 15, undefined]);
  t.deepEqual([cold.trainSteps(), cold.refineEpochs(), cold.refineDeadline()], [5, 60, undefined]);
  // With the clock: no step count, epoch caps from the options, refinement leaves the tail its time.
  const clock = new UpdateBudget(resolveOptions({ budgetMs: 1000, refineEpochs: 40, coldRefineEpochs: 200 }), false, 0, 100);
  t.deepEqual([clock.trainSteps(), clock.refineEpochs(), clock.refineDeadline()], [undefined, 40, 850]);
  t.is(new UpdateBudget(resolveOptions({ coldRefineEpochs: 200 }), true, 0, 0).refineEpochs(), 200);
});

test('the anchored steps get the time refinement leaves plus a reserved share; fixed work sets their count', (t) => {
  const o = resolveOptions({ budgetMs: 1000, anchorShare: 0.25 });
  const b = new UpdateBudget(o, false, performance.now(), 100);
  b.trainDeadline();
  // Refinement stops a quarter of the free time (~850 ms) before the anchored steps' deadline.
  const reserve = b.anchorDeadline() - b.refineDeadline()!;
  t.true(reserve > 0.2 * 850 && reserve <= 0.25 * 850, `reserve ${reserve}`);
  t.is(b.anchorDeadline(), b.deadline - 100);
  t.is(b.anchorSteps(), undefined);
  t.true(b.anchored());
  t.false(new UpdateBudget(resolveOptions({ anchors: false }), false, 0, 0).anchored());
  t.false(new UpdateBudget(resolveOptions({ projector: false }), false, 0, 0).anchored());
  const fixedWork = { steps: 3, coldSteps: 5, refineEpochs: 15, coldRefineEpochs: 60, anchorSteps: 7, coldAnchorSteps: 9 };
  t.is(new UpdateBudget(resolveOptions({ fixedWork }), false, 0, 0).anchorSteps(), 7);
  t.is(new UpdateBudget(resolveOptions({ fixedWork }), true, 0, 0).anchorSteps(), 9);
  t.is(new UpdateBudget(resolveOptions({ fixedWork: { ...fixedWork, anchorSteps: undefined } }), false, 0, 0).anchorSteps(), 0);
  t.throws(() => resolveOptions({ projector: false, refine: 'off' }), { message: /projector off needs refine 'all'/ });
});

test('fault: a 50,000-row epoch got the flat 1 s budget and refinement only its floor; large epochs get msPerRow per row', (t) => {
  const o = resolveOptions({ budgetMs: 1000 });
  // Small epochs keep the flat budget; 50,000 rows get 0.042 ms each (2.1 s) warm and 3x that cold.
  t.is(new UpdateBudget(o, false, 0, 0, 5000).deadline, 950);
  t.true(Math.abs(new UpdateBudget(o, false, 0, 0, 50_000).deadline - 0.95 * 2100) < 1e-9);
  t.true(Math.abs(new UpdateBudget(o, true, 0, 0, 50_000).deadline - 0.95 * 6300) < 1e-9);
  // The option sets it; 0 keeps every epoch on budgetMs; a negative or non-finite value is refused.
  t.is(new UpdateBudget(resolveOptions({ budgetMs: 1000, msPerRow: 0.05 }), false, 0, 0, 50_000).deadline, 0.95 * 2500);
  t.is(new UpdateBudget(resolveOptions({ budgetMs: 1000, msPerRow: 0 }), false, 0, 0, 50_000).deadline, 950);
  for (const msPerRow of [-1, Infinity, Number.NaN]) t.throws(() => resolveOptions({ msPerRow }), { message: /msPerRow must be a finite number >= 0/ });
});

test('known ids: a warm anchored update whose ids were all shown trains before refinement only to its floor', (t) => {
  const o = resolveOptions({ budgetMs: 1000, trainShare: 0.35 });
  const t0 = performance.now();
  const share = (b: UpdateBudget, allKnown: boolean) => (b.trainDeadline(allKnown) - performance.now()) / (b.deadline - performance.now());
  // New ids to place: the usual share of the free time (a little under 0.35 as the clock moves on).
  t.true(share(new UpdateBudget(o, false, t0, 0), false) > 0.3);
  // All known: no time before refinement (minTrainSteps still takes its steps); the reserve for the anchored steps stays.
  const known = new UpdateBudget(o, false, t0, 0);
  t.true(share(known, true) <= 0);
  t.true(known.anchorDeadline() - known.refineDeadline()! > 0.2 * 900);
  // Without anchored steps to take the time, or on a cold update, the rule does not apply.
  t.true(share(new UpdateBudget(resolveOptions({ budgetMs: 1000, anchors: false }), false, t0, 0), true) > 0.3);
  t.true(share(new UpdateBudget(o, true, t0, 0), true) > 0.15);
  // Where refinement reads the encoder for every row (refine 'sample', refineInit 'encoder'), training keeps its share.
  t.true(share(new UpdateBudget(resolveOptions({ budgetMs: 1000, refine: 'sample' }), false, t0, 0), true) > 0.3);
  t.true(share(new UpdateBudget(resolveOptions({ budgetMs: 1000, refineInit: 'encoder' }), false, t0, 0), true) > 0.3);
  // trainBeforeRefine 'always' keeps the share (the behaviour before the rule).
  t.true(share(new UpdateBudget(resolveOptions({ budgetMs: 1000, trainBeforeRefine: 'always' }), false, t0, 0), true) > 0.3);
});
