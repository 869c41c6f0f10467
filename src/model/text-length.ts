/**
 * Lengths of producer text in characters (Unicode code points), the unit the protocol's limits
 * are stated in: `'😀'.length` is 2 in JavaScript, but a Python producer's len() says 1, and a run
 * name of 128 such characters conforms.
 */

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
