/**
 * `sentrycam watch --headless --json` as a real child process, fed through real nanomsg sockets by
 * the Node Producer and by bare PUSH sockets.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Producer } from '../../src/producer/producer.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { RawPush } from '../sources/raw-push.js';
import { epochSignature, eventsOf, runCli, startWatch, tempDir, type JsonEvent } from './cli-process.js';

/** x for `ids` in D columns: row i is ids[i] + j/64, so rows stay traceable and finite. */
function rows(ids: readonly number[], dim: number): Float32Array {
  const x = new Float32Array(ids.length * dim);
  ids.forEach((id, i) => {
    for (let j = 0; j < dim; j++) x[i * dim + j] = id + j / 64;
  });
  return x;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Frames of a run built by hand with encodeFrame (for the bare PUSH sockets). */
function soloRun(run: string, epochs: number, n: number, dim: number): Buffer[] {
  let seq = 0;
  const id = () => ({ run, producer: 'solo', seq: seq++ });
  const out = [encodeFrame({ type: 'hello', ...id(), layer: 'fc1', dim, model: 'mlp' })];
  for (let e = 0; e < epochs; e++) {
    out.push(encodeFrame({ type: 'batch', ...id(), epoch: e }, {
      x: { dtype: 'float32', shape: [n, dim], data: rows(range(0, n), dim) },
      id: { dtype: 'uint32', shape: [n], data: Uint32Array.from(range(0, n)) },
    }));
    out.push(encodeFrame({ type: 'metrics', ...id(), epoch: e, values: { loss: 1 / (e + 1) } }));
    out.push(encodeFrame({ type: 'epoch_end', ...id(), epoch: e }));
  }
  out.push(encodeFrame({ type: 'end', ...id() }));
  return out;
}

test('fan-in: 3 producers of one run plus a second run; --exit-on-end; the recording replays to the same epochs; inspect summarises it', async (t) => {
  const cwd = tempDir('fanin');
  const address = 'tcp://127.0.0.1:5721';
  const watch = await startWatch(['--listen', address, '--exit-on-end', '--record', 'rec'], cwd);
  const listening = watch.events[0]!;
  t.deepEqual(listening, { event: 'listening', source: address, record: path.join(cwd, 'rec'), version: listening.version });

  const dim = 16;
  const producers = ['0', '1', '2'].map((p) => new Producer({ address, run: 'multi', producer: p }));
  producers.forEach((p) => p.hello({ layer: 'penult', dim, classes: ['a', 'b', 'c'], model: 'cnn' }));
  // Every rank's hello must be in before any epoch can end, or the monitor could not know to wait for it.
  await watch.waitForCount((e) => e.event === 'hello' && e.run === 'multi', 3);
  const raw = new RawPush(address);
  const solo = soloRun('solo', 2, 50, 8);
  const rawDone = raw.send(...solo);
  // Fault pinned: under a full suite's load the multi run could end before the solo run's hello was
  // in; --exit-on-end then saw every run it knew ended and exited, and solo's frames were never read.
  // A run the monitor has not heard of cannot hold it open, so the test waits for solo to be known.
  await watch.waitForCount((e) => e.event === 'hello' && e.run === 'solo', 1);
  for (let epoch = 0; epoch < 3; epoch++) {
    producers.forEach((p, rank) => {
      // Rank r owns ids r, r+3, r+6, ...: disjoint across ranks, 40 per rank, sent in 2 batches.
      const ids = range(0, 40).map((i) => i * 3 + rank);
      p.batch({ epoch, x: rows(ids.slice(0, 25), dim), n: 25, dim, ids: ids.slice(0, 25), labels: ids.slice(0, 25).map((i) => i % 3) });
      p.batch({ epoch, x: rows(ids.slice(25), dim), n: 15, dim, ids: ids.slice(25), labels: ids.slice(25).map((i) => i % 3) });
      if (epoch === 1) p.batch({ epoch, split: 'test', x: rows([1000 + rank], dim), n: 1, dim, ids: [1000 + rank] });
      if (rank === 0) p.metrics({ epoch, values: { val_loss: 2 - epoch / 2, val_acc: 0.3 * epoch } });
      p.epochEnd({ epoch });
    });
  }
  producers.forEach((p) => p.end());
  await Promise.all(producers.map((p) => p.close()));
  await rawDone;
  await raw.close();
  t.true(producers.every((p) => p.stats.dropped === 0));

  const code = await watch.exit();
  t.is(code, 0, watch.stderr());
  const multi = epochSignature(watch.events).filter((s) => s.startsWith('multi#'));
  t.deepEqual(multi, ['multi#0/train n=120 dim=16', 'multi#1/train n=120 dim=16', 'multi#1/test n=3 dim=16', 'multi#2/train n=120 dim=16']);
  t.deepEqual(epochSignature(watch.events).filter((s) => s.startsWith('solo#')), ['solo#0/train n=50 dim=8', 'solo#1/train n=50 dim=8']);
  t.deepEqual(eventsOf(watch, 'end').map((e) => e.run).sort(), ['multi', 'solo']);
  t.deepEqual(eventsOf(watch, 'reject'), []);
  t.deepEqual(eventsOf(watch, 'lost'), []);
  // Per rank: hello, 3 x (2 batches + epoch_end), end = 11; plus one test batch per rank, 3 metrics
  // (rank 0), and each rank's hello repeated at the start of epochs 1 and 2.
  const frames = 3 * 11 + 3 + 3 + 3 * 2 + solo.length;
  t.deepEqual(watch.events.at(-1), { event: 'summary', frames, rejected: 0, lost: 0, epochs: 5 });

  // One recording per run, replayable through the same pipeline.
  const files = fs.readdirSync(path.join(cwd, 'rec')).sort();
  t.deepEqual(files, ['multi.scamrec', 'solo.scamrec']);
  for (const run of ['multi', 'solo']) {
    const replay = runCli(['replay', path.join(cwd, 'rec', `${run}.scamrec`), '--headless', '--json', '--no-engine'], cwd);
    t.is(await replay.exit(), 0, replay.stderr());
    t.deepEqual(epochSignature(replay.events), epochSignature(watch.events).filter((s) => s.startsWith(`${run}#`)), `replay of ${run}`);
    t.deepEqual(
      eventsOf(replay, 'metrics'),
      eventsOf(watch, 'metrics').filter((e) => e.run === run),
    );
    t.like(replay.events.at(-1), { event: 'summary', rejected: 0, lost: 0 });
  }

  const inspect = runCli(['inspect', path.join(cwd, 'rec', 'multi.scamrec')], cwd);
  t.is(await inspect.exit(), 0, inspect.stderr());
  const text = inspect.stdout();
  for (const line of [/^run\s+"multi"$/m, /^layer\s+"penult" of "cnn"$/m, /^D\s+16$/m, /^classes\s+3: "a", "b", "c"$/m, /^epochs\s+3 \(0-2\)$/m]) t.regex(text, line);
  t.deepEqual(/^producers\s+3: (.*)$/m.exec(text)?.[1]?.split(', ').sort(), ['"0"', '"1"', '"2"'], 'in order of their hello');
  t.regex(text, /^\s+epoch\s+train\s+test\s+val_acc\s+val_loss$/m);
  t.regex(text, /^\s+1\s+120\s+3\s+0\.3\s+1\.5$/m);
  t.regex(text, new RegExp(`${frames - solo.length} frames, 0 rejected, 0 lost`));

  const json = runCli(['inspect', path.join(cwd, 'rec', 'solo.scamrec'), '--json'], cwd);
  t.is(await json.exit(), 0);
  const summary = JSON.parse(json.stdout()) as Record<string, unknown>;
  t.like(summary, { frames: solo.length, rejected: 0, lost: 0, truncatedBytes: 0 });
  t.deepEqual(summary.runs, [{
    run: 'solo', layer: 'fc1', dim: 8, model: 'mlp', producers: ['solo'], ended: true,
    epochs: [{ epoch: 0, train: 50, test: 0, metrics: { loss: 1 } }, { epoch: 1, train: 50, test: 0, metrics: { loss: 0.5 } }],
  }]);
});

test('a 5000x128 float32 frame (2.5 MB, above nanomsg\'s 1 MiB default) arrives', async (t) => {
  const address = 'tcp://127.0.0.1:5722';
  const watch = await startWatch(['--listen', address, '--no-record', '--exit-on-end']);
  const p = new Producer({ address, run: 'big' });
  p.hello({ layer: 'l', dim: 128 });
  const ids = range(0, 5000);
  p.batch({ epoch: 0, x: rows(ids, 128), n: 5000, dim: 128, ids });
  p.epochEnd({ epoch: 0 });
  p.end();
  await p.close();
  t.is(await watch.exit(), 0, watch.stderr());
  t.deepEqual(epochSignature(watch.events), ['big#0/train n=5000 dim=128']);
  t.like(watch.events.at(-1), { event: 'summary', frames: 4, rejected: 0, lost: 0, epochs: 1 });
});

test('--max-frame 1M: a 2 MB frame is dropped without crashing the monitor, and the gap is counted as lost', async (t) => {
  const address = 'tcp://127.0.0.1:5723';
  const watch = await startWatch(['--listen', address, '--no-record', '--max-frame', '1M']);
  const p = new Producer({ address, run: 'capped' });
  p.hello({ layer: 'l', dim: 128 });
  await watch.waitFor((e) => e.event === 'hello');
  const ids = range(0, 4096);
  p.batch({ epoch: 0, x: rows(ids, 128), n: 4096, dim: 128, ids }); // 2 MiB of x: over the cap
  await new Promise((r) => setTimeout(r, 500));
  // The same producer goes on (nanomsg reconnects); its next frames arrive and reveal the gap.
  p.batch({ epoch: 0, x: rows([1, 2], 128), n: 2, dim: 128, ids: [1, 2] });
  p.epochEnd({ epoch: 0 });
  await p.close();
  await watch.waitFor((e) => e.event === 'epoch', 30_000, 'epoch event');
  t.deepEqual(epochSignature(watch.events), ['capped#0/train n=2 dim=128']);
  t.like(eventsOf(watch, 'lost')[0], { run: 'capped', producer: '0', count: 1, expected: 1, got: 2 });
  watch.child.kill('SIGINT');
  t.is(await watch.exit(), 0, watch.stderr());
  t.like(watch.events.at(-1), { event: 'summary', rejected: 0, lost: 1, epochs: 1 });
});

test('ipc:// works end to end', async (t) => {
  const address = `ipc://${path.join(os.tmpdir(), `scam-watch-${process.pid}.sock`)}`;
  const watch = await startWatch(['--listen', address, '--no-record', '--exit-on-end']);
  const p = new Producer({ address, run: 'over-ipc' });
  p.hello({ layer: 'l', dim: 4 });
  for (let e = 0; e < 3; e++) {
    p.batch({ epoch: e, x: rows([1, 2, 3], 4), n: 3, dim: 4, ids: [1, 2, 3] });
    p.epochEnd({ epoch: e });
  }
  p.end();
  // Over ipc, nanomsg discards a message still in flight when the PUSH socket closes right after
  // sending it (Producer.close's writable-wait is not enough there), so close once the monitor has it.
  await watch.waitFor((e) => e.event === 'end', 30_000, 'end event');
  await p.close({ timeoutMs: 1000 });
  t.is(await watch.exit(), 0, watch.stderr());
  t.deepEqual(epochSignature(watch.events), [0, 1, 2].map((e) => `over-ipc#${e}/train n=3 dim=4`));
});

test('SIGINT completes the open epoch, prints the summary and exits 0; SIGTERM too', async (t) => {
  for (const [signal, port] of [['SIGINT', 5724], ['SIGTERM', 5725]] as const) {
    const cwd = tempDir('sig');
    const address = `tcp://127.0.0.1:${port}`;
    const watch = await startWatch(['--listen', address], cwd);
    const p = new Producer({ address, run: 'interrupted' });
    p.hello({ layer: 'l', dim: 2 });
    p.batch({ epoch: 0, x: rows([5, 6, 7], 2), n: 3, dim: 2, ids: [5, 6, 7] });
    // Frames of one connection arrive in order: once this metrics event is out, the batch is in.
    p.metrics({ epoch: 0, values: { loss: 0.25 } });
    await p.close();
    await watch.waitFor((e) => e.event === 'metrics');
    t.deepEqual(epochSignature(watch.events), [], 'epoch 0 is still open');
    watch.child.kill(signal);
    t.is(await watch.exit(), 0, `${signal}: ${watch.stderr()}`);
    t.deepEqual(epochSignature(watch.events), ['interrupted#0/train n=3 dim=2'], signal);
    t.deepEqual(watch.events.at(-1), { event: 'summary', frames: 3, rejected: 0, lost: 0, epochs: 1 });
    // The recording (default folder sentrycam-runs/ under the working directory) was flushed on exit.
    t.deepEqual(fs.readdirSync(path.join(cwd, 'sentrycam-runs')), ['interrupted.scamrec']);
  }
});

/** Exact key sets of the public JSON events (issue 2; man/sentrycam.1). */
function keys(e: JsonEvent): string[] {
  return Object.keys(e).sort();
}

test('JSON events follow the documented schema: hello, epoch, metrics, reject, lost, end, summary', async (t) => {
  const address = 'tcp://127.0.0.1:5726';
  const watch = await startWatch(['--listen', address, '--no-record', '--exit-on-end']);
  const push = new RawPush(address);
  const x = { dtype: 'float32' as const, shape: [2, 3], data: rows([1, 2], 3) };
  const nanX = { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(0, 1, 2, NaN, 4, 5) };
  const ids = { dtype: 'int32' as const, shape: [2], data: Int32Array.of(1, 2) };
  await push.send(
    encodeFrame({ type: 'hello', run: 's', producer: '7', seq: 0, layer: 'fc', dim: 3, classes: ['no', 'yes'], model: 'm' }),
    encodeFrame({ type: 'batch', run: 's', producer: '7', seq: 1, epoch: 0 }, { x: nanX, id: ids }),
    encodeFrame({ type: 'batch', run: 's', producer: '7', seq: 2, epoch: 0 }, { x, id: ids, label: { dtype: 'int32', shape: [2], data: Int32Array.of(0, 1) } }),
    Buffer.from('definitely not a frame'),
    encodeFrame({ type: 'metrics', run: 's', producer: '7', seq: 5, epoch: 0, step: 10, values: { val_loss: 0.5 } }),
    encodeFrame({ type: 'epoch_end', run: 's', producer: '7', seq: 6, epoch: 0 }),
    encodeFrame({ type: 'end', run: 's', producer: '7', seq: 7 }),
  );
  await push.close();
  t.is(await watch.exit(), 0, watch.stderr());

  const hello = eventsOf(watch, 'hello')[0]!;
  t.deepEqual(hello, { event: 'hello', run: 's', producer: '7', layer: 'fc', dim: 3, classes: ['no', 'yes'], model: 'm' });
  const epoch = eventsOf(watch, 'epoch')[0]!;
  t.deepEqual(keys(epoch), ['dim', 'engine', 'epoch', 'event', 'n', 'run', 'split']);
  t.like(epoch, { run: 's', epoch: 0, split: 'train', n: 2, dim: 3, engine: 'off' });
  t.deepEqual(eventsOf(watch, 'metrics'), [{ event: 'metrics', run: 's', epoch: 0, step: 10, values: { val_loss: 0.5 } }]);
  const rejects = eventsOf(watch, 'reject');
  t.is(rejects.length, 2);
  for (const r of rejects) t.deepEqual(keys(r), ['code', 'event', 'producer', 'reason', 'run', 'seq']);
  t.like(rejects[0], { run: 's', producer: '7', seq: 1, code: 'non_finite' });
  t.regex(String(rejects[0]!.reason), /^run "s" producer "7" seq 1: x has 1 NaN\/Inf values \(first at row 1, column 0\)$/);
  t.like(rejects[1], { run: null, producer: null, seq: null, code: 'bad_magic' });
  t.regex(String(rejects[1]!.reason), /magic/);
  t.deepEqual(eventsOf(watch, 'lost'), [{ event: 'lost', run: 's', producer: '7', count: 2, expected: 3, got: 5 }]);
  t.deepEqual(eventsOf(watch, 'end'), [{ event: 'end', run: 's' }]);
  const summary = watch.events.at(-1)!;
  t.deepEqual(summary, { event: 'summary', frames: 7, rejected: 2, lost: 2, epochs: 1 });
  for (const e of watch.events) t.is(typeof e.event, 'string');
});
