import test from 'ava';
import { frameName } from '../../src/ingest/ingest-errors.js';
import { batch, end, epochEnd, harness, hello, metrics, rowsFor } from './ingest-helpers.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('batches of one epoch are assembled contiguously, labels/preds alongside, train and test apart', (t) => {
  const h = harness();
  t.is(h.ingest.accept(hello({ seq: 0 }, 3, ['a', 'b', 'c']), 0), null);
  t.is(h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [10, 11], labels: [0, 1], preds: [2, 1] }), 1), null);
  t.is(h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [20, 21, 22], split: 'test', labels: [2, 2, 0] }), 2), null);
  // No labels or preds in this batch: its rows read -1 ("unknown") so the arrays stay aligned.
  t.is(h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [12] }), 3), null);
  t.is(h.ingest.accept(batch({ seq: 4 }, { epoch: 0, ids: [13, 14], labels: [1, 1], preds: [1, 0] }), 4), null);
  t.is(h.epochs.length, 0, 'nothing completes before epoch_end');
  t.is(h.ingest.accept(epochEnd({ seq: 5 }, 0), 5), null);

  t.is(h.epochs.length, 1);
  const set = h.epochs[0]!;
  t.like(set, { run: 'r', epoch: 0 });
  t.deepEqual(set.splits.map((s) => s.split), ['train', 'test']);
  const [train, testSplit] = set.splits;
  t.like(train, { run: 'r', epoch: 0, split: 'train', n: 5, dim: 3, classes: ['a', 'b', 'c'] });
  t.deepEqual([...train!.ids], [10, 11, 12, 13, 14]);
  t.deepEqual([...train!.x], [...rowsFor([10, 11, 12, 13, 14], 3)]);
  t.is(train!.x.length, 15, 'x is trimmed to n*dim');
  t.deepEqual([...train!.labels!], [0, 1, -1, 1, 1]);
  t.deepEqual([...train!.preds!], [2, 1, -1, 1, 0]);
  t.like(testSplit, { split: 'test', n: 3, dim: 3 });
  t.deepEqual([...testSplit!.ids], [20, 21, 22]);
  t.deepEqual([...testSplit!.x], [...rowsFor([20, 21, 22], 3)]);
  t.deepEqual([...testSplit!.labels!], [2, 2, 0]);
  t.is(testSplit!.preds, undefined, 'no batch of the test split carried preds');
  t.deepEqual(h.ingest.stats, { frames: 6, rejected: 0, lost: 0, epochs: 1 });
});

test('assembly grows its storage past the first allocation and keeps every row in order', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 5), 0);
  // 3 x 700 rows crosses the 1024-row first allocation twice; labels start in the second batch.
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: range(0, 700), dim: 5 }), 1);
  h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: range(700, 1400), dim: 5, labels: range(700, 1400).map((i) => i % 7) }), 2);
  h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: range(1400, 2100), dim: 5, labels: range(1400, 2100).map((i) => i % 7) }), 3);
  h.ingest.accept(epochEnd({ seq: 4 }, 0), 4);
  const d = h.epochs[0]!.splits[0]!;
  t.is(d.n, 2100);
  t.deepEqual([...d.ids], range(0, 2100));
  t.deepEqual([...d.x], [...rowsFor(range(0, 2100), 5)]);
  t.deepEqual([...d.labels!], range(0, 2100).map((i) => (i < 700 ? -1 : i % 7)));
});

test('an epoch completes at epoch_end, or at the first frame of a later epoch (batch or metrics)', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2] }), 1);
  h.ingest.accept(batch({ seq: 2 }, { epoch: 1, ids: [1, 2, 3] }), 2);
  t.deepEqual(h.epochs.map((s) => [s.epoch, s.splits[0]!.n]), [[0, 2]], 'a batch of epoch 1 completes epoch 0');
  h.ingest.accept(metrics({ seq: 3 }, 2, { loss: 0.5 }), 3);
  t.deepEqual(h.epochs.map((s) => [s.epoch, s.splits[0]!.n]), [[0, 2], [1, 3]], 'metrics of epoch 2 completes epoch 1');
  h.ingest.accept(batch({ seq: 4 }, { epoch: 2, ids: [5] }), 4);
  h.ingest.accept(epochEnd({ seq: 5 }, 2), 5);
  t.deepEqual(h.epochs.map((s) => s.epoch), [0, 1, 2]);
  t.deepEqual(h.of('metrics'), [{ event: 'metrics', run: 'r', epoch: 2, step: undefined, values: { loss: 0.5 } }]);
  t.is(h.ingest.stats.epochs, 3);
});

