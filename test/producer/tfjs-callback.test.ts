/**
 * sentrycamCallback with real tfjs training (tfjs-layers on the backend initTf chose): the frames
 * carry exactly what the model computes, nothing leaks, and the example streams into a real monitor.
 */
import test from 'ava';
import * as tfl from '@tensorflow/tfjs-layers';
import { initTf } from '../../src/tf/backend.js';
import { rowArgMax, sentrycamCallback, type CallbackSink } from '../../src/producer/tfjs-callback.js';
import type { BatchArgs, EpochEndArgs, HelloArgs, MetricsArgs } from '../../src/producer/producer.js';
import { Producer } from '../../src/producer/producer.js';
import { createRng } from '../../src/util/random.js';
import { fitDigits } from '../../examples/tfjs-fit.js';
import { ipcAddress } from './pull-helper.js';
import { eventsOf, runCli } from '../cli/cli-process.js';

type Sent = { kind: 'hello'; a: HelloArgs } | { kind: 'batch'; a: BatchArgs } | { kind: 'metrics'; a: MetricsArgs } | { kind: 'epochEnd'; a: EpochEndArgs } | { kind: 'end' };

/** Keeps every call, arrays copied (the callback may reuse nothing, but the check must not depend on it). */
function collector(): CallbackSink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    hello: (a) => sent.push({ kind: 'hello', a }),
    batch: (a) => sent.push({ kind: 'batch', a: { ...a, x: a.x.slice(), ids: Array.from(a.ids), labels: a.labels && Array.from(a.labels), preds: a.preds && Array.from(a.preds) } }),
    metrics: (a) => sent.push({ kind: 'metrics', a }),
    epochEnd: (a) => sent.push({ kind: 'epochEnd', a }),
    end: () => sent.push({ kind: 'end' }),
  };
}

/** Three separable Gaussian blobs in 6-D, seeded. */
async function blobs(n: number, seed: number) {
  const { tf } = await initTf();
  const rng = createRng(seed);
  const x = new Float32Array(n * 6);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let d = 0; d < 6; d++) x[i * 6 + d] = (d === y[i]! * 2 ? 3 : 0) + rng.normal();
  }
  return { tf, x: tf.tensor2d(x, [n, 6]), labels: y, y: tf.oneHot(tf.tensor1d(y, 'int32'), 3) };
}

/** A functional model 6 -> 5 (relu, 'h') -> 3 (softmax, 'out'), seeded. */
function functionalModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [6] });
  const h = tfl.layers.dense({ name: 'h', units: 5, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ name: 'out', units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ name: 'blobs', inputs: input, outputs: out });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

test('each epoch sends the watched layer, the predictions, the logs and the head as the model computes them', async (t) => {
  const { tf, x, y, labels } = await blobs(90, 11);
  const model = functionalModel();
  const probe = tfl.model({ inputs: model.inputs, outputs: model.getLayer('h').output });
  const sink = collector();
  // Split the 90 samples into chunks of 40, 40 and 10 rows: one frame each.
  const chunks = [tf.slice(x, 0, 40), tf.slice(x, 40, 40), tf.slice(x, 80, 10)];
  const expected: { hidden: Float32Array; preds: Int32Array; kernel: Float32Array; bias: Float32Array }[] = [];
  const tensorCounts: number[] = [];
  const cb = sentrycamCallback({ producer: sink, model, layer: 'h', samples: { x: chunks, labels, ids: Array.from({ length: 90 }, (_, i) => 1000 + i) }, classes: ['a', 'b', 'c'] });
  await model.fit(x, y, {
    epochs: 3,
    batchSize: 30,
    shuffle: false,
    validationData: [x, y],
    verbose: 0,
    callbacks: [
      cb,
      {
        // Runs after SentryCam's callback, on the same weights.
        onEpochEnd: async () => {
          const hidden = probe.predict(x) as ReturnType<typeof tf.tensor2d>;
          const probs = model.predict(x) as ReturnType<typeof tf.tensor2d>;
          const [kernel, bias] = model.getLayer('out').getWeights();
          expected.push({ hidden: hidden.dataSync() as Float32Array, preds: rowArgMax(probs.dataSync(), 90, 3), kernel: kernel!.dataSync() as Float32Array, bias: bias!.dataSync() as Float32Array });
          tf.dispose([hidden, probs]);
          tensorCounts.push(tf.memory().numTensors);
        },
      },
    ],
  });
  t.teardown(() => tf.dispose([x, y, ...chunks]));

  t.deepEqual(sink.sent.map((s) => s.kind), ['hello', ...Array(3).fill(['batch', 'batch', 'batch', 'metrics', 'epochEnd']).flat(), 'end']);
  t.deepEqual((sink.sent[0] as { a: HelloArgs }).a, { layer: 'h', dim: 5, classes: ['a', 'b', 'c'], model: 'blobs' });
  for (let epoch = 0; epoch < 3; epoch++) {
    const frames = sink.sent.slice(1 + epoch * 5, 6 + epoch * 5);
    const batches = frames.slice(0, 3).map((s) => (s as { a: BatchArgs }).a);
    t.deepEqual(batches.map((b) => [b.epoch, b.split, b.n, b.dim]), [[epoch, 'train', 40, 5], [epoch, 'train', 40, 5], [epoch, 'train', 10, 5]]);
    const e = expected[epoch]!;
    const x0 = Float32Array.from(batches.flatMap((b) => Array.from(b.x)));
    t.deepEqual(Array.from(x0), Array.from(e.hidden), `epoch ${epoch}: activations`);
    t.deepEqual(batches.flatMap((b) => Array.from(b.ids)), Array.from({ length: 90 }, (_, i) => 1000 + i));
    t.deepEqual(batches.flatMap((b) => Array.from(b.labels!)), Array.from(labels));
    t.deepEqual(batches.flatMap((b) => Array.from(b.preds!)), Array.from(e.preds), `epoch ${epoch}: predictions`);
    const m = (frames[3] as { a: MetricsArgs }).a;
    t.is(m.epoch, epoch);
    t.deepEqual(Object.keys(m.values).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
    t.true(Object.values(m.values).every(Number.isFinite));
    const head = (frames[4] as { a: EpochEndArgs }).a.head!;
    t.like(head, { classes: 3, dim: 5 });
    // The protocol's head is [C, D]; tfjs' kernel is [D, C].
    for (let c = 0; c < 3; c++) for (let d = 0; d < 5; d++) t.is(head.weight[c * 5 + d], e.kernel[d * 3 + c]);
    t.deepEqual(Array.from(head.bias), Array.from(e.bias));
  }
  // The training moved the representation (the frames are not one epoch repeated).
  t.notDeepEqual(Array.from(expected[0]!.hidden), Array.from(expected[2]!.hidden));
  // No tensor leaks from one epoch to the next.
  t.is(tensorCounts[2], tensorCounts[1]);
});

test('no head when the last layer is not fed by the watched layer; logs off; no end when asked', async (t) => {
  const { tf, x, y, labels } = await blobs(30, 5);
  const model = functionalModel();
  const sink = collector();
  const cb = sentrycamCallback({ producer: sink, model, layer: model.layers[0]!, samples: { x, labels }, metrics: false, endOnTrainEnd: false, head: 'auto' });
  await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [cb] });
  t.teardown(() => tf.dispose([x, y]));
  // layers[0] is the input layer: its output is the input (6 wide), not what 'out' takes.
  t.deepEqual(sink.sent.map((s) => s.kind), ['hello', 'batch', 'epochEnd']);
  t.is((sink.sent[0] as { a: HelloArgs }).a.dim, 6);
  t.is((sink.sent[2] as { a: EpochEndArgs }).a.head, undefined);
  // Default ids: the row index.
  t.deepEqual(Array.from((sink.sent[1] as { a: BatchArgs }).a.ids), Array.from({ length: 30 }, (_, i) => i));
});

