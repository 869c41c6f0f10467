/**
 * Lengths of producer text in characters (Unicode code points), the unit the protocol's limits
 * are stated in: `'😀'.length` is 2 in JavaScript, but a Python producer's len() says 1, and a run
 * name of 128 such characters conforms.
 */

import { isPrintableName } from './printable.js';

/** The protocol's name rule (run, producer, layer): 1-128 characters. */
export const MAX_NAME_CHARS = 128;

/**
 * True when s is a name the monitor takes: 1-128 characters (code points), none that could drive a
 * terminal or reorder text, no unpaired surrogate. Producers check names with it before sending.
 */
export function isProtocolName(s: unknown): s is string {
  // A string of more than twice the limit in UTF-16 units has more characters than the limit.
  if (typeof s !== 'string' || s.length < 1 || s.length > 2 * MAX_NAME_CHARS) return false;
  return charCount(s) <= MAX_NAME_CHARS && isPrintableName(s);
}

/** Characters (code points) of s; an unpaired surrogate counts as one. */
export function charCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** s cut to at most `max` characters (never inside a surrogate pair), ending in "…" when cut. */
export function cutText(s: string, max: number): string {
  if (s.length <= max || charCount(s) <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (++n >= max) break;
    out += ch;
  }
  return `${out}…`;
}
