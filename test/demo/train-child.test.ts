import test from 'ava';
import { spawnTrainer, waitForExit } from '../../src/demo/run-demo.js';
import { loadDigits } from '../../src/demo/mnist-data.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import type { BatchFrame, EpochEndFrame, Frame, HelloFrame, MetricsFrame } from '../../src/protocol/types.js';
import { ipcAddress, listen } from '../producer/pull-helper.js';

function decodeAll(msgs: readonly Buffer[]): Frame[] {
  return msgs.map((m, i) => {
    const r = decodeFrame(m);
    if (!r.ok) throw new Error(`frame ${i} rejected: ${r.reject.reason}`);
    return r.frame;
  });
}

const EPOCHS = 3;

test('a real 3-epoch run streams hello, both splits, metrics, heads and end; and it learns', async (t) => {
  const address = ipcAddress('demo');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const child = spawnTrainer({ epochs: EPOCHS, seed: 1, address, quiet: true });
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await waitForExit(child);
  t.is(code, 0, stderr);
  // hello + per epoch (4 train + 1 test batches, metrics, epoch_end) + end, and the producer's
  // repeated hello before each later epoch
  const expected = 1 + EPOCHS * 7 + (EPOCHS - 1) + 1;
  const all = decodeAll(await pull.waitFor(expected));
  pull.close();
  t.is(all.length, expected);
  t.deepEqual(all.map((f) => f.seq), all.map((_, i) => i));
  t.true(all.every((f) => f.run === 'demo-mnist-s1'));

  const hello = all[0] as HelloFrame;
  t.is(hello.type, 'hello');
  t.is(hello.dim, 64);
  t.deepEqual(hello.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  t.deepEqual(all.flatMap((f, i) => (f.type === 'hello' ? [i] : [])), Array.from({ length: EPOCHS }, (_, e) => e * 8));
  t.is(all.at(-1)!.type, 'end');
  const frames = [hello, ...all.slice(1).filter((f) => f.type !== 'hello')];

  const digits = loadDigits();
  const valAcc: number[] = [];
  let trainIds: number[] | undefined;
  for (let e = 0; e < EPOCHS; e++) {
    const group = frames.slice(1 + e * 7, 1 + (e + 1) * 7);
    t.deepEqual(group.map((f) => f.type), ['batch', 'batch', 'batch', 'batch', 'batch', 'metrics', 'epoch_end']);
    const batches = group.slice(0, 5) as BatchFrame[];
    t.true(batches.every((b) => b.epoch === e && b.dim === 64));
    t.deepEqual(batches.map((b) => b.split), ['train', 'train', 'train', 'train', 'test']);
    const ids = batches.filter((b) => b.split === 'train').flatMap((b) => [...b.ids]);
    const testIds = [...batches[4]!.ids];
    t.is(ids.length, 2000);
    t.is(testIds.length, 500);
    t.is(new Set([...ids, ...testIds]).size, 2500, 'ids are unique and the splits disjoint');
    if (trainIds) t.deepEqual(ids, trainIds, 'the same samples, in the same order, every epoch');
    trainIds = ids;
    // Labels are the dataset's: the id is the row of the bundled MNIST set.
    for (const b of batches) for (let i = 0; i < b.n; i++) t.is(b.labels![i], digits.labels[b.ids[i]!]!);

    const metrics = group[5] as MetricsFrame;
    t.is(metrics.epoch, e);
    for (const key of ['train_loss', 'val_loss', 'val_acc', 'lr']) t.true(Number.isFinite(metrics.values[key]), key);
    t.true(Math.abs(metrics.values.lr! - 0.05 * 0.5 ** (e / 10)) < 1e-9, 'the stable schedule');
    valAcc.push(metrics.values.val_acc!);

    const end = group[6] as EpochEndFrame;
    t.is(end.epoch, e);
    t.like(end.head, { classes: 10, dim: 64 });
    // The head is [C, D] (tfjs kernels are [D, C]): argmax(W x + b) must give the predictions sent.
    const { weight, bias } = end.head!;
    let agree = 0;
    let total = 0;
    for (const b of batches) {
      for (let i = 0; i < b.n; i++) {
        let best = -Infinity;
        let arg = -1;
        for (let c = 0; c < 10; c++) {
          let z = bias[c]!;
          for (let d = 0; d < 64; d++) z += weight[c * 64 + d]! * b.x[i * 64 + d]!;
          if (z > best) (best = z), (arg = c);
        }
        if (arg === b.preds![i]) agree++;
        total++;
      }
    }
    // float32 rounding can flip a near-tie; anything but a transposed head agrees almost everywhere.
    t.true(agree / total > 0.995, `head reproduces ${agree}/${total} predictions`);
  }
  t.true(valAcc[EPOCHS - 1]! > valAcc[0]!, `val_acc ${valAcc.join(' -> ')} improves`);
  t.true(valAcc[EPOCHS - 1]! > 0.85, `val_acc ${valAcc.join(' -> ')} is that of a trained network`);
});

test('SIGTERM stops the trainer between steps: exit 143 and no end frame', async (t) => {
  const address = ipcAddress('demo-stop');
  const pull = listen(address);
  t.teardown(() => pull.close());
  const child = spawnTrainer({ epochs: 30, seed: 2, address, quiet: true });
  t.teardown(() => child.kill('SIGKILL'));
  await pull.waitFor(2, 60_000); // hello and the first batch: training is under way
  child.kill('SIGTERM');
  t.is(await waitForExit(child), 143);
  const frames = decodeAll(pull.messages);
  pull.close();
  t.is(frames[0]!.type, 'hello');
  t.false(frames.some((f) => f.type === 'end'));
  t.true(frames.length < 1 + 30 * 7);
});

test('a bad option exits with code 2 and names the option', async (t) => {
  const child = spawnTrainer({ epochs: 0 });
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  t.is(await waitForExit(child), 2);
  t.regex(stderr, /--epochs must be an integer >= 1, got '0'/);
});
