/**
 * On a real terminal (tmux) --json and --alerts-only print lines instead of drawing the dashboard
 * (they used to be ignored there); headless text is coloured on a terminal or under FORCE_COLOR,
 * never with --no-color/--monochrome, never as JSON.
 */
import test from 'ava';
import path from 'node:path';
import { TmuxSession } from '../ui/fixtures/tmux.js';
import { runCli, ROOT } from './cli-process.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['tmux']);

const FIXTURE = path.join(ROOT, 'fixtures/runs/torch-mlp-digits-narrow-lr-s2.scamrec.gz');
const BIN = path.join(ROOT, 'bin/sentrycam.js');
const ESC = '\u001b[';

async function inTerminal(t: { teardown(fn: () => void): void }, args: readonly string[], env: Record<string, string> = {}): Promise<TmuxSession> {
  const s = new TmuxSession([process.execPath, BIN, ...args], { cols: 200, rows: 50, term: 'xterm-256color', cwd: ROOT, env });
  t.teardown(() => s.kill());
  // A dashboard would stay up until q; lines end with the file.
  await s.waitFor('EXIT=', (lines) => lines.some((l) => l.startsWith('EXIT=')), 120_000);
  return s;
}

test.serial('--json on a terminal prints JSON lines and ends with the replay', async (t) => {
  const s = await inTerminal(t, ['replay', FIXTURE, '--json', '--no-engine']);
  const lines = s.capture();
  t.true(lines.includes('EXIT=0'));
  t.true(lines.some((l) => l.startsWith('{"event":"summary"')), lines.join('\n'));
  t.false(s.captureEscapes().includes(`${ESC}3`), 'JSON is never coloured');
});

test.serial('--alerts-only on a terminal prints coloured alert lines; --monochrome and NO_COLOR plain', async (t) => {
  const coloured = await inTerminal(t, ['replay', FIXTURE, '--alerts-only', '--no-engine']);
  const lines = coloured.capture().filter((l) => l.trim());
  t.is(lines.at(-1), 'EXIT=0');
  t.is(lines.filter((l) => l.startsWith('ALERT ')).length, 5, lines.join('\n'));
  t.false(lines.some((l) => /^(listening|hello|epoch|metrics|end|summary) /.test(l)), 'alert lines only');
  t.true(coloured.captureEscapes().includes(`${ESC}31m`), 'critical alerts in bold red');
  for (const [args, env] of [[['--monochrome'], {}], [['--no-color'], {}], [[], { NO_COLOR: '1' }]] as const) {
    const plain = await inTerminal(t, ['replay', FIXTURE, '--alerts-only', '--no-engine', ...args], env);
    t.true(plain.capture().some((l) => l.startsWith('ALERT   CRITICAL')));
    t.false(plain.captureEscapes().includes(`${ESC}31m`), `${args.join(' ')} ${JSON.stringify(env)}`);
  }
});

test.serial('FORCE_COLOR colours headless text on a pipe; --no-color still wins', async (t) => {
  const forced = runCli(['replay', FIXTURE, '--alerts-only', '--no-engine'], undefined, { FORCE_COLOR: '1' });
  t.is(await forced.exit(120_000), 0);
  t.regex(forced.stdout(), /^\u001b\[1;31mALERT {3}CRITICAL collapse .*\u001b\[0m$/m);
  const off = runCli(['replay', FIXTURE, '--alerts-only', '--no-engine', '--no-color'], undefined, { FORCE_COLOR: '1' });
  t.is(await off.exit(120_000), 0);
  t.regex(off.stdout(), /^ALERT {3}CRITICAL collapse/m);
  t.false(off.stdout().includes(ESC));
});

/** Starts a replay on the dashboard (it stays up) and returns its escapes once the run is shown. */
async function dashboardEscapes(t: { teardown(fn: () => void): void }, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const s = new TmuxSession([process.execPath, BIN, 'replay', FIXTURE, '--no-engine', '--speed', '0', ...args], { cols: 120, rows: 36, term: 'xterm-256color', cwd: ROOT, env });
  t.teardown(() => s.kill());
  await s.waitFor('the run on the dashboard', (lines) => lines.join('\n').includes('torch-mlp-digits-narrow-lr-s2') && lines.join('\n').includes('collapse'), 120_000);
  const escapes = s.captureEscapes();
  s.send('q');
  await s.waitFor('the exit status', (l) => l.some((x) => x.startsWith('EXIT=')), 60_000);
  return escapes;
}

const FG_256 = /\x1b\[[0-9;]*38;5;\d+[;m]/;
const FG_ANY = /\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;5;\d+)m/;

test.serial('the dashboard: 256 colours by default, none with --monochrome, 16 with FORCE_COLOR=1', async (t) => {
  t.regex(await dashboardEscapes(t, []), FG_256);
  t.notRegex(await dashboardEscapes(t, ['--monochrome']), FG_ANY);
  const sixteen = await dashboardEscapes(t, [], { FORCE_COLOR: '1' });
  t.regex(sixteen, FG_ANY);
  t.notRegex(sixteen, FG_256);
});
