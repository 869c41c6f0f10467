/**
 * Data-parallel PyTorch into the real monitor: torch.distributed with the gloo backend on CPU, 2 and
 * 4 ranks started by torch.multiprocessing.spawn, every rank an ActivationTap of its own
 * (test/clients/python/ddp_digits.py). By default each rank streams a disjoint share of the fixed
 * subset as producer "<rank>" and the monitor's fan-in assembles each epoch from all of them; with
 * distributed="rank0" only rank 0 streams. Either way: every epoch complete with all samples, one
 * metrics frame per epoch, 0 rejected, 0 lost. The address reaches the ranks through
 * SENTRYCAM_ADDRESS only. --no-engine: this is about the data path, not the projection.
 * Regression for the fault the client had: every rank was producer "0" sending the same ids, so the
 * monitor saw one producer's seq jump between connections and rejected the second rank's ids as duplicates.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { finish, freePort, lastJson, parseLines, PYTHON, ROOT, startMonitor, type EventLine } from '../helpers/processes.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['python3', 'python3-numpy', 'python3-torch', 'python3-sklearn']);

const SCRIPT = 'test/clients/python/ddp_digits.py';
/** The fixed subsets of ddp_digits.py: odd sizes, so the shards of 2 and 4 ranks differ by one row. */
const N_TRAIN = 301;
const N_TEST = 101;
const EPOCHS = 3;

interface RankReport {
  readonly rank: number;
  readonly producer: string;
  readonly disabled: boolean;
  readonly train_rows: number;
  readonly test_rows: number;
  readonly drained: boolean;
  readonly sent: number;
  readonly dropped: number;
}

async function ddpRun(t: ExecutionContext, world: number, mode: 'shard' | 'rank0') {
  const listen = `tcp://127.0.0.1:${await freePort()}`;
  const monitor = startMonitor(listen, { args: ['--no-engine'] });
  await monitor.ready;
  const args = [SCRIPT, '--world', String(world), '--mode', mode, '--epochs', String(EPOCHS), '--run', `ddp-${mode}-${world}`, '--port', String(await freePort())];
  const child = spawn(PYTHON, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SENTRYCAM_ADDRESS: listen } });
  // Under ava's 5 min: 4 ranks take ~40 s alone on 2 cores, 2 min when the suite shares them.
  const producer = await finish(child, 280_000);
  t.is(producer.code, 0, `ranks failed:\n${producer.stderr.slice(-4000)}`);
  const exited = await monitor.done;
  t.is(exited.code, 0, exited.stderr);
  const ranks = (lastJson(producer.stdout).ranks ?? []) as RankReport[];
  t.is(ranks.length, world);
  return { events: parseLines(exited.stdout), ranks, run: `ddp-${mode}-${world}` };
}

/** Every epoch of both splits assembled with every sample; one metrics frame per epoch; nothing rejected or lost. */
function assertCompleteEpochs(t: ExecutionContext, events: readonly EventLine[], run: string, frames: number) {
  t.deepEqual(events.filter((e) => e.event === 'reject'), [], 'no frame rejected');
  t.deepEqual(events.filter((e) => e.event === 'lost' || e.event === 'silence'), [], 'no frame lost, no rank silent');
  for (const [split, n] of [['train', N_TRAIN], ['test', N_TEST]] as const) {
    const epochs = events.filter((e) => e.event === 'epoch' && e.run === run && e.split === split);
    t.deepEqual(epochs.map((e) => [e.epoch, e.n, e.dim]), [...Array(EPOCHS).keys()].map((i) => [i, n, 32]), `every ${split} epoch has all ${n} samples`);
  }
  const metrics = events.filter((e) => e.event === 'metrics' && e.run === run);
  t.deepEqual(metrics.map((e) => e.epoch), [...Array(EPOCHS).keys()], 'metrics once per epoch (rank 0)');
  t.true(events.some((e) => e.event === 'end' && e.run === run), 'the run ended when every rank ended');
  // Every frame any rank wrote reached the monitor.
  t.like(events.find((e) => e.event === 'summary'), { rejected: 0, lost: 0, epochs: EPOCHS, frames });
}

for (const world of [2, 4]) {
  test.serial(`DDP, ${world} gloo ranks, sharded: each rank streams a disjoint share as its own producer; the monitor assembles complete epochs`, async (t) => {
    const { events, ranks, run } = await ddpRun(t, world, 'shard');
    const hellos = events.filter((e) => e.event === 'hello' && e.run === run);
    t.deepEqual(hellos.map((e) => e.producer).sort(), [...Array(world).keys()].map(String), 'one producer per rank, named after it');
    t.true(hellos.every((e) => e.dim === 32 && e.layer === 'fc2' && e.model === 'Mlp'), 'the DDP wrapper was unwrapped');
    t.deepEqual(ranks.map((r) => r.producer), [...Array(world).keys()].map(String));
    for (const [key, n] of [['train_rows', N_TRAIN], ['test_rows', N_TEST]] as const) {
      const rows = ranks.map((r) => r[key]);
      t.is(rows.reduce((a, b) => a + b, 0), n, `${key} shares add up to the subset`);
      t.true(Math.max(...rows) - Math.min(...rows) <= 1, `${key} shares are even: ${rows}`);
    }
    t.true(ranks.every((r) => r.drained && r.dropped === 0 && !r.disabled));
    assertCompleteEpochs(t, events, run, ranks.reduce((a, r) => a + r.sent, 0));
  });
}

test.serial('DDP, 2 gloo ranks, distributed="rank0": rank 0 streams the whole subset, the other rank sends nothing', async (t) => {
  const { events, ranks, run } = await ddpRun(t, 2, 'rank0');
  t.deepEqual(events.filter((e) => e.event === 'hello').map((e) => e.producer), ['0']);
  t.like(ranks[0], { producer: '0', disabled: false, train_rows: N_TRAIN, test_rows: N_TEST, drained: true, dropped: 0 });
  t.like(ranks[1], { disabled: true, sent: 0 });
  assertCompleteEpochs(t, events, run, ranks[0]!.sent);
});
