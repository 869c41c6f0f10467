/**
 * The point inspector in process: a mouse report on the scatter selects exactly the point nearest
 * to the clicked cell's centre; arrows move the cursor; `/` finds an id; the terminal is asked for
 * button reports at start and told to stop at close.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dashboard } from '../../src/ui/dashboard.js';
import { OffscreenInput, OffscreenOutput } from '../helpers/offscreen-terminal.js';
import { computeLayout } from '../../src/ui/layout-math.js';
import { fromDot } from '../../src/ui/viewport.js';
import { nearestRow } from '../../src/inspect/sample-facts.js';
import { fixtureEvents } from './fixtures/fixture-events.js';

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('mouse, arrows and / select points; mouse reports are switched on and off', async (t) => {
  const output = new OffscreenOutput(120, 40);
  const input = new OffscreenInput();
  const dash = new Dashboard({ input, output, terminal: 'xterm-256color', env: {}, ascii: false });
  t.teardown(() => dash.close());
  for (const ev of fixtureEvents(3)) dash.handle(ev);
  await until('a frame with the scatter', () => dash.scatter.lastTransform !== null);
  t.regex(output.text(), /\x1b\[\?1000h/, 'button reports asked for');
  t.regex(output.text(), /\x1b\[\?1006h/, 'in SGR encoding');

  const L = computeLayout(120, 40, 4);
  const inner = { left: L.scatter!.left + 1, top: L.scatter!.top + 1 };
  const layout = dash.state.displayedLayout()!;
  const expectAt = (col: number, row: number): number => {
    const p = fromDot(dash.scatter.lastTransform!, col * 2 + 1, row * 4 + 2);
    return layout.ids[nearestRow(layout, p.x, p.y)];
  };
  // A press at screen cell (30, 12): SGR reports are 1-based.
  input.write('\x1b[<0;31;13M');
  await until('the click handled', () => dash.inspector.active);
  t.is(dash.inspector.col, 30 - inner.left);
  t.is(dash.inspector.row, 12 - inner.top);
  t.is(dash.inspector.selectedId, expectAt(30 - inner.left, 12 - inner.top));
  // A click outside the scatter changes nothing.
  input.write('\x1b[<0;110;3M');
  await sleep(50);
  t.is(dash.inspector.col, 30 - inner.left);

  input.write('\x1b[C'); // Right
  await until('the cursor moved', () => dash.inspector.col === 31 - inner.left);
  t.is(dash.inspector.selectedId, expectAt(31 - inner.left, 12 - inner.top));
  t.is(dash.state.viewEpoch, null, 'in select mode the arrows do not time-travel');

  input.write('/');
  input.write('1');
  input.write('2');
  input.write('\r');
  await until('id 12 selected', () => dash.inspector.selectedId === 12);
  t.false(dash.state.alertOpen, "the Enter that ended the id is not also the alert box's Enter");
  dash.renderNow();
  t.true(dash.snapshot().some((l) => /id 12 · label \d/.test(l)), 'the inspector panel names it');

  // m walks the moved-most list (epoch 2 -> 3 of the fixture).
  const moved = dash.snapshot().join('\n');
  const list = [...moved.matchAll(/id (\d+) (\d\.\d{3})/g)].map((m) => Number(m[1]));
  t.true(list.length >= 2, moved);
  input.write('m');
  await until('the top mover selected', () => dash.inspector.selectedId === list[0]);
  input.write('m');
  await until('the next one', () => dash.inspector.selectedId === list[1]);

  // An id the epoch on display does not hold is said so.
  for (const ch of '/99999\r') input.write(ch);
  await until('id 99999 selected', () => dash.inspector.selectedId === 99999);
  dash.renderNow();
  t.true(dash.snapshot().some((l) => l.includes('id 99999 is not in epoch 3')));

  input.write('\x1b');
  await until('select mode left', () => !dash.inspector.active);
  dash.close();
  t.regex(output.text(), /\x1b\[\?1000l/, 'button reports switched off at close');
});

test('Enter toggled twice (blessed reports one CR as enter and return): one Enter now opens the alert box once', async (t) => {
  const output = new OffscreenOutput(120, 40);
  const input = new OffscreenInput();
  const dash = new Dashboard({ input, output, terminal: 'xterm-256color', env: {}, ascii: false });
  t.teardown(() => dash.close());
  for (const ev of fixtureEvents(3)) dash.handle(ev);
  input.write('[');
  await until('an alert selected', () => dash.state.selectedAlert !== null);
  input.write('\r');
  await until('the box open', () => dash.state.alertOpen);
  await sleep(50);
  t.true(dash.state.alertOpen, 'still open: not toggled twice');
  input.write('\r');
  await until('closed by the next Enter', () => !dash.state.alertOpen);
});
