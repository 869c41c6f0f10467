/**
 * Issue 13, item 4: one producer that never advances while another streams epochs made every frame
 * slower (a sort of every open epoch per frame) and, at ~130k open epochs, Math.max(...keys) threw
 * RangeError out of the socket handler.
 */
import test from 'ava';
import { Ingest } from '../../src/ingest/ingest.js';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.js';
import { OpenEpochs } from '../../src/ingest/open-epochs.js';
import type { BatchFrame } from '../../src/protocol/types.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { Event } from '../../src/model/events.js';
import { createRng } from '../../src/util/random.js';
import { batch, epochEnd, harness, hello } from './ingest-helpers.js';

/** A one-row batch built directly (the decoder is not what this measures). */
function row(producer: string, seq: number, epoch: number, id: number): BatchFrame {
  return { type: 'batch', run: 'r', producer, seq, epoch, split: 'train', n: 1, dim: 1, x: Float32Array.of(epoch), ids: Float64Array.of(id) };
}

test('130k open epochs do not crash the receive path: the newest epoch is tracked incrementally', (t) => {
  const OPEN = 130_000;
  const events: Event[] = [];
  const epochs: EpochSet[] = [];
  // The cap is raised past the fault's size so that what is tested is the bookkeeping, not the cap.
  const ingest = new Ingest({ sink: (e) => events.push(e), onEpoch: (s) => epochs.push(s), silenceMs: 5000, limits: { ...DEFAULT_LIMITS, maxOpenEpochs: OPEN + 1 } });
  ingest.accept(hello({ seq: 0, producer: 'stuck' }, 1), 0);
  ingest.accept(hello({ seq: 0, producer: 'fast' }, 1), 0);
  ingest.accept(row('stuck', 1, 0, 0), 0);
  for (let e = 0; e < OPEN; e++) ingest.accept(row('fast', e + 1, e, 1), 1);
  t.is(epochs.length, 0, "every epoch waits for 'stuck'");
  t.deepEqual(events.filter((e) => e.event === 'reject'), []);
  // The silence path used the same spread: it must complete all 130k, oldest first.
  ingest.tick(6000);
  t.is(epochs.length, OPEN);
  t.true(epochs.every((s, i) => s.epoch === i), 'in epoch order');
  t.is(epochs[0]!.splits[0]!.n, 2, "epoch 0 has both producers' rows");
  t.is(ingest.bufferedBytes, 0, 'completed epochs are no longer counted as held');
});

test('open epochs per run are capped: the frame that would open one more is over_limit, naming max-open-epochs and who is waited for', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0, producer: 'stuck' }), 0);
  h.ingest.accept(hello({ seq: 0, producer: 'fast' }), 0);
  for (let e = 0; e < DEFAULT_LIMITS.maxOpenEpochs; e++) t.is(h.ingest.accept(batch({ seq: e + 1, producer: 'fast' }, { epoch: e, ids: [1] }), 1), null);
  const r = h.ingest.accept(batch({ seq: 200, producer: 'fast' }, { epoch: 500, ids: [1] }), 2);
  t.like(r, { code: 'over_limit', producer: 'fast', seq: 200 });
  t.is(r!.reason, `over the cap max-open-epochs = ${DEFAULT_LIMITS.maxOpenEpochs}: the run has ${DEFAULT_LIMITS.maxOpenEpochs} open epochs; the oldest, 0, waits for producer "stuck"`);
  // More rows for an epoch already open still fit; once the laggard finishes, epochs complete again.
  t.is(h.ingest.accept(batch({ seq: 1, producer: 'stuck' }, { epoch: 0, ids: [2] }), 3), null);
  h.ingest.accept(epochEnd({ seq: 2, producer: 'stuck' }, 10), 4);
  t.deepEqual(h.epochs.map((s) => s.epoch), Array.from({ length: 11 }, (_, e) => e));
  t.is(h.ingest.accept(batch({ seq: 202, producer: 'fast' }, { epoch: 500, ids: [1] }), 5), null);
});

test('OpenEpochs gives back epochs oldest first whatever the order they were opened in, and knows the newest', (t) => {
  const rng = createRng(13);
  const open = new OpenEpochs<string>();
  const opened = new Set<number>();
  while (opened.size < 500) {
    const e = rng.int(2000);
    if (opened.has(e)) continue;
    opened.add(e);
    open.add(e, `e${e}`);
  }
  const sorted = [...opened].sort((a, b) => a - b);
  t.is(open.newest, sorted.at(-1)!);
  t.is(open.oldest, sorted[0]);
  t.throws(() => open.add(sorted[0]!, 'again'), { message: /already open/ });
  const taken: number[] = [];
  for (let next = open.takeOldest(999); next; next = open.takeOldest(999)) {
    t.is(next[1], `e${next[0]}`);
    taken.push(next[0]);
  }
  t.deepEqual(taken, sorted.filter((e) => e <= 999));
  t.is(open.size, sorted.filter((e) => e > 999).length);
  t.is(open.newest, sorted.at(-1)!);
  while (open.takeOldest(Infinity));
  t.is(open.size, 0);
  t.is(open.newest, -1);
  t.is(open.oldest, -1);
});
