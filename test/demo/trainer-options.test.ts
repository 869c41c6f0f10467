import test from 'ava';
import { parseTrainerArgs, trainerArgv } from '../../src/demo/trainer-options.js';
import { trainerOptions } from '../../src/demo/run-demo.js';

test('defaults', (t) => {
  t.deepEqual(parseTrainerArgs([]), {
    epochs: 30,
    seed: 1,
    unstable: false,
    address: 'tcp://127.0.0.1:5555',
    run: 'demo-mnist-s1',
    rampFrom: 6,
    rampFactor: 1.2,
    quiet: false,
  });
  t.is(parseTrainerArgs(['--unstable', '--seed', '4']).run, 'demo-mnist-unstable-s4');
});

test('trainerArgv is the inverse of parseTrainerArgs', (t) => {
  const opts = trainerOptions({ epochs: 5, seed: 9, unstable: true, address: 'ipc:///tmp/x.sock', run: 'my run', rampFrom: 2, rampFactor: 1.75, quiet: true });
  t.deepEqual(parseTrainerArgs(trainerArgv(opts)), opts);
});

test('bad options are named', (t) => {
  t.throws(() => parseTrainerArgs(['--epochs', 'ten']), { message: /--epochs must be an integer >= 1, got 'ten'/ });
  t.throws(() => parseTrainerArgs(['--seed=-1']), { message: /--seed must be an integer >= 0/ });
  t.throws(() => parseTrainerArgs(['--ramp-factor', '0.5']), { message: /--ramp-factor must be a number > 1/ });
  t.throws(() => parseTrainerArgs(['--bogus']), { message: /train-child: .*bogus/ });
});