test('bad options fail when the callback is built, before training', async (t) => {
  const { tf, x, labels } = await blobs(9, 1);
  t.teardown(() => tf.dispose([x]));
  const model = functionalModel();
  const sink = collector();
  t.throws(() => sentrycamCallback({ producer: sink, model, layer: 'nope', samples: { x } }), { message: /nope/ });
  t.throws(() => sentrycamCallback({ producer: sink, model, layer: 'h', samples: { x, ids: [1, 2, 3] } }), { message: /samples\.ids has 3 entries for 9 samples/ });
  t.throws(() => sentrycamCallback({ producer: sink, model, layer: 'h', samples: { x, ids: [1, 1, 2, 3, 4, 5, 6, 7, 8] } }), { message: /unique/ });
  t.throws(() => sentrycamCallback({ producer: sink, model, layer: 'h', samples: { x, labels: labels.subarray(0, 4) } }), { message: /samples\.labels has 4 entries/ });
  t.throws(() => sentrycamCallback({ producer: sink, model, layer: 'h', samples: { x: [] } }), { message: /samples\.x must be a tensor/ });
  t.is(sink.sent.length, 0);
});

test('the example (a Sequential model, model.fit) streams into a real monitor: every epoch complete, the last projected with the head, 0 rejected, 0 lost', async (t) => {
  const address = ipcAddress('tfjs-fit');
  const watch = runCli(['watch', '--headless', '--json', '--listen', address, '--no-record', '--exit-on-end', '--reproducible']);
  await watch.waitFor((e) => e.event === 'listening', 30_000, 'listening event');
  const producer = new Producer({ address, run: 'tfjs-fit' });
  await fitDigits({ sink: producer, epochs: 3, seed: 1 });
  await producer.close();
  // hello, 4 frames per epoch, end, and the hello the producer repeats before each later epoch (2).
  t.deepEqual(producer.stats, { sent: 1 + 3 * 4 + 1 + 2, dropped: 0, queued: 0 });
  t.is(await watch.exit(120_000), 0, watch.stderr());

  const hello = eventsOf(watch, 'hello')[0]!;
  t.like(hello, { run: 'tfjs-fit', layer: 'hidden2', dim: 32, model: 'mlp-784-64-32-10' });
  const epochs = eventsOf(watch, 'epoch');
  t.deepEqual(epochs.map((e) => `${String(e.epoch)}/${String(e.split)} n=${String(e.n)}`), [0, 1, 2].flatMap((k) => [`${k}/train n=1000`, `${k}/test n=300`]));
  // Live, the engine skips an epoch that a newer one overtook; the last one is always projected.
  t.true(epochs.every((e) => e.engine === 'projected' || e.engine === 'skipped'));
  const last = epochs.filter((e) => e.epoch === 2);
  // The head arrived: the engine measured how well the layout keeps the predictions.
  t.true(last.every((e) => e.engine === 'projected' && typeof e.ppr === 'number' && typeof e.nn15 === 'number'), JSON.stringify(last));
  const metrics = eventsOf(watch, 'metrics');
  t.deepEqual(metrics.map((m) => m.epoch), [0, 1, 2]);
  const valLoss = metrics.map((m) => (m.values as Record<string, number>).val_loss!);
  // The model learns: validation loss falls over the three epochs.
  t.true(valLoss[2]! < valLoss[0]!, `val_loss ${valLoss.join(' -> ')}`);
  t.like(eventsOf(watch, 'summary')[0], { rejected: 0, lost: 0, epochs: 3 });
});
