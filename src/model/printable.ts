/**
 * Printable text: what every string from a producer becomes where it enters (decode and ingest),
 * so that no output (dashboard, headless lines, JSON, SVG) needs a sanitiser of its own.
 *
 * Names that key state (run, producer, layer) are checked, never rewritten: rewriting could make
 * two runs one. The decoder rejects a name that is not printable (isPrintableName). Free text
 * (class names, model, reasons quoting producer bytes) is cleaned with toPrintable.
 *
 * A class name, run name or alert message comes from the network. Drawn verbatim, an escape
 * sequence in it could move the cursor, retitle the window, rewrite the clipboard (OSC 52) or,
 * through blessed's `{red-fg}` tags, restyle the screen. So we remove:
 * - ESC-introduced sequences whole (CSI `ESC [ ... final`, OSC/DCS/APC/PM/SOS strings up to their
 *   terminator, and two-character `ESC x` escapes), so no parameter residue is left behind;
 * - the 8-bit C1 controls (U+0080-U+009F; U+009B is a one-byte CSI on some terminals), with the
 *   string that an 8-bit OSC/DCS/etc. introduces;
 * - remaining C0 controls and DEL (tab, CR and LF become one space so words stay apart);
 * - Unicode bidi overrides/isolates and line/paragraph separators, which can reorder or break
 *   what is displayed;
 * - blessed tag braces `{` and `}`.
 */

// Ordered alternatives: a string-type sequence (OSC, DCS, SOS, PM, APC; 7-bit or 8-bit introducer)
// running to BEL or ST (or the end of the text, when unterminated); a CSI with its parameters;
// any other escape (ESC, intermediates 0x20-0x2f, one final byte), e.g. `ESC ( B`;
// a lone ESC.
const SEQUENCE = new RegExp(
  [
    '(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)',
    '(?:\\x1b\\[|\\x9b)[\\x20-\\x3f]*[\\x40-\\x7e]?',
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?',
  ].join('|'),
  'g',
);
const WHITESPACE_CONTROLS = /[\t\n\r\v\f]+/g;
// C0 (minus what became spaces), DEL, C1, bidi controls, LS/PS, and blessed's tag braces.
const UNSAFE_CHARS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029{}]/g;

declare const printable: unique symbol;
/** A string with no control characters, escape sequences, bidi controls or tag braces. */
export type Printable = string & { readonly [printable]: true };

/**
 * Strip control characters, escape sequences and blessed tag braces from a producer string.
 * @param s any string (non-strings are converted with String()).
 * @returns text that contains only printable characters.
 */
export function toPrintable(s: string): Printable {
  const text = typeof s === 'string' ? s : String(s);
  return text.replace(SEQUENCE, '').replace(WHITESPACE_CONTROLS, ' ').replace(UNSAFE_CHARS, '') as Printable;
}

// Every character toPrintable would remove or change, but for tag braces: names are drawn as cells,
// never as blessed tag markup, and `exp{lr=0.1}` is a fair run name.
const NOT_IN_NAME = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
// Half of a surrogate pair on its own (a JSON "\ud800" escape): no character at all, and printed
// as U+FFFD, so two different names would look the same.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * True when s has no character that could drive a terminal or reorder text, and no unpaired
 * surrogate: the rule for names that key state.
 */
export function isPrintableName(s: string): s is Printable {
  return !NOT_IN_NAME.test(s) && !UNPAIRED_SURROGATE.test(s);
}

/** Text built only from printable parts and numbers (an alert message, a reason we wrote). */
export function printableOf(s: string): Printable {
  return toPrintable(s);
}

// Characters a quotation shows as \uXXXX: controls, bidi controls, line/paragraph separators.
const ESCAPED_IN_QUOTE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const escapeOne = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A producer string shown inside a message we write (a reject reason): every character that could
 * drive a terminal is shown as \uXXXX, so the reader sees what was sent and the message stays
 * printable. Cut to `max` characters.
 */
export function visibleText(s: string, max = 64): Printable {
  return s.slice(0, max).replace(ESCAPED_IN_QUOTE, escapeOne) as Printable;
}

/** A producer value as JSON in a message (JSON escapes C0 itself; C1 and bidi are escaped too). */
export function visibleJson(v: unknown, max = 64): Printable {
  return (JSON.stringify(v) ?? String(v)).slice(0, max).replace(ESCAPED_IN_QUOTE, escapeOne) as Printable;
}
