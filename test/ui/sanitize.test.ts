import test from 'ava';
import fc from 'fast-check';
import { sanitizeText } from '../../src/model/printable.js';

test('plain text, accents, CJK and braille pass unchanged', (t) => {
  for (const s of ['cat', 'Größe é', '猫', '⣿ dots', 'a-b_c.d 1/2']) t.is(sanitizeText(s), s);
});

test('escape sequences are removed whole, with their parameters', (t) => {
  t.is(sanitizeText('\x1b[31mred\x1b[0m'), 'red');
  t.is(sanitizeText('a\x1b[2J\x1b[Hb'), 'ab');
  t.is(sanitizeText('\x1b]0;pwned\x07title'), 'title', 'OSC with BEL');
  t.is(sanitizeText('\x1b]52;c;Zm9v\x1b\\x'), 'x', 'OSC 52 clipboard write with ST');
  t.is(sanitizeText('\x1bP1$tx\x1b\\ok'), 'ok', 'DCS');
  t.is(sanitizeText('\x1b(Bz'), 'z', 'charset designation');
  t.is(sanitizeText('\x1b7\x1b8q'), 'q', 'save/restore cursor');
  t.is(sanitizeText('\x9b31mC1\x9b0m'), 'C1', '8-bit CSI');
  t.is(sanitizeText('\x9d0;x\x9cy'), 'y', '8-bit OSC with 8-bit ST');
  t.is(sanitizeText('tail\x1b]0;never terminated'), 'tail', 'unterminated OSC swallows the rest');
  t.is(sanitizeText('end\x1b'), 'end', 'lone ESC');
});

test('control characters go, whitespace controls become a space', (t) => {
  t.is(sanitizeText('a\x00b\x07c\x7fd\x85e'), 'abcde');
  t.is(sanitizeText('two\nlines\tand\r\ncr'), 'two lines and cr');
  t.is(sanitizeText('x\u202eevil\u202cy'), 'xevily', 'bidi override');
  t.is(sanitizeText('p\u2028q'), 'pq', 'line separator');
});

test('blessed tag braces are stripped', (t) => {
  t.is(sanitizeText('{red-fg}three{/red-fg}'), 'red-fgthree/red-fg');
  t.is(sanitizeText('{{}}'), '');
});

test('property: the output never holds a control char, ESC or brace, and is idempotent', (t) => {
  const bad = /[\x00-\x1f\x7f-\x9f{}\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const out = sanitizeText(s);
      return !bad.test(out) && sanitizeText(out) === out;
    }),
    { seed: 42, numRuns: 2000 },
  );
  t.pass();
});
