import test from 'ava';
import { createRng, deriveSeed, sampleIndices, shuffle } from '../../src/util/random.js';

test('same seed gives the same sequence, different seeds differ', (t) => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const sa = Array.from({ length: 20 }, () => a.next());
  const sb = Array.from({ length: 20 }, () => b.next());
  const sc = Array.from({ length: 20 }, () => c.next());
  t.deepEqual(sa, sb);
  t.notDeepEqual(sa, sc);
  for (const v of sa) t.true(v >= 0 && v < 1);
});

test('int covers its range uniformly and normal has mean 0, sd 1', (t) => {
  const r = createRng(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 20000; i++) counts[r.int(10)]++;
  for (const c of counts) t.true(Math.abs(c - 2000) < 200, `bucket ${c}`);
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const v = r.normal();
    s += v;
    s2 += v * v;
  }
  t.true(Math.abs(s / n) < 0.03);
  t.true(Math.abs(s2 / n - 1) < 0.05);
});

test('bad arguments are refused with a clear message', (t) => {
  t.throws(() => createRng(NaN), { message: /seed must be a finite number/ });
  t.throws(() => createRng(1).int(0), { message: /positive integer/ });
  t.throws(() => sampleIndices(3, 4, createRng(1)), { message: /0 <= m <= n/ });
});

test('sampleIndices gives distinct indices; shuffle is a permutation; deriveSeed separates labels', (t) => {
  const s = sampleIndices(100, 30, createRng(3));
  t.is(new Set(s).size, 30);
  for (const v of s) t.true(v >= 0 && v < 100);
  const a = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), createRng(5));
  t.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  t.not(deriveSeed(1, 'run', 3), deriveSeed(1, 'run', 4));
  t.is(deriveSeed(1, 'run', 3), deriveSeed(1, 'run', 3));
});
