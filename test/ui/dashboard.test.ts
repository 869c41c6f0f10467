/**
 * The Dashboard in process, on an in-memory terminal: what it writes, keys, resize, quit, and
 * terminal fallback. (The same behaviour in a real terminal: dashboard-tmux.test.ts.)
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dashboard, type DashboardOptions } from '../../src/ui/dashboard.js';
import { OffscreenInput, OffscreenOutput } from '../helpers/offscreen-terminal.js';
import { terminalColors } from '../../src/ui/terminal-screen.js';
import { ALERT_MESSAGE, fixtureEvents } from './fixtures/fixture-events.js';

function open(opts: Partial<DashboardOptions> = {}, cols = 120, rows = 40) {
  const output = new OffscreenOutput(cols, rows);
  const input = new OffscreenInput();
  const dash = new Dashboard({ input, output, terminal: 'xterm-256color', env: {}, ascii: false, ...opts });
  return { dash, input, output };
}

/** Poll until `ok` holds (deadline 10 s: the machine may be busy), instead of fixed sleeps. */
async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Wait for the next painted frame. */
async function nextFrame(dash: Dashboard): Promise<void> {
  const n = dash.paints;
  await until('a frame', () => dash.paints > n);
}

test('renders every panel once for a burst of events, then stays idle', async (t) => {
  const { dash, output } = open();
  t.teardown(() => dash.close());
  await until('the first frame', () => dash.paints >= 1);
  const before = dash.paints;
  for (const ev of fixtureEvents(3)) dash.handle(ev);
  t.is(dash.paints, before, 'no synchronous paint per event');
  await nextFrame(dash);
  await sleep(300);
  t.is(dash.paints, before + 1, 'the burst coalesced into one frame');
  const text = output.text();
  t.regex(text, /[\u2801-\u28ff]/, 'braille dots');
  for (const s of ['0 zero', '3 threered-fg', ALERT_MESSAGE, 'train 0.5000', 'nn15', 'epoch 3/3']) t.true(text.includes(s), s);
  t.false(text.includes('pwned'), 'the hostile class name was sanitised');
  t.regex(text, /\x1b\[[0-9;]*38;5;39m/, 'class 0 in 256-colour blue');
  await sleep(400);
  t.is(dash.paints, before + 1, 'no frames while nothing changes');
});

test('keys drive the view; q restores the terminal and calls onQuit', async (t) => {
  const { dash, input, output } = open();
  let quits = 0;
  dash.onQuit(() => quits++);
  for (const ev of fixtureEvents(3)) dash.handle(ev);
  input.write('c');
  t.is(dash.scatter.coloring, 'prediction');
  input.write('b');
  t.true(dash.scatter.background);
  input.write('+');
  t.is(dash.scatter.view.zoom, 1.25);
  input.write('-');
  input.write('-');
  t.is(dash.scatter.view.zoom, 0.8);
  input.write('r');
  t.is(dash.scatter.view.zoom, 1);
  input.write('\x1b[D'); // left arrow
  t.is(dash.state.displayedEpoch(), 2);
  input.write('p');
  t.true(dash.state.paused);
  input.write('f');
  t.true(dash.state.live);
  input.write('?');
  await until('the help overlay', () => dash.snapshot().join('\n').includes('SentryCam dashboard keys'));
  output.clearText();
  input.write('q');
  t.is(quits, 1);
  t.true(output.text().includes('\x1b[?1049l'), 'left the alternate screen');
  t.true(output.text().includes('\x1b[?25h'), 'cursor shown again');
  t.false(input.isRaw, 'raw mode off');
  input.write('q');
  t.is(quits, 1, 'closed: keys are ignored');
});

test('a resize re-lays out at the new size', async (t) => {
  const { dash, output } = open();
  t.teardown(() => dash.close());
  for (const ev of fixtureEvents(2)) dash.handle(ev);
  await until('the 120x40 frame', () => dash.snapshot()[1]?.includes('scatter e2'));
  // blessed re-lays out and redraws as soon as the output reports the new size.
  output.resize(60, 20);
  await until('the 60x20 frame', () => dash.snapshot().length === 20 && dash.snapshot()[1].includes('scatter e2'));
  // blessed flushes its output buffer on setImmediate: let earlier frames out before clearing.
  await new Promise((r) => setImmediate(r));
  output.clearText();
  dash.renderNow(true);
  const text = output.text();
  const snap = dash.snapshot();
  t.is(snap.length, 20);
  t.true(snap.every((l) => l.length === 60));
  // The compact layout (60 < 72 columns) has no side column: the scatter frame spans the width.
  t.regex(snap[1], /^┌ scatter e2 · 600 pts · label ─+┐$/);
  t.regex(snap[19], /^└─+┘$/);
  t.true(text.includes('\x1b[20;1H'), 'drew the last row (20)');
  t.false(text.includes('\x1b[21;1H'), 'nothing below it');
});

test('an unknown TERM falls back instead of crashing, and keeps blessed noise off the screen', (t) => {
  const errors: unknown[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a);
  try {
    for (const terminal of ['no-such-terminal-xyz', 'screen-256color']) {
      const { dash } = open({ terminal });
      t.truthy(dash.terminfoErrors, `${terminal}: the problem is reported`);
      dash.close();
    }
  } finally {
    console.error = orig;
  }
  t.deepEqual(errors, [], 'nothing printed');
});

test('256 colours from the terminal name when blessed cannot read its description', (t) => {
  t.is(terminalColors(8, 'screen-256color', {}), 256);
  t.is(terminalColors(8, 'xterm', { COLORTERM: 'truecolor' }), 256);
  t.is(terminalColors(8, 'xterm', {}), 8);
  t.is(terminalColors(256, 'xterm-256color', {}), 256);
});

test('NO_COLOR and ascii: no colour codes, no braille', async (t) => {
  const { dash, output } = open({ env: { NO_COLOR: '1' }, ascii: true });
  t.teardown(() => dash.close());
  for (const ev of fixtureEvents(1)) dash.handle(ev);
  await until('the frame', () => dash.snapshot()[1]?.includes('scatter e1'));
  const text = output.text();
  t.false(/[\u2800-\u28ff]/.test(text));
  t.false(/\x1b\[[0-9;]*(38;5;\d+|3[0-7]|9[0-7])m/.test(text));
  t.regex(dash.snapshot()[1], /^\+ scatter e1 - 600 pts - label -+\+/);
});
