/** Regression: `sentrycam replay ... --json | head -2` crashed with an unhandled EPIPE. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/processes.js';

test('a reader that closes the pipe early stops the monitor quietly (exit 0, no EPIPE)', async (t) => {
  const child = spawn(process.execPath, ['bin/sentrycam.js', 'replay', 'fixtures/runs/demo-mnist-s2.scamrec.gz', '--no-engine', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  // Read the first line, then close our end, as `head -1` does.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  t.is(code, 0, stderr);
  t.notRegex(stderr, /EPIPE|Unhandled|Error/);
});
