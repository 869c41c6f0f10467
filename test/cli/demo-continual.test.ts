/**
 * `sentrycam demo --continual`: its option checks (each a usage error naming the problem), and a
 * short real run (4 epochs: task 0 for 0-1, task 1 for 2-3) whose metrics carry the task trained.
 */
import test from 'ava';
import { runCli } from './cli-process.js';

test('demo --continual option checks name the problem (exit 2)', async (t) => {
  for (const [args, message] of [
    [['--joint'], '--joint goes with --continual'],
    [['--continual', '--unstable'], '--continual and --unstable do not go together'],
    [['--continual', '--epochs', '1'], '--continual needs --epochs >= 2 (two tasks), got 1'],
  ] as const) {
    const p = runCli(['demo', '--headless', '--json', ...args]);
    t.is(await p.exit(60_000), 2, args.join(' '));
    t.true(p.stderr().includes(message), p.stderr());
  }
});

test('demo --continual --epochs 4: task 0 then task 1 in the metrics, samples tagged, nothing rejected', async (t) => {
  const p = runCli(['demo', '--continual', '--epochs', '4', '--headless', '--json', '--no-engine']);
  t.is(await p.exit(240_000), 0, p.stderr());
  const metrics = p.events.filter((e) => e.event === 'metrics');
  t.deepEqual(metrics.map((e) => [e.epoch, e.task]), [[0, 0], [1, 0], [2, 1], [3, 1]]);
  t.true(metrics.every((e) => typeof (e.values as Record<string, number>).task0_acc === 'number'));
  t.deepEqual(p.events.filter((e) => e.event === 'reject'), []);
  t.like(p.events.find((e) => e.event === 'hello'), { run: 'demo-continual-s1' });
});
