/**
 * End to end in a real terminal: the Dashboard runs in tmux (UTF-8 locale, fixed size), is fed
 * the fixture events, and the pane capture must show every panel with the expected content;
 * after a resize everything is redrawn within the new bounds; keys work; q exits 0 with the
 * terminal restored.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { textWidth } from '../../src/ui/char-width.js';
import { computeLayout, type Rect } from '../../src/ui/layout-math.js';
import { ALERT_MESSAGE, SAFE_CLASS_3 } from './fixtures/fixture-events.js';
import { TmuxSession } from './fixtures/tmux.js';
import { requireSystem } from '../helpers/system.js';
import { countBrailleCells } from '../helpers/braille-count.js';

requireSystem(['tmux']);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FEED = ['node', '--import', 'tsx', 'test/ui/fixtures/feed-dashboard.ts'];

/** Braille cells with at least one dot. */

/** The text inside a rectangle of the capture (lines padded, since tmux trims trailing blanks). */
function region(lines: string[], r: Rect): string[] {
  return lines.slice(r.top, r.top + r.height).map((l) => [...l.padEnd(r.left + r.width)].slice(r.left, r.left + r.width).join(''));
}

const charAt = (lines: string[], x: number, y: number): string => [...(lines[y] ?? '').padEnd(x + 1)][x];

/** Whether a panel's frame corners sit exactly on its rectangle. */
function frameOk(lines: string[], r: Rect, ascii = false): boolean {
  const [tl, tr, bl, br] = ascii ? ['+', '+', '+', '+'] : ['┌', '┐', '└', '┘'];
  const right = r.left + r.width - 1;
  const bottom = r.top + r.height - 1;
  return charAt(lines, r.left, r.top) === tl && charAt(lines, right, r.top) === tr && charAt(lines, r.left, bottom) === bl && charAt(lines, right, bottom) === br;
}

const PANELS = ['scatter', 'alerts', 'legend', 'metrics', 'gauge', 'loss'] as const;

/** Check a panel's frame corners sit exactly on its rectangle. */
function assertFrame(t: import('ava').ExecutionContext, lines: string[], r: Rect, name: string, ascii = false): void {
  const [tl, tr, bl, br] = ascii ? ['+', '+', '+', '+'] : ['┌', '┐', '└', '┘'];
  const right = r.left + r.width - 1;
  const bottom = r.top + r.height - 1;
  t.is(charAt(lines, r.left, r.top), tl, `${name} top-left`);
  t.is(charAt(lines, right, r.top), tr, `${name} top-right`);
  t.is(charAt(lines, r.left, bottom), bl, `${name} bottom-left`);
  t.is(charAt(lines, right, bottom), br, `${name} bottom-right`);
}

