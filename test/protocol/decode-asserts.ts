/** Assertions on decodeFrame for protocol tests: a frame is accepted, or refused with a given code and reason. */
import type { ExecutionContext } from 'ava';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { Frame, Reject, RejectCode } from '../../src/protocol/types.js';

/** Decodes and insists on a reject of `code` whose reason contains every `words` (case-insensitive). */
export function rejects(t: ExecutionContext, buf: Uint8Array, code: RejectCode, ...words: string[]): Reject {
  const r = decodeFrame(buf);
  if (r.ok) {
    t.fail(`expected a ${code} reject, the frame was accepted as ${r.frame.type}`);
    throw new Error('accepted');
  }
  t.is(r.reject.code, code, r.reject.reason);
  t.true(r.reject.reason.length > 0);
  for (const w of words) t.true(r.reject.reason.toLowerCase().includes(w.toLowerCase()), `reason ${JSON.stringify(r.reject.reason)} should mention ${JSON.stringify(w)}`);
  return r.reject;
}

/** Decodes and insists on acceptance; the decoded frame. */
export function accepts(t: ExecutionContext, buf: Uint8Array): Frame {
  const r = decodeFrame(buf);
  if (!r.ok) {
    t.fail(`expected acceptance, got ${r.reject.code}: ${r.reject.reason}`);
    throw new Error('rejected');
  }
  return r.frame;
}
