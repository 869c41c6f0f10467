import test from 'ava';
import { HELP_TITLE, KEYMAP, KEY_ACTIONS, helpText, keyBindings, type KeyRow } from '../../src/ui/keymap.js';
import { helpLines } from '../../src/ui/panels/help-overlay.js';

test('every action has a key and every bound key is shown in the help', (t) => {
  const bindings = keyBindings();
  t.deepEqual([...new Set(bindings.values())].sort(), [...KEY_ACTIONS].sort(), 'an action no key reaches, or a key for an unknown action');
  const help = helpText();
  t.is(help[0], HELP_TITLE);
  for (const row of KEYMAP) {
    t.true(
      help.some((l) => l.includes(row.label) && l.includes(row.help)),
      `help line for ${row.label}`,
    );
    t.true(Object.keys(row.bind).length > 0, `${row.label} binds a key`);
  }
});

test('the overlay shows the keymap text', (t) => {
  t.deepEqual(helpLines(), helpText());
});

test('known bindings: blessed names and typed characters', (t) => {
  const b = keyBindings();
  t.is(b.get('C-c'), 'quit');
  t.is(b.get('q'), 'quit');
  t.is(b.get('escape'), 'close-help');
  t.is(b.get('='), 'zoom-in');
  t.is(b.get('left'), 'older');
  t.is(b.get('end'), 'live');
  t.is(b.get('x'), undefined);
});

test('a key bound twice is refused by name', (t) => {
  const rows: KeyRow[] = [
    { label: 'p', help: 'pause', bind: { p: 'pause' } },
    { label: 'P', help: 'also pause', bind: { p: 'live' } },
  ];
  t.throws(() => keyBindings(rows), { message: /key "p" is bound twice/ });
});

test("Enter is bound once: blessed reports a CR as 'enter' and again as 'return' (the alert box opened and closed at once); the dashboard drops the 'enter'", (t) => {
  const b = keyBindings();
  t.is(b.get('return'), 'alert-details');
  t.is(b.get('enter'), undefined);
});
