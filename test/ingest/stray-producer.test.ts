/**
 * Issue 13, item 1: one frame from a producer that never said hello made it part of the run, which
 * then waited --silence-s for it at every epoch and never ended. Only producers that said hello
 * take part; a repeated hello is a no-op.
 */
import test from 'ava';
import { batch, end, epochEnd, harness, hello, metrics } from './ingest-helpers.js';

test('a stray producer does not hold a run hostage: its frames are rejected (no_hello), change nothing, and the run completes and ends without it', (t) => {
  const h = harness(300_000);
  h.ingest.accept(hello({ seq: 0 }), 0);
  // The fault's trigger: a frame that is rejected anyway (wrong width) used to enrol its producer.
  const wide = h.ingest.accept(batch({ seq: 0, producer: 'stray' }, { epoch: 0, ids: [1], dim: 5 }), 1);
  t.like(wide, { run: 'r', producer: 'stray', seq: 0, code: 'no_hello' });
  t.like(h.ingest.accept(batch({ seq: 1, producer: 'stray' }, { epoch: 0, ids: [7] }), 2), { code: 'no_hello' });
  t.like(h.ingest.accept(metrics({ seq: 9, producer: 'stray' }, 3, { loss: 1 }), 3), { code: 'no_hello' });
  t.like(h.ingest.accept(epochEnd({ seq: 10, producer: 'stray' }, 4), 4), { code: 'no_hello' });
  t.like(h.ingest.accept(end({ seq: 11, producer: 'stray' }), 5), { code: 'no_hello' });
  h.ingest.rejected({ run: 'r', producer: 'stray', seq: 40, code: 'non_finite', reason: 'x has NaN' }, 6);
  const reasons = h.of('reject').map((r) => r.reason);
  t.regex(reasons[0]!, /^run "r" producer "stray" seq 0: this producer has not said hello in this run/);

  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2] }), 10);
  h.ingest.accept(epochEnd({ seq: 2 }, 0), 11);
  t.deepEqual(h.epochs.map((s) => [s.epoch, [...s.splits[0]!.ids]]), [[0, [1, 2]]], 'the epoch completes at once, with none of the stray rows');
  h.ingest.accept(end({ seq: 3 }), 12);
  t.true(h.ingest.allEndedOrQuiet, 'the run ends at its one real producer\'s end');
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'r' }]);
  h.ingest.tick(1_000_000);
  t.deepEqual(h.of('silence'), [], 'nobody is waited for');
  t.deepEqual(h.of('lost'), [], 'the stray seqs are not tracked');
  t.deepEqual(h.of('metrics'), []);
  t.deepEqual(h.ingest.stats, { frames: 10, rejected: 6, lost: 0, epochs: 1 });
});

test('a repeated hello is a no-op: no event, no new producer, seq, finished epochs and open data kept', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'a' }, 3, ['x', 'y']), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }, 3), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1] }), 1);
  h.ingest.accept(epochEnd({ seq: 2, producer: 'a' }, 0), 2);
  t.is(h.ingest.accept(hello({ seq: 3, producer: 'a' }, 3, ['x', 'y']), 3), null);
  t.is(h.ingest.accept(hello({ seq: 1, producer: 'b' }, 3), 3), null, 'b omits classes: still the same hello');
  t.is(h.of('hello').length, 2, 'one hello event per (run, producer)');
  // a stays done with epoch 0 (a reset would make its late batch look fresh), and b is still awaited.
  t.like(h.ingest.accept(batch({ seq: 4, producer: 'a' }, { epoch: 0, ids: [2] }), 4), { code: 'stale_epoch' });
  t.is(h.epochs.length, 0);
  h.ingest.accept(batch({ seq: 2, producer: 'b' }, { epoch: 0, ids: [3] }), 5);
  h.ingest.accept(epochEnd({ seq: 3, producer: 'b' }, 0), 6);
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 3]]);
  t.deepEqual(h.of('lost'), []);
});

test('a hello that changes the layer or classes, or comes after the producer ended, is reported again', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 3, ['x']), 0);
  h.ingest.accept(hello({ seq: 1 }, 3, ['x', 'y']), 1);
  h.ingest.accept(end({ seq: 2 }), 2);
  t.true(h.ingest.allEndedOrQuiet);
  h.ingest.accept(hello({ seq: 0 }, 3, ['x', 'y']), 3); // the producer starts again
  t.false(h.ingest.allEndedOrQuiet);
  t.deepEqual(h.of('hello').map((e) => e.classes), [['x'], ['x', 'y'], ['x', 'y']]);
});

test('a monitor started mid-run takes the run from the producer\'s next hello on, with nothing lost or rejected after it', (t) => {
  const h = harness();
  // The producer is at seq 40, epoch 5, when this monitor starts.
  t.like(h.ingest.accept(batch({ seq: 40 }, { epoch: 5, ids: [1] }), 0), { code: 'no_hello' });
  t.like(h.ingest.accept(epochEnd({ seq: 41 }, 5), 1), { code: 'no_hello' });
  const rejectedBefore = h.ingest.stats.rejected;
  h.ingest.accept(hello({ seq: 42 }), 2); // repeated at the start of epoch 6
  for (const [i, e] of [6, 7].entries()) {
    t.is(h.ingest.accept(batch({ seq: 43 + 3 * i }, { epoch: e, ids: [1, 2] }), 3), null);
    t.is(h.ingest.accept(epochEnd({ seq: 44 + 3 * i }, e), 4), null);
    if (e === 6) t.is(h.ingest.accept(hello({ seq: 45 }), 5), null);
  }
  t.is(h.ingest.accept(end({ seq: 48 }), 6), null);
  t.deepEqual(h.epochs.map((s) => s.epoch), [6, 7]);
  t.is(h.ingest.stats.rejected, rejectedBefore);
  t.is(h.ingest.stats.lost, 0);
  t.true(h.ingest.allEndedOrQuiet);
});

test('a repeated hello with another dim is rejected clearly (dim_mismatch) and changes nothing: the epoch goes on', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 3), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2] }), 1);
  const r = h.ingest.accept(hello({ seq: 2 }, 5), 2);
  t.like(r, { code: 'dim_mismatch', seq: 2 });
  t.is(r!.reason, "hello says dim 5, the run's D is 3 (D is fixed for the life of a run: another D needs another run name)");
  h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [3] }), 3);
  h.ingest.accept(epochEnd({ seq: 4 }, 0), 4);
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 2, 3]]);
  t.deepEqual(h.of('hello').length, 1);
  t.deepEqual(h.of('lost'), []);
});