for (const term of ['xterm-256color', 'screen-256color']) {
  test.serial(`${term}: all panels, resize, keys, quit restores the terminal`, async (t) => {
    const s = new TmuxSession(FEED, { cols: 120, rows: 40, term, cwd: ROOT });
    t.teardown(() => s.kill());

    const L = computeLayout(120, 40, 4);
    const lines = await s.waitFor('the alert log and every frame', (l) => l.join('\n').includes(ALERT_MESSAGE) && PANELS.every((name) => frameOk(l, L[name]!)));
    const all = lines.join('\n');
    t.is(lines.length, 40);
    // Status line.
    for (const part of ['LIVE', 'run demo-run', 'epoch 3/3', 'layer fc2', 'lost 2', 'engine idle', 'colour label']) {
      t.true(lines[0].includes(part), `status has "${part}": ${lines[0]}`);
    }
    // Scatter: braille dots in each quadrant (four clusters at the corners).
    assertFrame(t, lines, L.scatter!, 'scatter');
    const sc = region(lines, { left: L.scatter!.left + 1, top: L.scatter!.top + 1, width: L.scatter!.width - 2, height: L.scatter!.height - 2 });
    const halfW = Math.floor(sc[0].length / 2);
    const halfH = Math.floor(sc.length / 2);
    const quad = (x0: number, x1: number, y0: number, y1: number): number =>
      countBrailleCells(sc.slice(y0, y1).map((l) => [...l].slice(x0, x1).join('')).join(''));
    for (const [name, q] of [
      ['top-left', quad(0, halfW, 0, halfH)],
      ['top-right', quad(halfW, sc[0].length, 0, halfH)],
      ['bottom-left', quad(0, halfW, halfH, sc.length)],
      ['bottom-right', quad(halfW, sc[0].length, halfH, sc.length)],
    ] as const) {
      t.true(q >= 20, `${name} quadrant has braille dots (${q})`);
    }
    t.true(lines[L.scatter!.top].includes('scatter e3'), 'scatter title names the epoch');
    // Legend with sanitised names: the hostile escape sequence never reached the terminal.
    const legend = region(lines, L.legend!).join('\n');
    for (const name of ['0 zero', '1 one', '2 two', `3 ${SAFE_CLASS_3}`]) t.true(legend.includes(name), `legend has ${name}`);
    // The wide character in class 1's name takes two columns and the border stays in place.
    const row1 = lines[L.legend!.top + 2];
    t.true(row1.includes('1 one 猫'));
    t.is(textWidth(row1.trimEnd()), L.legend!.left + L.legend!.width, 'legend border at the right column despite 猫');
    t.false(all.includes('pwned'));
    t.not(s.format('#{pane_title}'), 'pwned', 'the OSC title sequence was not passed through');
    // Metrics, gauge, loss sparklines.
    const metrics = region(lines, L.metrics!).join('\n');
    t.regex(metrics, /nn15 +0\.442/);
    t.regex(metrics, /update_ms +643/);
    const gauge = region(lines, L.gauge!);
    t.regex(gauge[1], /sample +█+░+ +0\.30/);
    t.regex(gauge[2], /density +█+░+ +0\.82/);
    const loss = region(lines, L.loss!).join('\n');
    t.regex(loss, /train 0\.5000/);
    t.regex(loss, /val 0\.6000/);
    t.regex(loss, /[▁▂▃▄▅▆▇█]/);
    // Alert log: newest first, timestamped.
    const alerts = region(lines, L.alerts!);
    t.regex(alerts[1], new RegExp(`\\d\\d:\\d\\d:\\d\\d C geometry e3: ${ALERT_MESSAGE}`));
    t.regex(alerts[2], /silence: p0 quiet for 30 s/);
    t.regex(alerts[4], /reject bad_magic from p0/);
    // Colours: 256-colour SGR codes are in use.
    t.regex(s.captureEscapes(), /\x1b\[[0-9;]*38;5;\d+/);

    // Resize: everything redrawn inside 80x24.
    s.resize(80, 24);
    const S = computeLayout(80, 24, 4);
    // Poll until the whole new frame is out (a capture can catch tmux mid-way through it).
    const small = await s.waitFor('the 80x24 layout', (l) => l.length === 24 && PANELS.every((name) => frameOk(l, S[name]!)) && l[0].includes('LIVE'));
    t.true(small.every((l) => [...l].length <= 80));
    for (const name of PANELS) assertFrame(t, small, S[name]!, name);
    t.true(countBrailleCells(region(small, S.scatter!).join('')) >= 40, 'scatter redrawn at the new size');
    t.true(small[0].includes('LIVE') && small[0].includes('epoch 3/3'));
    t.true(region(small, S.alerts!).join('\n').includes('C geometry e3'));
    t.true(region(small, S.legend!).join('\n').includes('0 zero'));

    // Keys: help overlay, colouring, time travel, back to live.
    s.send('?');
    await s.waitFor('the help overlay', (l) => l.join('\n').includes('SentryCam dashboard keys'));
    s.send('?');
    await s.waitFor('help closed', (l) => !l.join('\n').includes('SentryCam dashboard keys'));
    s.send('c');
    await s.waitFor('prediction colouring', (l) => l[S.scatter!.top].includes('· prediction'));
    s.send('Left');
    await s.waitFor('time travel to epoch 2', (l) => l[0].includes('HISTORY') && l[0].includes('epoch 2/3'));
    s.send('f');
    await s.waitFor('back to live', (l) => l[0].includes('LIVE') && l[0].includes('epoch 3/3'));

    // Quit: exit status 0, alternate screen left, cursor visible again.
    s.send('q');
    await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='));
    t.true(s.capture().join('\n').includes('EXIT=0'));
    t.is(s.format('#{alternate_on}'), '0');
    t.is(s.format('#{cursor_flag}'), '1');
    t.false(s.capture().join('\n').includes('scatter'), 'the dashboard is gone from the screen');
  });
}

test.serial('--ascii and NO_COLOR: ASCII scatter and frames, no colour codes', async (t) => {
  const s = new TmuxSession([...FEED, '--ascii'], { cols: 100, rows: 30, term: 'xterm-256color', cwd: ROOT, env: { NO_COLOR: '1' } });
  t.teardown(() => s.kill());
  const L = computeLayout(100, 30, 4);
  const lines = await s.waitFor('the alert log and every frame', (l) => l.join('\n').includes(ALERT_MESSAGE) && PANELS.every((name) => frameOk(l, L[name]!, true)));
  const all = lines.join('\n');
  t.is(countBrailleCells(all), 0, 'no braille');
  t.false(/[─│┌┐└┘█░▁▂▃▄▅▆▇■]/.test(all), 'no box-drawing or block characters');
  for (const name of ['scatter', 'alerts', 'legend', 'metrics', 'gauge', 'loss'] as const) assertFrame(t, lines, L[name]!, name, true);
  const sc = region(lines, L.scatter!).join('');
  t.true((sc.match(/[.':#]/g) ?? []).length >= 40, 'ASCII dots in the scatter');
  t.true(lines[0].includes('LIVE | run demo-run'));
  t.regex(region(lines, L.gauge!)[1], /sample +#+\.+ +0\.30/);
  t.false(/\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+)m/.test(s.captureEscapes()), 'no foreground colour codes');
  s.send('C-c');
  await s.waitFor('the exit status', (l) => l.join('\n').includes('EXIT='));
  t.true(s.capture().join('\n').includes('EXIT=0'));
  t.is(s.format('#{alternate_on}'), '0');
});
