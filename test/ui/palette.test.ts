import test from 'ava';
import { createPalette, DEFAULT_COLOR, FLAG_BOLD, FLAG_UNDERLINE, packAttr, resolveColorMode } from '../../src/ui/palette.js';

test('NO_COLOR (present and non-empty) wins over the terminal and any request', (t) => {
  t.is(resolveColorMode({ NO_COLOR: '1' }, 256), 0);
  t.is(resolveColorMode({ NO_COLOR: '1' }, 256, 256), 0);
  t.is(resolveColorMode({ NO_COLOR: '' }, 256), 256, 'empty NO_COLOR is ignored');
});

test('colour mode follows the terminal and never exceeds it', (t) => {
  t.is(resolveColorMode({}, 256), 256);
  t.is(resolveColorMode({}, 88), 16);
  t.is(resolveColorMode({}, 8), 16);
  t.is(resolveColorMode({}, 2), 0);
  t.is(resolveColorMode({}, 256, 16), 16);
  t.is(resolveColorMode({}, 8, 256), 16);
  t.is(resolveColorMode({}, 256, 0), 0);
});

test('256, 16 and 0 colour palettes', (t) => {
  const p256 = createPalette(256);
  const p16 = createPalette(16);
  const p0 = createPalette(0);
  const first10 = Array.from({ length: 10 }, (_, i) => p256.classColor(i));
  t.is(new Set(first10).size, 10, 'ten distinct class colours');
  t.true(first10.every((c) => c >= 16 && c < 256));
  t.is(p256.classColor(20), p256.classColor(0), 'cycles after 20');
  t.true(Array.from({ length: 10 }, (_, i) => p16.classColor(i)).every((c) => c >= 0 && c < 16));
  t.true(p16.severityColor('critical') < 16);
  for (const c of [p0.classColor(3), p0.regionColor(1), p0.correct, p0.wrong, p0.severityColor('critical'), p0.dim]) t.is(c, DEFAULT_COLOR);
  t.is(p256.classColor(-1), DEFAULT_COLOR, 'no class, no colour');
  t.not(p256.correct, p256.wrong);
});

test('packed attributes use blessed screen-buffer layout', (t) => {
  t.is(packAttr(39), (39 << 9) | 0x1ff);
  t.is(packAttr(39, 17, FLAG_BOLD | FLAG_UNDERLINE), (3 << 18) | (39 << 9) | 17);
});
