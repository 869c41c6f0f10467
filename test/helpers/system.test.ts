/**
 * requireSystem on a machine without the package: the test file fails, its tests do not run, and
 * the report names the missing packages and the apt-get line in one line. The missing package is
 * real: the Python interpreter is pointed at a path that does not exist.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { finish, ROOT } from './processes.js';
import { missingMessage } from './system.js';


test('one line names the missing Debian packages and the command that installs them', (t) => {
  t.is(missingMessage(['tmux']), 'missing Debian package tmux; install (as root): apt-get install -y --no-install-recommends tmux');
  t.is(missingMessage(['python3-torch', 'python3-sklearn']), 'missing Debian packages python3-torch, python3-sklearn; install (as root): apt-get install -y --no-install-recommends python3-torch python3-sklearn');
});

test('a test file whose packages are missing fails with that line and runs none of its tests', async (t) => {
  const ava = fileURLToPath(new URL('../../node_modules/ava/entrypoints/cli.mjs', import.meta.url));
  const env = { ...process.env, SENTRYCAM_PYTHON: '/nonexistent/python3' };
  const r = await finish(spawn(process.execPath, [ava, '--config', 'test/helpers/fixtures/ava.config.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }), 120_000);
  const out = r.stdout + r.stderr;
  t.is(r.code, 1, out);
  t.true(out.includes(missingMessage(['python3', 'python3-numpy'])), out);
  t.false(out.includes('✔'), out);
});