test('an epoch with no rows is not handed on; flush completes what is still open', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(epochEnd({ seq: 1 }, 0), 1);
  t.is(h.epochs.length, 0);
  h.ingest.accept(batch({ seq: 2 }, { epoch: 1, ids: [4] }), 2);
  t.is(h.epochs.length, 0);
  h.ingest.flush();
  t.deepEqual(h.epochs.map((s) => s.epoch), [1]);
});

test('duplicate ids across batches of one epoch are rejected; the epoch keeps the first copy', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2, 3] }), 1);
  const r = h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [4, 3] }), 2);
  t.like(r, { run: 'r', producer: '0', seq: 2, code: 'duplicate_id' });
  t.regex(r!.reason, /id 3 was already sent in epoch 0/);
  const ev = h.of('reject')[0]!;
  t.like(ev, { run: 'r', producer: '0', seq: 2, code: 'duplicate_id' });
  t.regex(ev.reason, /^run "r" producer "0" seq 2: id 3 was already sent/);
  // The same ids in the next epoch are what stable ids are for.
  t.is(h.ingest.accept(batch({ seq: 3 }, { epoch: 1, ids: [1, 2, 3] }), 3), null);
  h.ingest.flush();
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 2, 3], [1, 2, 3]], 'the rejected batch added nothing, not even id 4');
  t.deepEqual(h.ingest.stats, { frames: 4, rejected: 1, lost: 0, epochs: 2 });
});

test("an x whose D differs from the run's is rejected, as is a hello or head with another D", (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 4), 0);
  const r = h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1], dim: 5 }), 1);
  t.like(r, { code: 'dim_mismatch', seq: 1 });
  t.regex(r!.reason, /x has 5 columns, the run's D is 4/);
  t.like(h.ingest.accept(hello({ seq: 2, producer: '1' }, 8), 2), { code: 'dim_mismatch', producer: '1' });
  t.regex(h.of('reject')[1]!.reason, /hello says dim 8, the run's D is 4/);
  const head = h.ingest.accept(epochEnd({ seq: 3 }, 0, { weight: [1, 2, 3, 4, 5, 6], bias: [0, 0], dim: 3 }), 3);
  t.like(head, { code: 'dim_mismatch' });
  t.regex(head!.reason, /head_weight has 3 columns, the run's D is 4/);
  t.is(h.ingest.accept(batch({ seq: 4 }, { epoch: 0, ids: [1], dim: 4 }), 4), null);
  t.deepEqual(h.of('hello').map((e) => [e.run, e.layer, e.dim]), [['r', 'fc', 4]], 'the run keeps the D of its first hello');
});

test('a head sent with epoch_end travels with the epoch', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 2), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1], dim: 2 }), 1);
  h.ingest.accept(epochEnd({ seq: 2 }, 0, { weight: [1, 0, 0, 1, 1, 1], bias: [0, 0.5, -1], dim: 2 }), 2);
  t.deepEqual(h.epochs[0]!.splits[0]!.head, { classes: 3, dim: 2, weight: Float32Array.of(1, 0, 0, 1, 1, 1), bias: Float32Array.of(0, 0.5, -1) });
});

test("labels and predictions outside hello's classes are rejected; without classes any index is fine", (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 3, ['a', 'b']), 0);
  const r = h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2], labels: [1, 2] }), 1);
  t.like(r, { code: 'bad_label', seq: 1 });
  t.regex(r!.reason, /label\[1\] = 2 is outside the 2 classes of hello/);
  const p = h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [1, 2], labels: [1, 0], preds: [0, 7] }), 2);
  t.like(p, { code: 'bad_label' });
  t.regex(p!.reason, /pred\[1\] = 7/);
  t.is(h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [1, 2], labels: [1, 0], preds: [0, 1] }), 3), null);

  const free = harness();
  free.ingest.accept(hello({ seq: 0 }, 3), 0);
  t.is(free.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1], labels: [999] }), 1), null);
});

