/**
 * Issue 13, receive path, as a user meets it: `watch` as a real child process fed through real
 * nanomsg sockets. Each test is named after the fault it pins.
 */
import test from 'ava';
import { encodeFrame } from '../../src/protocol/encode.js';
import { RawPush } from '../sources/raw-push.js';
import { freePort } from '../helpers/processes.js';
import { epochSignature, eventsOf, runCli, startWatch } from './cli-process.js';

const x = (n: number, dim: number) => ({ dtype: 'float32' as const, shape: [n, dim], data: Float32Array.from({ length: n * dim }, (_, i) => i / 8) });
const ids = (from: number, n: number) => ({ dtype: 'int32' as const, shape: [n], data: Int32Array.from({ length: n }, (_, i) => from + i) });

test('--max-frame 4G (which nanomsg wrapped to 0, dropping every frame) and 2G exit 2 naming the limit; 2147483647 is taken', async (t) => {
  for (const size of ['4G', '2G', '2147483648']) {
    const p = runCli(['watch', '--headless', '--json', '--no-record', '--listen', `tcp://127.0.0.1:${await freePort()}`, '--max-frame', size]);
    t.is(await p.exit(), 2, size);
    t.regex(p.stderr(), /--max-frame \S+ is \d+ bytes, above 2147483647 \(2 GiB - 1\), the largest receive limit nanomsg takes/);
    t.deepEqual(p.events, [], 'nothing is listening');
  }
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const top = await startWatch(['--listen', address, '--no-record', '--max-frame', '2147483647']);
  const push = new RawPush(address);
  await push.send(encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: 1 }));
  await top.waitFor((e) => e.event === 'hello');
  await push.close();
  top.child.kill('SIGINT');
  t.is(await top.exit(), 0, top.stderr());
});

test('a limit flag out of range exits 2 naming the flag', async (t) => {
  for (const [flag, value, message] of [
    ['--max-open-epochs', '0', /--max-open-epochs must be an integer >= 1, got 0/],
    ['--max-epoch-ids', String(2 ** 24 + 1), /--max-epoch-ids must be at most 16777216/],
    ['--max-buffered', 'lots', /--max-buffered: size "lots" is not a number of bytes/],
    ['--max-header', '0', /--max-header: size "0" must be between 1 byte and 1024 GiB/],
  ] as const) {
    const p = runCli(['watch', '--headless', '--json', '--no-record', '--listen', 'tcp://127.0.0.1:1', flag, value]);
    t.is(await p.exit(), 2, flag);
    t.regex(p.stderr(), message);
  }
  const replay = runCli(['replay', 'whatever.scamrec', '--headless', '--max-runs', '-3']);
  t.is(await replay.exit(), 2);
  t.regex(replay.stderr(), /--max-runs must be an integer >= 1, got -3/);
});

test('a stray producer does not hold the run hostage: watch --exit-on-end exits right after the real end', async (t) => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  // Default --silence-s (300 s): before the fix the run waited that long at each epoch and never ended.
  const watch = await startWatch(['--listen', address, '--no-record', '--exit-on-end']);
  const honest = new RawPush(address);
  const stray = new RawPush(address);
  await honest.send(encodeFrame({ type: 'hello', run: 'r', producer: 'real', seq: 0, layer: 'l', dim: 2 }));
  await watch.waitFor((e) => e.event === 'hello');
  // A frame of the run from a producer that never said hello; rejected anyway (3 columns, not 2).
  await stray.send(encodeFrame({ type: 'batch', run: 'r', producer: 'stray', seq: 0, epoch: 0 }, { x: x(1, 3), id: ids(0, 1) }));
  await watch.waitFor((e) => e.event === 'reject');
  await honest.send(
    encodeFrame({ type: 'batch', run: 'r', producer: 'real', seq: 1, epoch: 0 }, { x: x(4, 2), id: ids(0, 4) }),
    encodeFrame({ type: 'epoch_end', run: 'r', producer: 'real', seq: 2, epoch: 0 }),
    encodeFrame({ type: 'end', run: 'r', producer: 'real', seq: 3 }),
  );
  t.is(await watch.exit(30_000), 0, watch.stderr());
  await Promise.all([honest.close(), stray.close()]);
  t.deepEqual(epochSignature(watch.events), ['r#0/train n=4 dim=2']);
  t.deepEqual(eventsOf(watch, 'reject').map((e) => [e.producer, e.code]), [['stray', 'no_hello']]);
  t.regex(String(eventsOf(watch, 'reject')[0]!.reason), /^run "r" producer "stray" seq 0: this producer has not said hello in this run/);
  t.deepEqual(eventsOf(watch, 'end'), [{ event: 'end', run: 'r' }]);
});

test('limit flags reach the monitor: a header over --max-header 1K is rejected naming the cap, the monitor goes on', async (t) => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const watch = await startWatch(['--listen', address, '--no-record', '--exit-on-end', '--max-header', '1K', '--max-epoch-ids', '3']);
  const push = new RawPush(address);
  const classes = Array.from({ length: 100 }, (_, i) => `class number ${i}`);
  await push.send(
    encodeFrame({ type: 'hello', run: 'big', seq: 0, layer: 'l', dim: 1, classes }),
    encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: 1 }),
    encodeFrame({ type: 'batch', run: 'r', seq: 1, epoch: 0 }, { x: x(4, 1), id: ids(0, 4) }),
    encodeFrame({ type: 'batch', run: 'r', seq: 2, epoch: 0 }, { x: x(3, 1), id: ids(0, 3) }),
    encodeFrame({ type: 'end', run: 'r', seq: 3 }),
  );
  t.is(await watch.exit(30_000), 0, watch.stderr());
  await push.close();
  const rejects = eventsOf(watch, 'reject');
  t.deepEqual(rejects.map((e) => [e.run, e.code]), [[null, 'over_limit'], ['r', 'over_limit']]);
  t.regex(String(rejects[0]!.reason), /^unidentified frame: over the cap max-header = 1024: the header is \d+ bytes$/);
  t.is(rejects[1]!.reason, 'run "r" producer "0" seq 1: over the cap max-epoch-ids = 3: the batch has 4 rows');
  t.deepEqual(epochSignature(watch.events), ['r#0/train n=3 dim=1']);
});
