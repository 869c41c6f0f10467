/**
 * Issue 13, item 4: an exception from handling one frame escaped the socket handler and ended the
 * monitor. It becomes an internal_error reject naming the frame, and the next frame is taken.
 */
import test from 'ava';
import { Ingest } from '../../src/ingest/ingest.js';
import { Pipeline } from '../../src/session/pipeline.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { Event } from '../../src/model/events.js';
import { batch, end, epochEnd, hello } from './ingest-helpers.js';

test('a handler that throws inside ingest becomes an internal_error reject naming the frame; ingest carries on', (t) => {
  const events: Event[] = [];
  const epochs: EpochSet[] = [];
  let failures = 1;
  const ingest = new Ingest({
    sink: (e) => events.push(e),
    onEpoch: (s) => {
      if (failures-- > 0) throw new RangeError('engine refused the epoch');
      epochs.push(s);
    },
    silenceMs: 10_000,
  });
  ingest.accept(hello({ seq: 0 }), 0);
  ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  let r: ReturnType<Ingest['accept']> = null;
  t.notThrows(() => (r = ingest.accept(epochEnd({ seq: 2 }, 0), 2)));
  t.like(r, { run: 'r', producer: '0', seq: 2, code: 'internal_error' });
  const ev = events.find((e) => e.event === 'reject')!;
  t.like(ev, { event: 'reject', run: 'r', producer: '0', seq: 2, code: 'internal_error' });
  t.regex((ev as { reason: string }).reason, /^run "r" producer "0" seq 2: internal error while handling this epoch_end frame \(the monitor goes on\): RangeError: engine refused the epoch$/);
  ingest.accept(batch({ seq: 3 }, { epoch: 1, ids: [1] }), 3);
  ingest.accept(epochEnd({ seq: 4 }, 1), 4);
  ingest.accept(end({ seq: 5 }), 5);
  t.deepEqual(epochs.map((s) => s.epoch), [1]);
  t.true(ingest.allEndedOrQuiet);
  t.deepEqual(ingest.stats, { frames: 6, rejected: 1, lost: 0, epochs: 2 });
});

test('Pipeline.receive never throws: a failure outside ingest becomes an internal_error reject, and the next frames are taken', (t) => {
  const events: Event[] = [];
  let throwOnce = true;
  const p = new Pipeline({
    sink: (e) => {
      // The first reject report fails (a presenter bug, say): the report of that failure gets through.
      if (e.event === 'reject' && throwOnce) {
        throwOnce = false;
        throw new TypeError('presenter broke');
      }
      events.push(e);
    },
    silenceMs: 10_000,
  });
  p.receive(encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: 1 }), 0);
  t.notThrows(() => p.receive(Buffer.from('not a frame at all'), 1));
  const rejects = events.filter((e) => e.event === 'reject');
  t.is(rejects.length, 1);
  t.like(rejects[0], { run: null, code: 'internal_error' });
  t.regex((rejects[0] as { reason: string }).reason, /internal error while handling the frame \(the monitor goes on\): TypeError: presenter broke/);
  p.receive(encodeFrame({ type: 'batch', run: 'r', seq: 2, epoch: 0 }, { x: { dtype: 'float32', shape: [1, 1], data: Float32Array.of(1) }, id: { dtype: 'int32', shape: [1], data: Int32Array.of(1) } }), 2);
  p.receive(encodeFrame({ type: 'end', run: 'r', seq: 3 }), 3);
  t.deepEqual(events.filter((e) => e.event === 'epoch').map((e) => (e as { epoch: number }).epoch), [0]);
  t.true(p.finished);
  t.like(p.stats, { frames: 4, rejected: 2 }, 'the frame counted once; both reject reports counted');
});