test('seq gaps are counted as lost per (run, producer)', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  h.ingest.accept(hello({ run: 'other', seq: 0, producer: 'a' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1] }), 1);
  h.ingest.accept(batch({ seq: 4, producer: 'a' }, { epoch: 0, ids: [2] }), 2); // 2, 3 lost
  h.ingest.accept(batch({ seq: 1, producer: 'b' }, { epoch: 0, ids: [3] }), 3); // b's own sequence: no gap
  h.ingest.accept(batch({ run: 'other', seq: 6, producer: 'a' }, { epoch: 0, ids: [1] }), 4); // 1..5 lost
  h.ingest.accept(metrics({ seq: 5, producer: 'a' }, 0, { loss: 1 }), 5);
  t.deepEqual(h.of('lost'), [
    { event: 'lost', run: 'r', producer: 'a', count: 2, expected: 2, got: 4 },
    { event: 'lost', run: 'other', producer: 'a', count: 5, expected: 1, got: 6 },
  ]);
  t.is(h.ingest.stats.lost, 7);
  // A frame that is rejected still arrived: its seq is not a gap.
  h.ingest.accept(batch({ seq: 6, producer: 'a' }, { epoch: 0, ids: [1] }), 6); // duplicate id -> rejected
  h.ingest.accept(batch({ seq: 7, producer: 'a' }, { epoch: 0, ids: [9] }), 7);
  t.is(h.ingest.stats.lost, 7);
  t.is(h.ingest.stats.rejected, 1);
});

test('a frame that failed to decode still counts its seq as received, and is reported', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.rejected({ run: 'r', producer: '0', seq: 1, code: 'non_finite', reason: 'x has 1 NaN/Inf values' }, 1);
  h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [1] }), 2);
  t.is(h.ingest.stats.lost, 0);
  t.deepEqual(h.of('reject'), [{ event: 'reject', run: 'r', producer: '0', seq: 1, code: 'non_finite', reason: 'run "r" producer "0" seq 1: x has 1 NaN/Inf values' }]);
  h.ingest.rejected({ code: 'bad_magic', reason: 'frame does not start with magic "SCAM"' }, 3);
  t.like(h.of('reject')[1], { run: null, producer: null, seq: null, reason: 'unidentified frame: frame does not start with magic "SCAM"' });
  t.deepEqual(h.ingest.stats, { frames: 4, rejected: 2, lost: 0, epochs: 0 });
});

test('several producers: an epoch completes only when every producer that said hello sent epoch_end', (t) => {
  const h = harness();
  for (const p of ['0', '1', '2']) h.ingest.accept(hello({ seq: 0, producer: p }), 0);
  h.ingest.accept(batch({ seq: 1, producer: '0' }, { epoch: 0, ids: [0, 3] }), 1);
  h.ingest.accept(batch({ seq: 1, producer: '1' }, { epoch: 0, ids: [1, 4] }), 1);
  h.ingest.accept(batch({ seq: 1, producer: '2' }, { epoch: 0, ids: [2, 5] }), 1);
  h.ingest.accept(epochEnd({ seq: 2, producer: '1' }, 0), 2);
  h.ingest.accept(epochEnd({ seq: 2, producer: '0' }, 0, { weight: [1, 2, 3], bias: [0], dim: 3 }), 2);
  t.is(h.epochs.length, 0, 'producer 2 has not finished epoch 0');
  // Producer 1 racing ahead into epoch 1 does not complete epoch 0 either.
  h.ingest.accept(batch({ seq: 3, producer: '1' }, { epoch: 1, ids: [1] }), 3);
  t.is(h.epochs.length, 0);
  h.ingest.accept(epochEnd({ seq: 2, producer: '2' }, 0), 3);
  t.is(h.epochs.length, 1);
  const d = h.epochs[0]!.splits[0]!;
  t.deepEqual([...d.ids], [0, 3, 1, 4, 2, 5], 'rows in arrival order');
  t.deepEqual([...d.x], [...rowsFor([0, 3, 1, 4, 2, 5], 3)]);
  t.is(d.head?.classes, 1, 'the head may come from any one producer');
  // Ids of different producers in one epoch must still be disjoint.
  const dup = h.ingest.accept(batch({ seq: 3, producer: '0' }, { epoch: 1, ids: [1] }), 4);
  t.like(dup, { code: 'duplicate_id', producer: '0' });
});

