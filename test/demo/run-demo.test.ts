import test from 'ava';
import { spawnTrainer, trainerOptions, waitForExit } from '../../src/demo/run-demo.js';
import { ipcAddress, listen } from '../producer/pull-helper.js';

test('spawnTrainer runs the trainer to its end; waitForExit returns its exit code', async (t) => {
  const address = ipcAddress('run-demo');
  const pull = listen(address);
  t.teardown(() => pull.close());
  t.is(await waitForExit(spawnTrainer({ epochs: 1, seed: 4, address, quiet: true, stdio: 'ignore' })), 0);
  const msgs = await pull.waitFor(1 + 7 + 1);
  t.is(msgs.length, 9);
});

test('trainerOptions fills the documented defaults', (t) => {
  t.like(trainerOptions(), { epochs: 30, seed: 1, unstable: false, address: 'tcp://127.0.0.1:5555', run: 'demo-mnist-s1' });
  t.is(trainerOptions({ unstable: true, seed: 2 }).run, 'demo-mnist-unstable-s2');
});
