/**
 * Protocol revision 1.1, several layers of one run: a hello per layer, batch and epoch_end naming
 * their layer (absent = the run's first). Each layer is a stream RUN/LAYER with its own D and
 * epochs; seq is counted per (run, producer) across layers; the run's end ends every layer.
 */
import test from 'ava';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { MAX_LAYERS_PER_RUN } from '../../src/ingest/ingest.js';
import type { RejectCode } from '../../src/protocol/types.js';
import { batch, end, epochEnd, harness, hello, metrics } from './ingest-helpers.js';

test('two layers: their own D and epochs, one seq count, one hello event each, the run ends both', (t) => {
  const h = harness();
  let seq = 0;
  const ok = (f: Parameters<typeof h.ingest.accept>[0]): void => {
    t.is(h.ingest.accept(f, seq), null);
  };
  ok(hello({ seq: seq++ }, 3, undefined, 'fc'));
  ok(hello({ seq: seq++ }, 5, undefined, 'conv'));
  for (const e of [0, 1]) {
    ok(hello({ seq: seq++ }, 3, undefined, 'fc')); // repeated every epoch: no event
    ok(hello({ seq: seq++ }, 5, undefined, 'conv'));
    ok(batch({ seq: seq++ }, { epoch: e, ids: [1, 2] }));
    ok(batch({ seq: seq++ }, { epoch: e, ids: [1, 2, 3], dim: 5, layer: 'conv' }));
    ok(epochEnd({ seq: seq++ }, e, undefined, 'conv'));
    ok(epochEnd({ seq: seq++ }, e, undefined, 'fc')); // naming the first layer is the same as naming none
    ok(metrics({ seq: seq++ }, e, { loss: 1 }));
  }
  ok(end({ seq: seq++ }));
  t.deepEqual(h.of('hello').map((e) => [e.run, e.layer, e.dim]), [['r', 'fc', 3], ['r', 'conv', 5]]);
  t.deepEqual(h.epochs.map((s) => [s.run, s.epoch, s.splits[0]!.n, s.splits[0]!.dim]), [
    ['r/conv', 0, 3, 5],
    ['r', 0, 2, 3],
    ['r/conv', 1, 3, 5],
    ['r', 1, 2, 3],
  ]);
  t.deepEqual(h.of('end').map((e) => e.run), ['r/conv', 'r'], "the layer's end first, the run's last");
  t.is(h.ingest.stats.lost, 0, 'seq counts across layers');
  t.true(h.ingest.hasRun('r/conv'));
  t.true(h.ingest.allEndedOrQuiet);
});

test('a 1.0 producer (no layer fields) is unchanged: its one layer is the run', (t) => {
  const h = harness();
  h.ingest.accept(hello({ seq: 0 }), 0);
  h.ingest.accept(batch({ seq: 1 }, { epoch: 0, ids: [1] }), 1);
  h.ingest.accept(epochEnd({ seq: 2 }, 0), 2);
  t.deepEqual(h.epochs.map((s) => s.run), ['r']);
  t.deepEqual(h.of('reject'), []);
});

test('bad layer use is refused with a reason naming it', (t) => {
  const h = harness();
  const refused = (f: Parameters<typeof h.ingest.accept>[0], now: number, code: RejectCode, reason: RegExp): void => {
    const r = h.ingest.accept(f, now);
    t.is(r?.code, code);
    t.regex(r?.reason ?? '', reason);
  };
  h.ingest.accept(hello({ seq: 0 }, 3, undefined, 'fc'), 0);
  refused(batch({ seq: 1 }, { epoch: 0, ids: [1], layer: 'conv' }), 1, 'no_hello', /no hello for layer "conv" in this run.*first layer is "fc"/);
  refused(epochEnd({ seq: 2 }, 0, undefined, 'conv'), 2, 'no_hello', /./);
  h.ingest.accept(hello({ seq: 3 }, 4, undefined, 'conv'), 3);
  refused(hello({ seq: 4 }, 6, undefined, 'conv'), 4, 'dim_mismatch', /layer "conv"'s D is 4/);
  refused(batch({ seq: 5 }, { epoch: 0, ids: [1], dim: 3, layer: 'conv' }), 5, 'dim_mismatch', /./);
  // A producer's first hello in the run must be for the run's first layer.
  refused(hello({ seq: 0, producer: '1' }, 4, undefined, 'conv'), 6, 'no_hello', /say hello for that one first/);
  // Run names and layer streams never share a name.
  refused(hello({ seq: 0, run: 'r/conv' }, 2), 7, 'bad_field', /taken by a layer of run "r"/);
  for (let i = 1; i < MAX_LAYERS_PER_RUN; i++) h.ingest.accept(hello({ seq: 5 + i }, 2, undefined, `l${i}`), 8);
  refused(hello({ seq: 99 }, 2, undefined, 'one-too-many'), 9, 'over_limit', /cap of 16 layers per run/);
});

test('the decoder takes an optional printable layer on batch and epoch_end, and refuses a bad one', (t) => {
  const ok = decodeFrame(encodeFrame({ type: 'epoch_end', run: 'r', seq: 0, epoch: 1, layer: 'conv' }));
  t.like(ok, { ok: true, frame: { layer: 'conv' } });
  const none = decodeFrame(encodeFrame({ type: 'epoch_end', run: 'r', seq: 0, epoch: 1 }));
  t.true(none.ok && !('layer' in none.frame));
  t.like(decodeFrame(encodeFrame({ type: 'epoch_end', run: 'r', seq: 0, epoch: 1, layer: 7 })), { ok: false, reject: { code: 'bad_field', reason: "'layer' must be a string" } });
  t.like(decodeFrame(encodeFrame({ type: 'epoch_end', run: 'r', seq: 0, epoch: 1, layer: 'a\x1bb' })), { ok: false, reject: { code: 'bad_field' } });
});