test('several runs at once are kept apart', (t) => {
  const h = harness();
  h.ingest.accept(hello({ run: 'A', seq: 0 }, 2, ['x', 'y']), 0);
  h.ingest.accept(hello({ run: 'B', seq: 0 }, 5), 0);
  h.ingest.accept(batch({ run: 'A', seq: 1 }, { epoch: 0, ids: [1, 2], dim: 2, labels: [0, 1] }), 1);
  h.ingest.accept(batch({ run: 'B', seq: 1 }, { epoch: 0, ids: [1, 2, 3], dim: 5, labels: [7, 8, 9] }), 1);
  h.ingest.accept(epochEnd({ run: 'B', seq: 2 }, 0), 2);
  t.deepEqual(h.epochs.map((s) => [s.run, s.splits[0]!.n, s.splits[0]!.dim]), [['B', 3, 5]]);
  h.ingest.accept(epochEnd({ run: 'A', seq: 2 }, 0), 2);
  t.deepEqual(h.epochs.map((s) => [s.run, s.splits[0]!.n, s.splits[0]!.dim]), [['B', 3, 5], ['A', 2, 2]]);
  t.deepEqual(h.epochs[1]!.splits[0]!.classes, ['x', 'y']);
  h.ingest.accept(end({ run: 'A', seq: 3 }), 3);
  t.false(h.ingest.allEndedOrQuiet, 'run B has not ended');
  h.ingest.accept(end({ run: 'B', seq: 3 }), 3);
  t.true(h.ingest.allEndedOrQuiet);
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'A' }, { event: 'end', run: 'B' }]);
});

test('a silent producer is treated as done after the silence timeout (tick), and reported', (t) => {
  const h = harness(5000);
  h.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'b' }, { epoch: 0, ids: [10] }), 100);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1, 2] }), 1000);
  h.ingest.accept(epochEnd({ seq: 2, producer: 'a' }, 0), 1000);
  h.ingest.tick(4000);
  t.is(h.epochs.length, 0, 'b has been quiet 3.9 s of 5 s');
  t.deepEqual(h.of('silence'), []);
  h.ingest.tick(5100);
  t.deepEqual(h.of('silence'), [{ event: 'silence', run: 'r', producer: 'b', seconds: 5 }]);
  t.deepEqual(h.epochs.map((s) => [s.epoch, [...s.splits[0]!.ids]]), [[0, [10, 1, 2]]]);
  h.ingest.tick(5500);
  t.is(h.of('silence').length, 1, 'one report per silence episode');
  h.ingest.tick(6100);
  t.deepEqual(h.of('silence').map((e) => e.producer), ['b', 'a'], 'a, quiet since 1000, is reported in turn');
});

test('a lone producer that falls silent mid-epoch has that epoch completed', (t) => {
  const h = harness(5000);
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1, 2] }), 0);
  h.ingest.tick(4999);
  t.is(h.epochs.length, 0);
  h.ingest.tick(5000);
  t.deepEqual(h.epochs.map((s) => [s.epoch, s.splits[0]!.n]), [[0, 2]]);
  t.like(h.of('silence')[0], { producer: '0', seconds: 5 });
});

test('a producer that stays silent does not hold back later epochs', (t) => {
  const h = harness(5000);
  h.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1] }), 1000);
  h.ingest.accept(epochEnd({ seq: 2, producer: 'a' }, 0), 1000);
  h.ingest.tick(6000); // b silent: epoch 0 completes
  t.deepEqual(h.epochs.map((s) => s.epoch), [0]);
  h.ingest.accept(batch({ seq: 3, producer: 'a' }, { epoch: 1, ids: [1] }), 7000);
  h.ingest.accept(epochEnd({ seq: 4, producer: 'a' }, 1), 7000);
  h.ingest.tick(8000);
  t.deepEqual(h.epochs.map((s) => s.epoch), [0, 1], 'epoch 1 completes although b is still silent');
  // b comes back: it counts again, and its data for finished epochs is stale.
  const stale = h.ingest.accept(batch({ seq: 1, producer: 'b' }, { epoch: 1, ids: [2] }), 9000);
  t.like(stale, { code: 'stale_epoch', producer: 'b' });
  h.ingest.accept(batch({ seq: 5, producer: 'a' }, { epoch: 2, ids: [1] }), 9000);
  h.ingest.accept(epochEnd({ seq: 6, producer: 'a' }, 2), 9000);
  t.deepEqual(h.epochs.map((s) => s.epoch), [0, 1], 'b is live again, so epoch 2 waits for it');
  h.ingest.accept(epochEnd({ seq: 2, producer: 'b' }, 2), 9500);
  t.deepEqual(h.epochs.map((s) => s.epoch), [0, 1, 2]);
});

