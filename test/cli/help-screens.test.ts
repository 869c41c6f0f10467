/**
 * Help screens as a user sees them at 80 columns: -h/-V/bare work, every option sits in a named
 * group in the documented order, and no word is cut at the wrap (yargs' ESM build cut "te/rminal").
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, ROOT } from './cli-process.js';
import { HELP_GROUPS } from '../../src/cli/help-groups.js';

const COMMANDS = ['watch', 'replay', 'inspect', 'demo', 'eval', 'export', 'audit'] as const;

/** Every word our sources and yargs' English strings contain: a cut word's halves are not among them. */
function knownWords(): Set<string> {
  const texts = [path.join(ROOT, 'src/cli'), path.join(ROOT, 'src/audit'), path.join(ROOT, 'src/ingest')].flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(d, f), 'utf8')));
  texts.push(fs.readFileSync(path.join(ROOT, 'node_modules/yargs/locales/en.json'), 'utf8'));
  return new Set(texts.join('\n').replaceAll('\\n', ' ').match(/[A-Za-z]+/g));
}

async function help(args: readonly string[]): Promise<string> {
  const p = runCli(args, undefined, { COLUMNS: '80' });
  const code = await p.exit(120_000);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${p.stderr()}`);
  return p.stdout();
}

/** Words of the help text that are not whole words of the sources (fragments of a cut). */
function cutWords(text: string, words: ReadonlySet<string>): string[] {
  return [...new Set(text.match(/[A-Za-z]+/g) ?? [])].filter((w) => !words.has(w));
}

for (const cmd of COMMANDS) {
  test.serial(`${cmd} --help at 80 columns: grouped in order, no cut word, examples and the man page last`, async (t) => {
    const text = await help([cmd, '--help']);
    const lines = text.trimEnd().split('\n');
    t.deepEqual(lines.filter((l) => l.length > 80), [], 'no line wider than 80');
    t.deepEqual(cutWords(text, knownWords()), [], 'every word whole');
    t.false(lines.includes('Options:'), 'every option is in a named group');
    const titles = lines.filter((l) => /^[A-Z][A-Za-z ]*:$/.test(l));
    const order = HELP_GROUPS.map(([title]) => title);
    const groups = titles.filter((x) => order.includes(x));
    t.deepEqual(groups, [...groups].sort((a, b) => order.indexOf(a) - order.indexOf(b)), 'groups in the documented order');
    t.is(groups.at(-1), 'General:');
    t.is(titles.at(-1), 'Examples:');
    t.regex(lines.slice(-2).join(' '), /man sentrycam/);
  });
}

test.serial('watch --help puts the common groups first: Input, Output, Recording, Alerts', async (t) => {
  const titles = (await help(['watch', '--help'])).split('\n').filter((l) => /^[A-Z][A-Za-z ]*:$/.test(l));
  t.deepEqual(titles.slice(0, 4), ['Input:', 'Output:', 'Recording:', 'Alerts:']);
});

test.serial('-h, --help, -V, --version and a bare sentrycam exit 0', async (t) => {
  const short = await help(['-h']);
  t.regex(short, /^sentrycam <command> \[options\]/);
  t.regex(short, /sentrycam watch +Receive a training run live/);
  t.is(await help(['--help']), short);
  t.is(await help([]), short, 'bare: the same short usage');
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  t.is((await help(['-V'])).trim(), version);
  t.is((await help(['--version'])).trim(), version);
  t.deepEqual(cutWords(short, knownWords()), []);
});
