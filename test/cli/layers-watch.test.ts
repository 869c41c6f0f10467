/**
 * Protocol 1.1 end to end: the Node Producer streams two layers of one run (a hello per layer, the
 * layer named in batch and epoch_end) over a real socket to `sentrycam watch` with the engine on.
 * Each layer is projected as its own stream (RUN/LAYER for the second); the recording replays to
 * the same epochs.
 */
import test from 'ava';
import path from 'node:path';
import { Producer } from '../../src/producer/producer.js';
import { epochSignature, eventsOf, runCli, tempDir } from './cli-process.js';

const ADDRESS = 'tcp://127.0.0.1:58201';

/** n rows of `dim` columns in two classes (ids 0..n-1), shifted a little per epoch. */
function rows(n: number, dim: number, epoch: number): Float32Array {
  return Float32Array.from({ length: n * dim }, (_, k) => {
    const i = Math.floor(k / dim);
    return (i % 2) * 3 + Math.sin(k * 0.37 + epoch * 0.1);
  });
}

test('two layers of one run: one hello each, projected apart, ended together, replayed alike', async (t) => {
  const cwd = tempDir('layers');
  const watch = runCli(['watch', '--headless', '--json', '--listen', ADDRESS, '--exit-on-end', '--record', 'rec', '--reproducible'], cwd);
  t.teardown(() => watch.child.kill('SIGKILL'));
  await watch.waitFor((e) => e.event === 'listening', 30_000, 'listening');
  const p = new Producer({ address: ADDRESS, run: 'net' });
  p.hello({ layer: 'fc1', dim: 6, classes: ['a', 'b'] });
  p.hello({ layer: 'fc2', dim: 3, classes: ['a', 'b'] });
  const n = 40;
  const ids = Array.from({ length: n }, (_, i) => i);
  const labels = ids.map((i) => i % 2);
  for (let epoch = 0; epoch < 2; epoch++) {
    p.batch({ epoch, x: rows(n, 6, epoch), n, dim: 6, ids, labels });
    p.batch({ epoch, x: rows(n, 3, epoch), n, dim: 3, ids, labels, layer: 'fc2' });
    p.metrics({ epoch, values: { train_loss: 1 / (epoch + 1) } });
    p.epochEnd({ epoch, layer: 'fc2' });
    p.epochEnd({ epoch });
  }
  p.end();
  await p.close();
  t.is(p.stats.dropped, 0);
  t.is(await watch.exit(120_000), 0, watch.stderr());

  t.deepEqual(eventsOf(watch, 'hello').map((e) => [e.run, e.layer, e.dim]), [['net', 'fc1', 6], ['net', 'fc2', 3]]);
  t.deepEqual(eventsOf(watch, 'reject'), []);
  t.deepEqual(eventsOf(watch, 'lost'), []);
  const epochs = eventsOf(watch, 'epoch');
  t.deepEqual(epochSignature(watch.events).sort(), ['net#0/train n=40 dim=6', 'net#1/train n=40 dim=6', 'net/fc2#0/train n=40 dim=3', 'net/fc2#1/train n=40 dim=3']);
  // Each stream's newest epoch is projected by its own engine state (older ones may be skipped under load).
  for (const run of ['net', 'net/fc2']) t.is(epochs.filter((e) => e.run === run).at(-1)?.engine, 'projected', run);
  t.deepEqual(eventsOf(watch, 'end').map((e) => e.run), ['net/fc2', 'net']);

  const replay = runCli(['replay', path.join(cwd, 'rec', 'net.scamrec'), '--headless', '--json', '--no-engine'], cwd);
  t.is(await replay.exit(), 0, replay.stderr());
  t.deepEqual(epochSignature(replay.events).sort(), epochSignature(watch.events).sort(), "the engine may answer the streams in another order");

  // inspect lists the further layer as a run of its own, as the events name it.
  const inspect = runCli(['inspect', path.join(cwd, 'rec', 'net.scamrec')], cwd);
  t.is(await inspect.exit(), 0, inspect.stderr());
  const text = inspect.stdout();
  for (const line of [/^run\s+"net"$/m, /^layer\s+"fc1"$/m, /^D\s+6$/m, /^run\s+"net\/fc2"$/m, /^layer\s+"fc2"$/m, /^D\s+3$/m]) t.regex(text, line);
});
