import test from 'ava';
import { SyntheticStream } from '../../bench/synthetic-stream.js';

test('seeded, stable ids, drifting, with a test split when asked', (t) => {
  const a = new SyntheticStream({ n: 100, dim: 16, clusters: 4, rank: 3, seed: 1, testShare: 0.25 });
  const b = new SyntheticStream({ n: 100, dim: 16, clusters: 4, rank: 3, seed: 1, testShare: 0.25 });
  const a0 = a.next();
  const b0 = b.next();
  t.deepEqual([...a0[0].x], [...b0[0].x]);
  t.is(a0[0].split, 'train');
  t.is(a0[1].split, 'test');
  t.is(a0[0].n, 75);
  t.is(a0[1].n, 25);
  t.deepEqual([...a0[1].ids].slice(0, 3), [75, 76, 77]);
  const a1 = a.next();
  t.is(a1[0].epoch, 1);
  t.deepEqual([...a1[0].ids], [...a0[0].ids]);
  t.notDeepEqual([...a1[0].x], [...a0[0].x]);
  t.deepEqual([...a0[0].labels!].slice(0, 5), [0, 1, 2, 3, 0]);
  t.throws(() => new SyntheticStream({ n: 0, dim: 4, clusters: 1, rank: 1, seed: 1 }), { message: /n must be a positive integer/ });
  t.throws(() => new SyntheticStream({ n: 5, dim: 4, clusters: 1, rank: 5, seed: 1 }), { message: /rank 5 exceeds dim 4/ });
});
