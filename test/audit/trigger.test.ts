import test from 'ava';
import { CausalTrigger, type TriggerOptions } from '../../src/audit/trigger.js';

const METHOD: TriggerOptions = { bad: 'up', burnIn: 5, consecutive: 2, stdMargin: 0.2, window: 10, minRelChange: 0 };

/** Feeds values at epochs 0.. and returns the epoch that fired (or null) plus how many fired. */
function run(opts: TriggerOptions, values: number[], firstEpoch = 0): { epoch: number | null; firings: number } {
  const t = new CausalTrigger(opts);
  let epoch: number | null = null;
  let firings = 0;
  values.forEach((v, i) => {
    const f = t.push(firstEpoch + i, v);
    if (f) {
      firings++;
      epoch ??= f.epoch;
    }
  });
  return { epoch, firings };
}

test('fires at the first epoch after burn-in with two consecutive rises beyond the std margin', (t) => {
  // Falling loss, then rises at 7 and 8: moves 7 vs 6 and 8 vs 7 are both up.
  const v = [5, 4, 3, 2.5, 2.2, 2.0, 1.9, 2.1, 2.4, 2.8];
  const r = run(METHOD, v);
  t.is(r.epoch, 8);
  t.is(r.firings, 1);
});

test('the firing carries its evidence, checkable by hand', (t) => {
  const tr = new CausalTrigger(METHOD);
  const v = [5, 4, 3, 2.5, 2.2, 2.0, 1.9, 2.1, 2.4];
  v.forEach((x, i) => tr.push(i, x));
  t.truthy(tr.fired);
  const firing = tr.fired!;
  t.deepEqual(firing.epochs, [6, 7, 8]);
  t.deepEqual(firing.values, [1.9, 2.1, 2.4]);
  t.is(firing.index, 8);
  t.true(Math.abs(firing.move - 0.3) < 1e-12);
  // std of the 8 values before index 8 (window 10 reaches back to the start).
  const prev = v.slice(0, 8);
  const mean = prev.reduce((a, b) => a + b) / prev.length;
  const sd = Math.sqrt(prev.reduce((a, b) => a + (b - mean) ** 2, 0) / prev.length);
  t.true(Math.abs(firing.std - sd) < 1e-12);
  t.true(Math.abs(firing.threshold - 0.2 * sd) < 1e-12);
  t.true(Math.abs(firing.relChange - 0.5 / 1.9) < 1e-12);
});

test('no firing inside the burn-in, even on a clear rise', (t) => {
  // Rises at indices 1..4 only, then falls for good.
  const v = [1, 2, 3, 4, 5, 4, 3, 2, 1, 0.5];
  t.is(run(METHOD, v).epoch, null);
  // With burn-in 2 the same series fires at index 2.
  t.is(run({ ...METHOD, burnIn: 2 }, v).epoch, 2);
});

test('burn-in counts fed values, not epoch numbers', (t) => {
  const v = [5, 4, 3, 2.5, 2.2, 2.0, 1.9, 2.1, 2.4];
  t.is(run(METHOD, v, 100).epoch, 108);
});

test('a single bad move is not enough with k=2, but is with k=1', (t) => {
  const v = [5, 4, 3, 2.5, 2.2, 2.0, 1.9, 2.5, 1.5, 1.4];
  t.is(run(METHOD, v).epoch, null);
  t.is(run({ ...METHOD, consecutive: 1 }, v).epoch, 7);
});

test('moves smaller than the std margin do not fire', (t) => {
  // Noisy plateau (std ~1) with two tiny rises at the end.
  const v = [3, 1, 3, 1, 3, 1, 3, 1, 1.01, 1.02];
  t.is(run(METHOD, v).epoch, null);
  t.is(run({ ...METHOD, stdMargin: 0 }, v).epoch, 9);
});

test('the std window only looks back `window` values', (t) => {
  // Wild early values, calm recent ones: with window 3 the calm past sets a small std.
  const v = [100, -100, 100, -100, 1, 1.001, 1.002, 1.1, 1.3];
  t.is(run({ ...METHOD, stdMargin: 1 }, v).epoch, null);
  t.is(run({ ...METHOD, stdMargin: 1, window: 3 }, v).epoch, 7);
});

test('bad direction down: a falling metric fires, a rising one does not', (t) => {
  const up = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const down = up.map((x) => -x);
  t.is(run({ ...METHOD, bad: 'down' }, up).epoch, null);
  t.is(run({ ...METHOD, bad: 'down' }, down).epoch, 5);
  t.is(run(METHOD, up).epoch, 5);
});

test('minRelChange holds back small relative drifts', (t) => {
  const v = [10, 10.01, 10, 10.01, 10, 10.01, 10, 10.001, 10.02];
  t.is(run(METHOD, v).epoch, 8);
  t.is(run({ ...METHOD, minRelChange: 0.05 }, v).epoch, null);
});

test('fires at most once; ignores non-finite values and repeated or late epochs', (t) => {
  const tr = new CausalTrigger({ ...METHOD, burnIn: 2 });
  t.is(tr.push(0, 1), null);
  t.is(tr.push(1, 0.5), null);
  t.is(tr.push(1, 100), null); // repeated epoch: ignored
  t.is(tr.push(0, 100), null); // late epoch: ignored
  t.is(tr.push(2, Number.NaN), null); // non-finite: ignored
  t.deepEqual(tr.history.epochs, [0, 1]);
  t.is(tr.push(3, 1), null);
  t.truthy(tr.push(4, 2));
  t.is(tr.push(5, 3), null);
  t.is(tr.push(6, 4), null);
  t.is(tr.fired!.epoch, 4);
});

test('bad options are refused with a message naming them', (t) => {
  t.throws(() => new CausalTrigger({ ...METHOD, consecutive: 0 }), { message: /consecutive/ });
  t.throws(() => new CausalTrigger({ ...METHOD, window: 1.5 }), { message: /window/ });
  t.throws(() => new CausalTrigger({ ...METHOD, stdMargin: -1 }), { message: /stdMargin/ });
  t.throws(() => new CausalTrigger({ ...METHOD, bad: 'sideways' as 'up' }), { message: /bad must be/ });
});
