import test from 'ava';
import fc from 'fast-check';
import { isPrintableName, toPrintable as printable } from '../../src/model/printable.js';

const toPrintable = (s: string): string => printable(s);

test('plain text, accents, CJK and braille pass unchanged', (t) => {
  for (const s of ['cat', 'Größe é', '猫', '⣿ dots', 'a-b_c.d 1/2']) t.is(toPrintable(s), s);
});

test('escape sequences are removed whole, with their parameters', (t) => {
  t.is(toPrintable('\x1b[31mred\x1b[0m'), 'red');
  t.is(toPrintable('a\x1b[2J\x1b[Hb'), 'ab');
  t.is(toPrintable('\x1b]0;pwned\x07title'), 'title', 'OSC with BEL');
  t.is(toPrintable('\x1b]52;c;Zm9v\x1b\\x'), 'x', 'OSC 52 clipboard write with ST');
  t.is(toPrintable('\x1bP1$tx\x1b\\ok'), 'ok', 'DCS');
  t.is(toPrintable('\x1b(Bz'), 'z', 'charset designation');
  t.is(toPrintable('\x1b7\x1b8q'), 'q', 'save/restore cursor');
  t.is(toPrintable('\x9b31mC1\x9b0m'), 'C1', '8-bit CSI');
  t.is(toPrintable('\x9d0;x\x9cy'), 'y', '8-bit OSC with 8-bit ST');
  t.is(toPrintable('tail\x1b]0;never terminated'), 'tail', 'unterminated OSC swallows the rest');
  t.is(toPrintable('end\x1b'), 'end', 'lone ESC');
});

test('control characters go, whitespace controls become a space', (t) => {
  t.is(toPrintable('a\x00b\x07c\x7fd\x85e'), 'abcde');
  t.is(toPrintable('two\nlines\tand\r\ncr'), 'two lines and cr');
  t.is(toPrintable('x\u202eevil\u202cy'), 'xevily', 'bidi override');
  t.is(toPrintable('p\u2028q'), 'pq', 'line separator');
});

test('blessed tag braces are stripped', (t) => {
  t.is(toPrintable('{red-fg}three{/red-fg}'), 'red-fgthree/red-fg');
  t.is(toPrintable('{{}}'), '');
});

test('property: the output never holds a control char, ESC or brace, and is idempotent', (t) => {
  const bad = /[\x00-\x1f\x7f-\x9f{}\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const out = toPrintable(s);
      return !bad.test(out) && toPrintable(out) === out;
    }),
    { seed: 42, numRuns: 2000 },
  );
  t.pass();
});

test('a name is printable as it stands when it holds no control, bidi or separator character', (t) => {
  for (const s of ['run-1', 'exp{lr=0.1}', 'Größe', '猫']) t.true(isPrintableName(s), s);
  for (const s of ['a\x1bb', 'a\x85', 'x\u202ey', 'p\u2028q', 'tab\there']) t.false(isPrintableName(s), JSON.stringify(s));
});
