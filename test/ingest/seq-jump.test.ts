/** Issue 13: a seq jump no loss can explain (2^53) was reported as 9e15 lost frames. */
import test from 'ava';
import { MAX_SEQ_GAP } from '../../src/ingest/producer-seq.js';
import { batch, epochEnd, harness, hello } from './ingest-helpers.js';

test('a huge seq jump is rejected as bad_seq, not counted as 9e15 lost frames, and changes nothing', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  const r = h.ingest.accept(batch({ seq: 2 ** 53 - 1 }, { epoch: 0, ids: [2] }), 2);
  t.like(r, { code: 'bad_seq', seq: 2 ** 53 - 1 });
  t.regex(r!.reason, /more than the 4294967296 frames that could really be lost/);
  t.is(h.ingest.stats.lost, 0);
  t.deepEqual(h.of('lost'), []);
  // Nothing of it was taken: the sequence goes on from 2, the epoch has only id 1.
  h.ingest.accept(batch({ seq: 2 }, { epoch: 0, ids: [3] }), 3);
  h.ingest.accept(epochEnd({ seq: 3 }, 0), 4);
  t.is(h.ingest.stats.lost, 0);
  t.deepEqual(h.epochs.map((s) => [...s.splits[0]!.ids]), [[1, 3]]);
});

test('a gap up to the bound is still loss; a frame that failed to decode with a huge seq counts nothing', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 + MAX_SEQ_GAP }, { epoch: 0, ids: [1] }), 1);
  t.is(h.ingest.stats.lost, MAX_SEQ_GAP);
  h.ingest.rejected({ run: 'r', producer: '0', seq: 2 ** 53 - 1, code: 'non_finite', reason: 'x has NaN' }, 2);
  t.is(h.ingest.stats.lost, MAX_SEQ_GAP);
  t.is(h.ingest.accept(batch({ seq: 2 + MAX_SEQ_GAP }, { epoch: 0, ids: [2] }), 3), null, 'the expected seq did not move');
});

test('a hello with a seq far ahead or behind starts a new sequence (a restarted producer): no loss counted', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  t.is(h.ingest.accept(hello({ seq: 2 ** 52 }), 2), null);
  t.is(h.ingest.accept(batch({ seq: 2 ** 52 + 1 }, { epoch: 0, ids: [2] }), 3), null);
  t.is(h.ingest.accept(hello({ seq: 5 }), 4), null);
  t.is(h.ingest.accept(batch({ seq: 6 }, { epoch: 0, ids: [3] }), 5), null);
  t.is(h.ingest.stats.lost, 0);
});
