/**
 * How ingest says what went wrong: the error a refused frame raises (its reject code and reason),
 * the over-a-cap wording, a frame's identity in reasons, and an unexpected error cut to one line.
 */
import type { RejectCode } from '../protocol/types.js';
import { overLimit, type ReceiveLimits } from './limits.js';

/** Longest error text quoted in an internal_error reason. */
const MAX_ERROR_TEXT = 300;

export class IngestError extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message);
  }
}

export function over(key: keyof ReceiveLimits, limits: ReceiveLimits, what: string): IngestError {
  return new IngestError('over_limit', overLimit(key, limits[key], what));
}

/** Frame identity prefix for reasons, e.g. `run "a" producer "0" seq 7`. */
export function frameName(r: { run?: string | null; producer?: string | null; seq?: number | null }): string {
  const parts: string[] = [];
  if (r.run != null) parts.push(`run ${JSON.stringify(r.run)}`);
  if (r.producer != null) parts.push(`producer ${JSON.stringify(r.producer)}`);
  if (r.seq != null) parts.push(`seq ${r.seq}`);
  return parts.length ? parts.join(' ') : 'unidentified frame';
}

/** An error thrown while handling a frame, as one short line. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}...` : text;
}
