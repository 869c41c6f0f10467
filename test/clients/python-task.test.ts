/**
 * Protocol 1.1 `task` from the Python client into the real monitor over ipc://: the metrics event
 * carries the task trained, the tagged batches are accepted (0 rejected), and with
 * --alert-forgetting the monitor takes them in without complaint.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLines, runPython, startMonitor } from '../helpers/processes.js';

const SCRIPT = `
import sys
sys.path.insert(0, 'clients/python')
import sentrycam_client as sc
p = sc.Producer(sys.argv[1], run='py-task')
p.hello(layer='fc', dim=2)
for epoch in range(3):
    task = 0 if epoch < 2 else 1
    p.batch(epoch, [[0.0 + epoch, 1.0], [1.0, 0.5 * epoch], [2.0, 2.0]], [1, 2, 3], labels=[0, 5, 6], tasks=[0, 1, 1])
    p.metrics(epoch, {'train_loss': 1.0 / (epoch + 1)}, task=task)
    p.epoch_end(epoch)
p.end()
assert p.close(timeout=20)
`;

test('the Python client tags samples and the trained task; the monitor accepts both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'scam-pytask-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const listen = `ipc://${join(dir, 'm.sock')}`;
  const monitor = startMonitor(listen, { args: ['--no-engine', '--alert-forgetting'] });
  await monitor.ready;
  const producer = await runPython(['-c', SCRIPT, listen]);
  t.is(producer.code, 0, producer.stderr);
  const done = await monitor.done;
  t.is(done.code, 0, done.stderr);
  const events = parseLines(done.stdout);
  t.deepEqual(events.filter((e) => e.event === 'reject'), []);
  t.deepEqual(
    events.filter((e) => e.event === 'metrics').map((e) => [e.epoch, e.task]),
    [[0, 0], [1, 0], [2, 1]],
  );
  t.like(events.find((e) => e.event === 'summary'), { rejected: 0, epochs: 3 });
});
