/**
 * man/sentrycam.1 describes every option yargs knows, of every command (eval's --umap-every,
 * export's -o and inspect's --json were missing), and has the sections a man page is read for.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { commandOptions, commands } from '../../src/cli/main.js';
import { ROOT } from './cli-process.js';

/** The page as text: font escapes dropped, \- as -. */
const PAGE = fs
  .readFileSync(path.join(ROOT, 'man/sentrycam.1'), 'utf8')
  .replace(/\\f[BIRP]/g, '')
  .replace(/\\-/g, '-');

const NAMES = commands(() => {}).map((c) => String(c.command).split(' ')[0]!);

test('every command is described under COMMANDS', (t) => {
  const section = PAGE.slice(PAGE.indexOf('.SH COMMANDS'), PAGE.indexOf('.SH OPTIONS'));
  for (const name of [...NAMES, 'completion']) t.regex(section, new RegExp(`^\\.B ${name}\\b`, 'm'), name);
});

for (const name of NAMES) {
  test(`every option of ${name} is described in the man page`, (t) => {
    const opts = commandOptions(name)!;
    t.true(opts.options.size > 2, 'the spare parser saw the options');
    // Positionals are FILE in the synopsis; one-letter names are aliases (-o), checked below.
    const longs = [...opts.options].filter((o) => o.length > 1 && o !== 'file' && o !== 'files');
    const missing = longs.filter((o) => !new RegExp(`(^|[^-\\w])--(no-)?${o}\\b`, 'm').test(PAGE));
    t.deepEqual(missing, []);
  });
}

test('short options -h, -V and -o, and the sections ENVIRONMENT, FILES, EXAMPLES, SEE ALSO', (t) => {
  for (const short of ['-h', '-V', '-o']) t.regex(PAGE, new RegExp(`(^|[ ,])${short}\\b`, 'm'), short);
  for (const section of ['ENVIRONMENT', 'FILES', 'EXAMPLES', 'SEE ALSO']) t.regex(PAGE, new RegExp(`^\\.SH ${section}$`, 'm'), section);
  for (const v of ['SENTRYCAM_CONFIG', 'NO_COLOR', 'FORCE_COLOR', 'XDG_CONFIG_HOME', 'SENTRYCAM_ALERT']) t.true(PAGE.includes(v), v);
  t.true(PAGE.includes('docs/events.schema.json'));
});
