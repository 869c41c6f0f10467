/** `sentrycam demo` headless: real tfjs training through a real socket into the monitor, projected. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { finish, parseLines, ROOT } from '../helpers/processes.js';

test('demo --epochs 3 --headless --json: hello, every epoch of both splits projected, metrics, end, summary', async (t) => {
  const child = spawn(process.execPath, ['bin/sentrycam.js', 'demo', '--epochs', '3', '--seed', '2', '--headless', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = await finish(child, 240_000);
  t.is(done.code, 0, done.stderr);
  const events = parseLines(done.stdout);
  t.is(events[0]!.event, 'listening');
  t.like(events.find((e) => e.event === 'hello'), { run: 'demo-mnist-s2', dim: 64, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
  const epochs = events.filter((e) => e.event === 'epoch');
  t.deepEqual(
    epochs.map((e) => `${e.epoch}/${e.split}`),
    ['0/train', '0/test', '1/train', '1/test', '2/train', '2/test'],
  );
  // The last epoch is never skipped (nothing overtakes it); each projected epoch carries the engine's metrics.
  const last = epochs.at(-1)!;
  t.is(last.engine, 'projected');
  t.true((last.nn15 as number) > 0 && (last.nn15 as number) <= 1);
  const metrics = events.filter((e) => e.event === 'metrics');
  t.is(metrics.length, 3);
  t.true(metrics.every((m) => Number.isFinite((m.values as Record<string, number>).val_loss)));
  t.truthy(events.find((e) => e.event === 'end'));
  t.like(events.at(-1), { event: 'summary', rejected: 0, lost: 0, epochs: 3 });
});
