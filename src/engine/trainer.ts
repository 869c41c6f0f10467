/**
 * Trains the projector on one epoch's graph within a time budget (docs/method.md#projector): batches of
 * edges drawn with probability proportional to weight, UMAP cross-entropy with negatives,
 * reconstruction, temporal-anchor and (anchored, with a classifier head) head losses, Adam (run in
 * plain JS on the flat parameter vector), early stopping per round, step decay of the learning rate.
 */
import type { Tf } from '../tf/backend.js';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { EdgeList } from './fuzzy-graph.js';
import type { Projector, BatchStats } from './projector.js';
import { anchorLoss, classCrossEntropy, reconstructionLoss, umapCrossEntropy } from './losses.js';
import { classProbabilities, type ReducedHead } from './head.js';
import type { Rng } from '../util/random.js';

/** Historical rows and the temporal edges from current rows to them. */
export interface TemporalSet {
  /** Historical rows in the current input space, rows*m. */
  readonly x: Float32Array;
  readonly rows: number;
  /** Where their own epoch's layout put them, rows*2. */
  readonly target: Float32Array;
  /** Allowed slack per row (the epoch's margin). */
  readonly margin: Float32Array;
  /** Edges: current row -> historical row, with weights. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float32Array;
  /**
   * Rows from this index on are anchors: copies of current rows whose target is where the layout
   * shows them (train-projector.ts anchoredSet). The head loss decodes their targets.
   */
  readonly shownFrom?: number;
}

/**
 * The epoch's classifier head and the weight of its term: the decoder learns to decode an anchor's
 * shown position to something the head classifies as it classifies the anchor's row
 * (docs/method.md#losses).
 */
export interface HeadTerm {
  /** The head in the projector's input space (head.ts reduceHead). */
  readonly head: ReducedHead;
  /** Factor on the loss (> 0). */
  readonly weight: number;
}

/** One epoch's training data. */
export interface TrainingSet {
  /** Current rows (the sample) in the input space, rows*m. */
  readonly x: Float32Array;
  readonly rows: number;
  readonly m: number;
  /** Spatial graph over the current rows. */
  readonly edges: EdgeList;
  /** Temporal part; absent on a cold start. */
  readonly temporal?: TemporalSet;
  /** Factor on the reconstruction loss [1] (the engine's: 1 / mean variance of x's columns). */
  readonly reconWeight?: number;
  /** Head-consistency term of the decoder; absent: no head, or the term is off. */
  readonly head?: HeadTerm;
}

/** Settings of one training session. */
export interface TrainOptions {
  /** q(d) curve. */
  readonly a: number;
  readonly b: number;
  /** Stop at this performance.now() time (checked before each step). */
  readonly deadline: number;
  /** Fixed number of steps instead of the clock (reproducible runs); the deadline is then ignored. */
  readonly steps?: number;
  /** With the clock: at least this many steps, even past the deadline [0]. */
  readonly minSteps?: number;
  /** Edges per batch [512] (the engine passes its own, 256: docs/engine-choices.md#batch-size). */
  readonly batch?: number;
  /** Adam learning rate (reference 0.01). */
  readonly lr?: number;
  /** L2 weight decay added to the gradient (reference 1e-5). */
  readonly weightDecay?: number;
  /** Negative rounds per positive (reference 5). */
  readonly negatives?: number;
  /** At most this many rounds (passes over the edge mass; reference 20). */
  readonly maxRounds?: number;
  /** Early stop when a round improves the loss by less than this for `patience` rounds. */
  readonly minImprovement?: number;
  readonly patience?: number;
  /** Learning rate x0.1 every this many rounds (reference 4). */
  readonly decayEvery?: number;
  /** Cap on steps per round (a round is ceil(edges / batch) steps otherwise). */
  readonly maxStepsPerRound?: number;
  readonly rng: Rng;
}

/** What a session achieved. */
export interface TrainResult {
  readonly steps: number;
  readonly rounds: number;
  /** Mean loss of the last round (or of the steps taken). */
  readonly loss: number;
  readonly stoppedBy: 'budget' | 'steps' | 'early' | 'rounds' | 'empty';
}

