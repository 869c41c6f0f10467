import test from 'ava';
import { charWidth, textWidth } from '../../src/ui/char-width.js';
import { createGrid, fitText, Painter, PLAIN } from '../../src/ui/cell-painter.js';
import { gridToText } from '../helpers/grid-text.js';

test('character widths: ASCII 1, CJK and emoji 2, combining marks 0', (t) => {
  t.is(charWidth('a'), 1);
  t.is(charWidth('é'), 1);
  t.is(charWidth('⣿'), 1, 'braille is narrow');
  t.is(charWidth('─'), 1);
  t.is(charWidth('猫'), 2);
  t.is(charWidth('가'), 2);
  t.is(charWidth('Ａ'), 2, 'fullwidth A');
  t.is(charWidth('🐱'), 2);
  t.is(charWidth('\u0301'), 0, 'combining acute');
  t.is(charWidth('\u200d'), 0, 'zero-width joiner');
  t.is(textWidth('cat 猫'), 6);
});

test('text puts a wide character in two cells and clips by width', (t) => {
  const g = createGrid(8, 1);
  const p = new Painter(g);
  t.is(p.text(0, 0, 'a猫b', PLAIN), 4);
  t.deepEqual(g[0].slice(0, 4).map((c) => c[1]), ['a', '猫', '', 'b']);
  const g2 = createGrid(8, 1);
  t.is(new Painter(g2).text(0, 0, 'ab猫', PLAIN, 3), 3, 'a wide char straddling the limit becomes a space');
  t.deepEqual(g2[0].slice(0, 4).map((c) => c[1]), ['a', 'b', ' ', ' ']);
  const g3 = createGrid(3, 1);
  t.is(new Painter(g3, { left: 0, top: 0, width: 2, height: 1 }).text(1, 0, '猫', PLAIN), 1, 'clip limits too');
  t.deepEqual(gridToText(g3), ['   ']);
});

test('combining marks join the previous cell', (t) => {
  const g = createGrid(4, 1);
  t.is(new Painter(g).text(0, 0, 'e\u0301x', PLAIN), 2);
  t.deepEqual(g[0].slice(0, 2).map((c) => c[1]), ['e\u0301', 'x']);
  const g2 = createGrid(4, 1);
  new Painter(g2).text(0, 0, '猫\u0301', PLAIN);
  t.deepEqual(g2[0].slice(0, 2).map((c) => c[1]), ['猫\u0301', '']);
});

test('fitText cuts by display width', (t) => {
  t.is(fitText('abcdef', 4), 'abc~');
  t.is(fitText('猫猫猫', 4), '猫~');
  t.is(fitText('猫猫', 4), '猫猫');
  t.is(fitText('x', 0), '');
});

test('frame draws borders with a title and returns the inside', (t) => {
  const g = createGrid(12, 3);
  const inner = new Painter(g).frame({ left: 0, top: 0, width: 12, height: 3 }, 'ab', PLAIN, PLAIN, false);
  t.deepEqual(inner, { left: 1, top: 1, width: 10, height: 1 });
  t.deepEqual(gridToText(g), ['┌ ab ──────┐', '│          │', '└──────────┘']);
  const a = createGrid(5, 2);
  new Painter(a).frame({ left: 0, top: 0, width: 5, height: 2 }, '', PLAIN, PLAIN, true);
  t.deepEqual(gridToText(a), ['+---+', '+---+']);
});

test('ASCII-only painting: one ? per cell of a non-ASCII character, marks dropped', (t) => {
  const g = createGrid(8, 1);
  t.is(new Painter(g, undefined, true).text(0, 0, 'é猫e\u0301!', PLAIN), 5);
  t.deepEqual(gridToText(g), ['???e!   ']);
});
