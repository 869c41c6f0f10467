/**
 * The run a frame names, read from its header without decoding the tensors (the dashboard's
 * frames/s per run). Anything malformed gives undefined: decoding proper reports it.
 */

/** Headers longer than this are not peeked at (decoding still handles them). */
const MAX_PEEK_HEADER = 64 * 1024;

export function peekRun(frame: Uint8Array): string | undefined {
  if (frame.length < 12 || frame[0] !== 0x53 || frame[1] !== 0x43 || frame[2] !== 0x41 || frame[3] !== 0x4d) return undefined;
  const h = frame[8] | (frame[9] << 8) | (frame[10] << 16) | (frame[11] << 24);
  if (h <= 0 || h > MAX_PEEK_HEADER || 12 + h > frame.length) return undefined;
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(frame.subarray(12, 12 + h)));
    const run = (header as { run?: unknown } | null)?.run;
    return typeof run === 'string' ? run : undefined;
  } catch {
    return undefined;
  }
}