/** Cumulative weights for sampling by binary search. */
function cumulative(...parts: (Float32Array | undefined)[]): Float64Array {
  let len = 0;
  for (const p of parts) len += p?.length ?? 0;
  const c = new Float64Array(len);
  let acc = 0;
  let k = 0;
  for (const p of parts) {
    if (!p) continue;
    for (let i = 0; i < p.length; i++) {
      acc += Math.max(0, p[i]);
      c[k++] = acc;
    }
  }
  return c;
}

function draw(cum: Float64Array, rng: Rng): number {
  const u = rng.next() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Train in place.
 * @param tf tfjs
 * @param projector warm (previous epoch's weights) or fresh
 * @param set this epoch's rows and edges
 */
export function train(tf: Tf, projector: Projector, set: TrainingSet, opts: TrainOptions): TrainResult {
  const m = set.m;
  if (projector.shape.input !== m) throw new Error(`train: projector expects ${projector.shape.input} inputs, data has ${m}`);
  if (set.x.length !== set.rows * m) throw new Error(`train: x holds ${set.x.length} values for ${set.rows}x${m}`);
  const temporal = set.temporal && set.temporal.from.length > 0 ? set.temporal : undefined;
  const nSpatial = set.edges.from.length;
  const nTemporal = temporal?.from.length ?? 0;
  if (nSpatial + nTemporal === 0) return { steps: 0, rounds: 0, loss: NaN, stoppedBy: 'empty' };
  const batch = Math.max(2, opts.batch ?? 512);
  const lr0 = opts.lr ?? 0.01;
  const wd = opts.weightDecay ?? 1e-5;
  const negatives = opts.negatives ?? 5;
  const maxRounds = opts.maxRounds ?? 20;
  const minImprovement = opts.minImprovement ?? 0.01;
  const patience = opts.patience ?? 3;
  const decayEvery = opts.decayEvery ?? 4;
  const stepsPerRound = Math.max(1, Math.min(opts.maxStepsPerRound ?? 50, Math.ceil((nSpatial + nTemporal) / batch)));
  const rng = opts.rng;
  const cum = cumulative(set.edges.weight, temporal?.weight);
  const which: 'all' | 'enc' = projector.hasDecoder ? 'all' : 'enc';
  const slots = projector.paramSlots(which);
  const nEnc = projector.paramSlots('enc').length;
  const headTerm = projector.hasDecoder && set.head && set.head.head.m === m ? set.head : undefined;
  const params = projector.params;
  // Fresh Adam state per session, as the reference creates a new optimiser per epoch.
  const m1 = new Float32Array(params.length);
  const m2 = new Float32Array(params.length);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const adamEps = 1e-8;
  let steps = 0;
  let rounds = 0;
  let roundLoss = 0;
  let roundSteps = 0;
  let lastRoundLoss = NaN;
  let bestLoss = Infinity;
  let stale = 0;
  let stoppedBy: TrainResult['stoppedBy'] = 'rounds';
  // One buffer: the first half holds the edges' first endpoints, the second half the others.
  const rowsBuf = new Float32Array(2 * batch * m);
  const fromRows = rowsBuf.subarray(0, batch * m);
  const toRows = rowsBuf.subarray(batch * m);
  outer: while (rounds < maxRounds) {
    const lr = lr0 * Math.pow(0.1, Math.floor(rounds / decayEvery));
    for (let s = 0; s < stepsPerRound; s++) {
      if (opts.steps !== undefined) {
        if (steps >= opts.steps) {
          stoppedBy = 'steps';
          break outer;
        }
      } else if (steps >= (opts.minSteps ?? 0) && performance.now() >= opts.deadline) {
        stoppedBy = 'budget';
        break outer;
      }
      // Draw edges; spatial first, temporal after, so the temporal rows form one tail slice.
      const spatialPicks: number[] = [];
      const temporalPicks: number[] = [];
      for (let e = 0; e < batch; e++) {
        const id = draw(cum, rng);
        if (id < nSpatial) spatialPicks.push(id);
        else temporalPicks.push(id - nSpatial);
      }
      const bs = spatialPicks.length;
      const bt = temporalPicks.length;
      for (let e = 0; e < bs; e++) {
        const id = spatialPicks[e];
        // Random orientation: the graph lists each edge once with from < to.
        const flip = rng.next() < 0.5;
        const f = flip ? set.edges.to[id] : set.edges.from[id];
        const t = flip ? set.edges.from[id] : set.edges.to[id];
        fromRows.set(set.x.subarray(f * m, (f + 1) * m), e * m);
        toRows.set(set.x.subarray(t * m, (t + 1) * m), e * m);
      }
      const target = new Float32Array(bt * 2);
      const margin = new Float32Array(bt);
      // Batch positions (in the temporal tail) of the anchors, whose shown positions the head loss decodes.
      const shownAt: number[] = [];
      for (let e = 0; e < bt; e++) {
        const id = temporalPicks[e];
        const f = temporal!.from[id];
        const t = temporal!.to[id];
        fromRows.set(set.x.subarray(f * m, (f + 1) * m), (bs + e) * m);
        toRows.set(temporal!.x.subarray(t * m, (t + 1) * m), (bs + e) * m);
        target[2 * e] = temporal!.target[2 * t];
        target[2 * e + 1] = temporal!.target[2 * t + 1];
        margin[e] = temporal!.margin[t];
        if (temporal!.shownFrom !== undefined && t >= temporal!.shownFrom) shownAt.push(e);
      }
      const headBatch = headTerm ? headTargets(headTerm.head, rowsBuf, target, shownAt, batch + bs) : undefined;
      const shifts: number[] = [];
      for (let k = 0; k < negatives; k++) shifts.push(1 + rng.int(batch - 1));
      const stats: BatchStats[] = [];
      const pt = projector.paramTensors(tf, which);
      let lossValue = NaN;
      let gradValues: Float32Array[] = [];
      let statValues: { at: number; mean: Float32Array; variance: Float32Array }[] = [];
      const scratch: Tensor[] = [...pt];
      try {
        const xIn = tf.tensor2d(rowsBuf, [2 * batch, m]);
        const tgt = bt > 0 ? tf.tensor2d(target, [bt, 2]) : undefined;
        const mar = bt > 0 ? tf.tensor1d(margin) : undefined;
        const shownPos = headBatch && headBatch.shown > 0 ? tf.tensor2d(headBatch.pos, [headBatch.shown, 2]) : undefined;
        const headP = shownPos ? tf.tensor2d(headBatch!.p, [headBatch!.shown, headTerm!.head.classes]) : undefined;
        const headW = shownPos ? tf.tensor2d(headTerm!.head.weight, [m, headTerm!.head.classes]) : undefined;
        const headB = shownPos ? tf.tensor1d(headTerm!.head.bias) : undefined;
        scratch.push(xIn);
        if (tgt) scratch.push(tgt);
        if (mar) scratch.push(mar);
        if (shownPos) scratch.push(shownPos);
        if (headP) scratch.push(headP, headW!, headB!);
        const { value, grads } = tf.valueAndGrads((...ps: Tensor[]) => {
          stats.length = 0;
          const y = projector.forward(tf, 'enc', ps.slice(0, nEnc), xIn, stats);
          const yFrom = tf.slice(y, [0, 0], [batch, 2]) as Tensor2D;
          const yTo = tf.slice(y, [batch, 0], [batch, 2]) as Tensor2D;
          let loss = umapCrossEntropy(tf, yFrom, yTo, shifts, opts.a, opts.b) as Tensor;
          if (projector.hasDecoder) {
            const xr = projector.forward(tf, 'dec', ps.slice(nEnc), y, stats);
            const rec = reconstructionLoss(tf, xIn, xr);
            loss = tf.add(loss, set.reconWeight !== undefined ? tf.mul(rec, set.reconWeight) : rec);
            if (headTerm && shownPos && headP) {
              // A pass of its own in inference mode (BatchNorm's running statistics): the function
              // the regions are drawn with, and no path to the encoder through batch statistics.
              const xs = projector.forward(tf, 'dec', ps.slice(nEnc), shownPos);
              // Minus the targets' entropy: the term is a KL divergence, 0 when the decoder matches the head.
              const kl = tf.sub(classCrossEntropy(tf, xs, headW!, headB!, headP), headBatch!.entropy);
              loss = tf.add(loss, tf.mul(kl, headTerm.weight));
            }
          }
          if (bt > 0) {
            const yh = tf.slice(y, [batch + bs, 0], [bt, 2]) as Tensor2D;
            loss = tf.add(loss, anchorLoss(tf, yh, tgt!, mar as Tensor1D));
          }
          return loss as Scalar;
        })(pt);
        scratch.push(value, ...grads);
        lossValue = (value.dataSync() as Float32Array)[0];
        gradValues = grads.map((g) => g.dataSync() as Float32Array);
        statValues = stats.map((s) => ({ at: s.at, mean: s.mean.dataSync() as Float32Array, variance: s.variance.dataSync() as Float32Array }));
      } finally {
        for (const s of stats) scratch.push(s.mean, s.variance);
        tf.dispose(scratch);
      }
      if (!Number.isFinite(lossValue)) throw new Error(`train: the loss became ${lossValue} at step ${steps}`);
      // Adam (with PyTorch-style L2 weight decay) in plain JS on the flat vector.
      steps++;
      const c1 = 1 - Math.pow(beta1, steps);
      const c2 = 1 - Math.pow(beta2, steps);
      for (let sI = 0; sI < slots.length; sI++) {
        const { offset, size } = slots[sI];
        const g = gradValues[sI];
        for (let i = 0; i < size; i++) {
          const p = offset + i;
          const gi = g[i] + wd * params[p];
          m1[p] = beta1 * m1[p] + (1 - beta1) * gi;
          m2[p] = beta2 * m2[p] + (1 - beta2) * gi * gi;
          params[p] -= (lr * (m1[p] / c1)) / (Math.sqrt(m2[p] / c2) + adamEps);
        }
      }
      projector.updateRunningStats(statValues);
      roundLoss += lossValue;
      roundSteps++;
    }
    rounds++;
    lastRoundLoss = roundLoss / roundSteps;
    roundLoss = 0;
    roundSteps = 0;
    if (bestLoss - lastRoundLoss < minImprovement) stale++;
    else stale = 0;
    bestLoss = Math.min(bestLoss, lastRoundLoss);
    if (stale >= patience) {
      stoppedBy = 'early';
      break;
    }
  }
  const loss = roundSteps > 0 ? roundLoss / roundSteps : lastRoundLoss;
  return { steps, rounds, loss, stoppedBy };
}

/**
 * The head term's targets for one batch: the anchors' shown positions, and the head's class
 * probabilities of their rows with their mean entropy.
 * @param rows the batch's input rows (first endpoints, then second), rows*m
 * @param target the temporal tail's targets, 2 per temporal pick
 * @param shownAt the anchors among the temporal picks
 * @param tail batch row of the first temporal pick's second endpoint (an anchor's copy of its row)
 */
function headTargets(head: ReducedHead, rows: Float32Array, target: Float32Array, shownAt: readonly number[], tail: number): { p: Float32Array; entropy: number; pos: Float32Array; shown: number } {
  const shown = shownAt.length;
  const m = head.m;
  const z = new Float32Array(shown * m);
  const pos = new Float32Array(shown * 2);
  shownAt.forEach((e, i) => {
    const r = tail + e;
    z.set(rows.subarray(r * m, (r + 1) * m), i * m);
    pos[2 * i] = target[2 * e];
    pos[2 * i + 1] = target[2 * e + 1];
  });
  return { ...classProbabilities(head, z, shown), pos, shown };
}
