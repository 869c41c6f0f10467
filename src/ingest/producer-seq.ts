/**
 * One producer's life in a run: joining, rejoining after its `end`, and the seq rule (gaps are
 * lost frames; a hello may start a new sequence; an impossible jump is refused).
 */
import { IngestError } from './ingest-errors.js';
import type { IngestRunState, ProducerState } from './run-state.js';

/**
 * A seq further ahead than this is not loss: 2^32 frames is 136 years at 1000 frames a second.
 * It is a producer that restarted without hello, or a broken one; counting it would report up to
 * 9e15 lost frames.
 */
export const MAX_SEQ_GAP = 2 ** 32;

/** A producer's state on its first hello, expecting `nextSeq`. */
export function newProducer(nextSeq: number, now: number): ProducerState {
  return { nextSeq, doneThrough: -1, lastSeen: now, ended: false, silent: false };
}

/**
 * A hello from a producer that had sent `end` takes it back into the run: done with the epochs
 * already complete, not with every epoch (its `end` had marked it done through Infinity, so each
 * batch after the restart was refused as stale). A producer that had not ended is left as it was.
 */
export function rejoin(p: ProducerState, s: IngestRunState): void {
  if (!p.ended) return;
  p.ended = false;
  p.doneThrough = s.completedBelow - 1;
}

/**
 * Take `seq` from producer p: a hello whose seq is behind, or impossibly far ahead, starts a new
 * sequence (a restarted producer); any other frame that far ahead is refused as bad_seq before
 * anything changes.
 * @returns the frames lost before this one (0 when none), with the seq that was expected
 */
export function takeSeq(p: ProducerState, seq: number, now: number, isHello: boolean): { readonly lost: number; readonly expected: number } {
  const expected = p.nextSeq;
  const gap = seq - expected;
  const restart = isHello && (gap < 0 || gap > MAX_SEQ_GAP);
  if (gap > MAX_SEQ_GAP && !restart) {
    throw new IngestError('bad_seq', `seq jumped ${gap} ahead of the ${expected} expected, more than the ${MAX_SEQ_GAP} frames that could really be lost (a restarted producer begins again with hello)`);
  }
  p.lastSeen = now;
  p.silent = false;
  if (restart) {
    p.nextSeq = seq + 1;
    return { lost: 0, expected };
  }
  // Any other step back is reordering we cannot see on one SP connection, so the highest seq
  // wins and nothing is counted twice.
  if (gap >= 0) p.nextSeq = seq + 1;
  return { lost: Math.max(0, gap), expected };
}

/** A frame of epoch e means its producer is done with every epoch before e. */
export function markLaterEpoch(p: ProducerState, epoch: number): void {
  p.doneThrough = Math.max(p.doneThrough, epoch - 1);
}
