/** FORCE_COLOR, NO_COLOR and --no-color weighed the same way for the dashboard and headless text. */
import test from 'ava';
import { forcedColorLevel, textColor } from '../../src/util/color-env.js';
import { resolveColorMode } from '../../src/ui/palette.js';

test('FORCE_COLOR levels as Node and chalk read them', (t) => {
  t.is(forcedColorLevel({}), undefined);
  t.is(forcedColorLevel({ FORCE_COLOR: '0' }), 0);
  t.is(forcedColorLevel({ FORCE_COLOR: 'false' }), 0);
  t.is(forcedColorLevel({ FORCE_COLOR: '' }), 1);
  t.is(forcedColorLevel({ FORCE_COLOR: '1' }), 1);
  t.is(forcedColorLevel({ FORCE_COLOR: 'true' }), 1);
  t.is(forcedColorLevel({ FORCE_COLOR: '2' }), 2);
  t.is(forcedColorLevel({ FORCE_COLOR: '3' }), 3);
});

test('headless text: the flag wins, then FORCE_COLOR, then NO_COLOR, then a terminal', (t) => {
  t.true(textColor({}, true));
  t.false(textColor({}, false), 'a pipe gets plain text');
  t.false(textColor({}, true, false), '--no-color');
  t.false(textColor({ FORCE_COLOR: '1' }, true, false), '--no-color beats FORCE_COLOR');
  t.true(textColor({ FORCE_COLOR: '1' }, false), 'FORCE_COLOR colours a pipe');
  t.true(textColor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false), 'FORCE_COLOR beats NO_COLOR');
  t.false(textColor({ FORCE_COLOR: '0' }, true), 'FORCE_COLOR=0 turns a terminal off');
  t.false(textColor({ NO_COLOR: '1' }, true));
  t.true(textColor({ NO_COLOR: '' }, true), 'empty NO_COLOR is ignored');
});

test('dashboard palette: --no-color (request 0) wins, FORCE_COLOR sets the mode past the terminal, then NO_COLOR', (t) => {
  t.is(resolveColorMode({ FORCE_COLOR: '3' }, 256, 0), 0);
  t.is(resolveColorMode({ FORCE_COLOR: '1' }, 256), 16);
  t.is(resolveColorMode({ FORCE_COLOR: '2' }, 8), 256);
  t.is(resolveColorMode({ FORCE_COLOR: '0' }, 256), 0);
  t.is(resolveColorMode({ FORCE_COLOR: '2', NO_COLOR: '1' }, 256), 256);
  t.is(resolveColorMode({ NO_COLOR: '1' }, 256), 0);
  t.is(resolveColorMode({}, 256), 256);
});
