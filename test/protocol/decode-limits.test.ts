/**
 * Issue 13: a 32 MiB JSON header took 0.4 s and 256 MiB of heap to parse before anything looked at
 * it. The header cap is checked before the header is decoded; the batch row cap before the id set.
 */
import test from 'ava';
import { DEFAULT_DECODE_LIMITS, DEFAULT_MAX_HEADER_BYTES, decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { rawFrame } from './frame-helpers.js';

test('a header over max-header is over_limit before it is parsed: even invalid JSON is not looked at', (t) => {
  const huge = `{"type":"hello","run":"r","seq":0,"layer":"l","dim":1,"pad":"${'x'.repeat(DEFAULT_MAX_HEADER_BYTES)}"}`;
  const r = decodeFrame(rawFrame(huge));
  t.false(r.ok);
  if (!r.ok) {
    t.is(r.reject.code, 'over_limit');
    t.is(r.reject.reason, `over the cap max-header = ${DEFAULT_MAX_HEADER_BYTES}: the header is ${huge.length} bytes`);
  }
  // Not JSON at all: had it been parsed the code would be bad_header.
  const garbage = decodeFrame(rawFrame('{'.repeat(1025)), { ...DEFAULT_DECODE_LIMITS, maxHeaderBytes: 1024 });
  t.like(garbage, { ok: false, reject: { code: 'over_limit', reason: 'over the cap max-header = 1024: the header is 1025 bytes' } });
  const fits = decodeFrame(encodeFrame({ type: 'end', run: 'r', seq: 0 }), { ...DEFAULT_DECODE_LIMITS, maxHeaderBytes: 1024 });
  t.true(fits.ok);
});

test('a batch with more rows than max-epoch-ids is over_limit, naming its run, producer and seq', (t) => {
  const frame = encodeFrame({ type: 'batch', run: 'r', producer: 'p', seq: 4, epoch: 0 }, {
    x: { dtype: 'float32', shape: [6, 1], data: new Float32Array(6) },
    id: { dtype: 'int32', shape: [6], data: Int32Array.of(1, 2, 3, 4, 5, 6) },
  });
  t.like(decodeFrame(frame, { ...DEFAULT_DECODE_LIMITS, maxBatchRows: 5 }), {
    ok: false,
    reject: { run: 'r', producer: 'p', seq: 4, code: 'over_limit', reason: 'over the cap max-epoch-ids = 5: the batch has 6 rows' },
  });
  t.true(decodeFrame(frame, { ...DEFAULT_DECODE_LIMITS, maxBatchRows: 6 }).ok);
});
