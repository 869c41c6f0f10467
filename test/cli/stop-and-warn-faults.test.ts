/**
 * Faults of issue 13 that had no test of their own: SIGQUIT killed the monitor before its
 * recordings were synced (SIGHUP's test is in shutdown-faults.test.ts); the non-loopback warning
 * was on stderr only, covered at once by the dashboard; EPIPE on stderr (`2>&1 | head`) crashed it.
 */
import test from 'ava';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, eventsOf, runCli, startWatch, tempDir } from './cli-process.js';

const ipc = (tag: string): string => `ipc://${path.join(tempDir(tag), 'monitor.sock')}`;

test('SIGQUIT stops watch like SIGTERM: summary printed last, exit 0', async (t) => {
  const watch = await startWatch(['--listen', ipc('quit'), '--no-record']);
  watch.child.kill('SIGQUIT');
  t.is(await watch.exit(), 0, watch.stderr());
  t.is(watch.events.at(-1)!.event, 'summary');
});

test('a non-loopback --listen warning is an event too (a line in the dashboard alert log), not only stderr', async (t) => {
  const watch = await startWatch(['--listen', 'tcp://0.0.0.0:58403', '--no-record']);
  const notice = await watch.waitFor((e) => e.event === 'notice' && e.topic === 'listen');
  t.like(notice, { level: 'warning' });
  t.regex(String(notice.message), /tcp:\/\/0\.0\.0\.0:58403, reachable from the network: the socket has no authentication/);
  watch.child.kill('SIGINT');
  t.is(await watch.exit(), 0);
  t.deepEqual(eventsOf(watch, 'notice').length, 1);
});

test('EPIPE on stderr is ignored: a usage error with stderr already closed still exits 2, not 1 from a crash', async (t) => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'sentrycam.js'), 'watch', '--headless', '--listen', 'nonsense://x'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // The reader of stderr goes away before anything is written.
  child.stderr!.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  t.is(code, 2);
  // The same without the closed pipe, for comparison: the message is there.
  const plain = runCli(['watch', '--headless', '--listen', 'nonsense://x']);
  t.is(await plain.exit(), 2);
  t.regex(plain.stderr(), /nonsense:\/\/x/);
});
