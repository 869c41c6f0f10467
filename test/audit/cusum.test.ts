import test from 'ava';
import { ChangeDetector, cusumThreshold, type ChangeDetectorOptions, type ChangeFiring } from '../../src/audit/cusum.js';

const OPTS: ChangeDetectorOptions = {
  bad: 'up',
  k: 1,
  h: cusumThreshold(1000, 1),
  hInfo: cusumThreshold(100, 1),
  burnIn: 5,
  refWindow: 5,
  minNoise: 0.1,
  winsor: 1.5,
  floor: 0,
  warnWhileRising: true,
};

/** Feeds values at epochs 0, 1, ... and returns every firing. */
function run(values: readonly number[], opts: Partial<ChangeDetectorOptions> = {}): ChangeFiring[] {
  const d = new ChangeDetector({ ...OPTS, ...opts });
  return values.flatMap((v, e) => d.push(e, v));
}

/** A deterministic wobble of +-`amp` in log units around `level`. */
function wobble(n: number, level: number, amp: number): number[] {
  return Array.from({ length: n }, (_, i) => level * Math.exp(amp * Math.sin(2.3 * i + 0.7)));
}

test("threshold from the run length: Siegmund's approximation at known points", (t) => {
  // k = 0.5, h = 5 is the textbook ARL of about 930 epochs; k = 1, ARL 1000 gives h = 2.64.
  t.true(Math.abs(cusumThreshold(938, 0.5) - 5) < 0.01);
  t.true(Math.abs(cusumThreshold(1000, 1) - 2.64) < 0.01);
  // A longer run between false alarms needs a higher threshold.
  t.true(cusumThreshold(5000, 1) > cusumThreshold(1000, 1));
  t.throws(() => cusumThreshold(1, 1), { message: /arl > 1/ });
});

test('a settling signal and a wobbling plateau stay quiet', (t) => {
  t.deepEqual(run(Array.from({ length: 40 }, (_, e) => 0.5 / (1 + e))), []);
  t.deepEqual(run(wobble(60, 0.1, 0.15)), []);
});

test('a growing signal gives a warning once (the info threshold is passed on the way)', (t) => {
  const values = [...wobble(10, 0.1, 0.1), ...Array.from({ length: 10 }, (_, i) => 0.1 * 1.3 ** (i + 1))];
  const got = run(values);
  t.deepEqual(got.map((f) => f.severity), ['warning']);
  const w = got[0]!;
  t.true(w.epoch >= 10 && w.epoch <= 13, `warning at ${w.epoch}`);
  t.true(w.statistic >= w.threshold);
  t.is(w.epochs[w.epochs.length - 1], w.epoch);
  t.is(w.values.length, w.epochs.length);
  // A slower rise passes the info threshold an epoch or more before the warning one.
  const slow = run([...wobble(10, 0.1, 0.1), ...Array.from({ length: 10 }, (_, i) => 0.1 * 1.12 ** (i + 1))]);
  t.deepEqual(slow.map((f) => f.severity), ['info', 'warning']);
  t.true(slow[0]!.epoch < slow[1]!.epoch);
  // The reference is back in the signal's units: near the plateau's 0.1.
  t.true(Math.abs(w.reference - 0.1) < 0.02, `reference ${w.reference}`);
});

test('burn-in: nothing fires from the first burnIn values, whatever they do', (t) => {
  const jump = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 10, 20, 40];
  t.is(run(jump, { burnIn: 10 }).length, 0);
  t.true(run(jump, { burnIn: 5 }).some((f) => f.severity === 'warning'));
});

test('a bad direction of down watches falls', (t) => {
  const falling = [...wobble(10, 1, 0.05), ...Array.from({ length: 8 }, (_, i) => 0.7 ** (i + 1))];
  t.true(run(falling, { bad: 'down' }).some((f) => f.severity === 'warning'));
  t.deepEqual(run(falling, { bad: 'up' }), []);
});

test('warnWhileRising: an excursion that is already receding stays an info', (t) => {
  // A step up (z = 5: S = 4, under h = 6), then slowly back down while still above the reference:
  // S passes 6 on the way down.
  const d = new ChangeDetector({ ...OPTS, h: 6, hInfo: 1 });
  const values = [...wobble(10, 0.1, 0.01), ...[0.5, 0.45, 0.4, 0.35].map((l) => 0.1 * Math.exp(l))];
  const got = values.flatMap((v, e) => d.push(e, v));
  t.deepEqual(got.map((f) => f.severity), ['info']);
  t.true(d.value >= 6, 'the statistic did pass the warning threshold');
  const loud = new ChangeDetector({ ...OPTS, h: 6, hInfo: 1, warnWhileRising: false });
  t.deepEqual(values.flatMap((v, e) => loud.push(e, v)).map((f) => f.severity), ['info', 'warning']);
});

test('a warning and an info reached in the same epoch: only the warning', (t) => {
  const got = run([...wobble(10, 0.1, 0.05), 1, 2]);
  t.deepEqual(got.map((f) => [f.severity, f.epoch]), [['warning', 10]]);
});

test('a passing dip does not become the reference: the return to normal is no rise', (t) => {
  const values = [...wobble(12, 0.1, 0.08), 0.03, 0.03, 0.03, 0.03, ...wobble(10, 0.1, 0.08)];
  t.deepEqual(run(values).filter((f) => f.severity === 'warning'), []);
  // Without winsorising (a huge clip), the reference follows the dip and the return reads as a rise.
  t.true(run(values, { winsor: 1e9 }).some((f) => f.severity === 'warning'));
});

test('non-finite and negative values, and epochs out of order, are ignored', (t) => {
  const d = new ChangeDetector(OPTS);
  t.deepEqual(d.push(0, Number.NaN), []);
  t.deepEqual(d.push(0, -1), []);
  t.deepEqual(d.push(1, 0.1), []);
  t.deepEqual(d.push(1, 50), [], 'an epoch already fed');
  t.deepEqual(d.push(0, 50), [], 'an earlier epoch');
});

test('bad options are refused by name', (t) => {
  t.throws(() => new ChangeDetector({ ...OPTS, k: 0 }), { message: /k must be/ });
  t.throws(() => new ChangeDetector({ ...OPTS, refWindow: 0 }), { message: /refWindow/ });
  t.throws(() => new ChangeDetector({ ...OPTS, hInfo: 9, h: 3 }), { message: /hInfo/ });
  t.throws(() => new ChangeDetector({ ...OPTS, bad: 'sideways' as 'up' }), { message: /bad must be/ });
});
