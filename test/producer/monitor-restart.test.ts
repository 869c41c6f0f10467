/**
 * Issue 13, item 1: a monitor restarted mid-run (or a socket that reconnected underneath the
 * producer) used to see the rest of the run from a producer it had no hello from. The Node producer
 * repeats hello at the start of every epoch, so the new monitor takes the run from the next epoch.
 */
import test from 'ava';
import { Producer } from '../../src/producer/producer.js';
import { freePort } from '../helpers/processes.js';
import { epochSignature, eventsOf, startWatch } from '../cli/cli-process.js';

const N = 30;
const DIM = 4;
const rows = (epoch: number, from: number, n: number) => Float32Array.from({ length: n * DIM }, (_, i) => epoch + from + i / 16);
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Half of an epoch's rows: ids [0, N/2) or [N/2, N). */
function half(p: Producer, epoch: number, which: 0 | 1): void {
  const from = which * (N / 2);
  p.batch({ epoch, x: rows(epoch, from, N / 2), n: N / 2, dim: DIM, ids: ids(from, N / 2) });
}

test('a monitor killed mid-run and started again on the same address takes the run from the next epoch, nothing of it rejected', async (t) => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const first = await startWatch(['--listen', address, '--no-record']);
  const p = new Producer({ address, run: 'resume' });
  p.hello({ layer: 'fc', dim: DIM, classes: ['a', 'b'] });
  for (const e of [0, 1]) {
    half(p, e, 0);
    half(p, e, 1);
    p.epochEnd({ epoch: e });
  }
  await first.waitForCount((e) => e.event === 'epoch', 2, 30_000);
  // Mid-epoch 2: half of it reaches the first monitor, which is then killed (no summary, no flush).
  half(p, 2, 0);
  p.metrics({ epoch: 2, values: { loss: 1 } });
  await first.waitFor((e) => e.event === 'metrics' && e.epoch === 2);
  first.child.kill('SIGKILL');
  t.is(await first.exit(), 137);
  t.deepEqual(epochSignature(first.events), ['resume#0/train n=30 dim=4', 'resume#1/train n=30 dim=4']);

  // The rest of epoch 2 is sent while no monitor listens (the producer queues it).
  half(p, 2, 1);
  p.epochEnd({ epoch: 2 });
  const second = await startWatch(['--listen', address, '--no-record', '--exit-on-end']);
  for (const e of [3, 4]) {
    half(p, e, 0);
    half(p, e, 1);
    p.metrics({ epoch: e, values: { loss: 1 / e } });
    p.epochEnd({ epoch: e });
  }
  p.end();
  await p.close();
  t.is(await second.exit(30_000), 0, second.stderr());
  t.deepEqual(p.stats, { sent: p.stats.sent, dropped: 0, queued: 0 });

  t.deepEqual(epochSignature(second.events), ['resume#3/train n=30 dim=4', 'resume#4/train n=30 dim=4']);
  t.deepEqual(eventsOf(second, 'metrics').map((e) => e.epoch), [3, 4]);
  const hello = eventsOf(second, 'hello');
  t.is(hello.length, 1, 'the hellos repeated at epochs 3 and 4 make one hello event');
  t.like(hello[0], { run: 'resume', layer: 'fc', dim: DIM, classes: ['a', 'b'] });
  // Only the tail of epoch 2, sent before the new monitor had a hello, may be refused.
  // seq: hello 0; epoch 0: 1-3; epoch 1: hello 4, 5-7; epoch 2: hello 8, 9-12; epoch 3: hello 13.
  const rejects = eventsOf(second, 'reject');
  t.true(rejects.every((e) => e.code === 'no_hello' && Number(e.seq) < 13), JSON.stringify(rejects));
  t.log(`refused by the second monitor: seq ${rejects.map((e) => e.seq).join(', ') || 'none'}`);
  t.deepEqual(eventsOf(second, 'lost'), []);
  t.deepEqual(eventsOf(second, 'end'), [{ event: 'end', run: 'resume' }]);
});