test('end from every producer that said hello ends the run and completes what is open', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'a' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'b' }), 0);
  h.ingest.accept(batch({ seq: 1, producer: 'a' }, { epoch: 0, ids: [1] }), 1);
  h.ingest.accept(end({ seq: 2, producer: 'a' }), 2);
  t.deepEqual(h.of('end'), []);
  t.false(h.ingest.allEndedOrQuiet);
  t.is(h.epochs.length, 0, 'b may still send epoch 0');
  h.ingest.accept(batch({ seq: 1, producer: 'b' }, { epoch: 0, ids: [2] }), 3);
  h.ingest.accept(end({ seq: 2, producer: 'b' }), 4);
  t.deepEqual(h.of('end'), [{ event: 'end', run: 'r' }]);
  t.true(h.ingest.allEndedOrQuiet);
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 2]]);
});

test('stale epochs are rejected: batches and epoch_end for an epoch already complete', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  h.ingest.accept(epochEnd({ seq: 2 }, 0), 2);
  const b = h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [2] }), 3);
  t.like(b, { code: 'stale_epoch', seq: 3 });
  t.regex(b!.reason, /epoch 0, which is already complete/);
  const e = h.ingest.accept(epochEnd({ seq: 4 }, 0), 4);
  t.like(e, { code: 'stale_epoch', seq: 4 });
  h.ingest.accept(batch({ seq: 5 }, { epoch: 3, ids: [1] }), 5);
  t.like(h.ingest.accept(batch({ seq: 6 }, { epoch: 2, ids: [1] }), 6), { code: 'stale_epoch' }, 'epoch 2 ended when epoch 3 began');
  t.deepEqual(h.epochs.map((s) => [s.epoch, s.splits[0]!.n]), [[0, 1]], 'epoch 2 had no rows; epoch 3 is still open');
});

test('a repeated hello is idempotent: no new producer, no lost frames, assembly goes on', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 3, ['a']), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  t.is(h.ingest.accept(hello({ seq: 2 }, 3, ['a']), 2), null);
  h.ingest.accept(batch({ seq: 3 }, { epoch: 0, ids: [2] }), 3);
  h.ingest.accept(epochEnd({ seq: 4 }, 0), 4);
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 2]], 'the epoch spans the second hello');
  t.is(h.of('hello').length, 1, 'one hello event per (run, producer): producers repeat hello every epoch');
  t.deepEqual(h.ingest.stats, { frames: 5, rejected: 0, lost: 0, epochs: 1 });
  // A restarted producer says hello again from seq 0: no frames are counted lost, nothing is rejected.
  t.is(h.ingest.accept(hello({ seq: 0 }, 3, ['a']), 5), null);
  t.is(h.ingest.accept(batch({ seq: 1 }, { epoch: 1, ids: [1] }), 6), null);
  t.is(h.ingest.stats.lost, 0);
});

test('a batch before hello is rejected (no_hello) with a reason that says what to do', (t) => {
  const h = harness();
  const r = h.ingest.accept(batch({ run: 'late', producer: '4', seq: 17 }, { epoch: 0, ids: [1] }), 0);
  t.like(r, { run: 'late', producer: '4', seq: 17, code: 'no_hello' });
  t.regex(r!.reason, /no hello received for this run/);
  const ev = h.of('reject')[0]!;
  t.regex(ev.reason, /^run "late" producer "4" seq 17: no hello received/);
  t.like(h.ingest.accept(epochEnd({ run: 'late', seq: 18 }, 0), 1), { code: 'no_hello' });
  t.like(h.ingest.accept(end({ run: 'late', seq: 19 }), 2), { code: 'no_hello' });
  t.false(h.ingest.allEndedOrQuiet, 'a run known only from rejected frames does not exist');
  t.deepEqual(h.of('hello'), []);
  // Nothing of the rejected frames stuck: the run's first hello still sets its D.
  t.is(h.ingest.accept(hello({ run: 'late', seq: 20 }, 8), 3), null);
  t.like(h.of('hello')[0], { run: 'late', dim: 8 });
});

test('frameName names as much of the frame as is known', (t) => {
  t.is(frameName({ run: 'a', producer: '1', seq: 2 }), 'run "a" producer "1" seq 2');
  t.is(frameName({ run: 'a' }), 'run "a"');
  t.is(frameName({}), 'unidentified frame');
  t.is(frameName({ run: 'q"x' }), 'run "q\\"x"');
});

test('class names and layer from hello are sanitised before they reach events', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }, 3, ['ok', 'bad\u001b[31m', '{red-fg}x']), 0);
  const ev = h.of('hello')[0]!;
  t.false(ev.classes!.some((c) => /[\u001b{}]/.test(c)), JSON.stringify(ev.classes));
  t.is(ev.classes![0], 'ok');
});
