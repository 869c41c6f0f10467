/**
 * The metrics of a new layout (docs/method.md#metrics), each with one definition shared with
 * `sentrycam eval`: neighbour preservation and trustworthiness against the exact raw-D neighbours
 * of a seeded query sample (metricQueryRows), for the shown layout, the encoder's layout and the
 * placed test split; stability against the previous layout; class geometry (D, V); and with a
 * decoder the reconstruction error, the prediction-preserving rate (ppr) and the agreement of the
 * decision regions with the shown layout.
 */
import type { Tf } from '../tf/backend.js';
import type { EpochData } from '../model/epoch-data.js';
import type { EpochMetrics } from '../model/epoch-layout.js';
import { applyStandardisation } from './standardise.js';
import { classGeometry, layoutDiameter, metricQueryRows, scoreLayouts, stability } from './metrics.js';
import { residualNorms, scoreLayoutsBounded, type SplitRows } from './metrics-bounded.js';
import { projectRows } from './pca.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { classify, classifyRaw, reduceHead } from './head.js';
import { matrix } from './knn.js';
import { rangeIdx } from './arrays.js';
import type { Projector } from './projector.js';
import type { SampleChoice } from './sampling.js';
import type { TrainResult } from './trainer.js';
import type { PlacedSplit } from './assemble.js';
import type { Reduced } from './reduce.js';
import type { EngineSettings } from './engine-options.js';
import type { ShownLayout } from './run-state.js';
import type { LazyEncoder } from './lazy-encoder.js';

/** Everything the metrics are computed from. */
export interface MeasureInput {
  readonly trainSplit: EpochData;
  /** Every split as placed; the train split's entry is the layout measured. */
  readonly parts: readonly PlacedSplit[];
  /** The reduced train split (basis coordinates, standardisation). */
  readonly reduced: Reduced;
  /** The sample the projector trained on (its rate and relative density are reported). */
  readonly sample: SampleChoice;
  /** This update's training before refinement, and the anchored steps after it. */
  readonly trained?: TrainResult;
  readonly anchored?: TrainResult;
  /** The run's projector and the encoder positions of this update (absent with the projector off). */
  readonly projector?: Projector;
  readonly encoder?: LazyEncoder;
  /** The run's previous layout of all splits (absent on a cold start). */
  readonly previous?: ShownLayout;
}

/**
 * Above this many train rows the scores use the basis-plus-residual bounds (metrics-bounded.ts):
 * the same exact raw-space ranks for a fraction of the cost, and the encoder's own layout is not
 * scored (it needs a forward pass of every row, ~0.5 s at 50,000; encoder_nn15 is left out).
 */
export const BOUNDED_METRICS_ROWS = 20_000;

/**
 * @param tf tfjs
 * @param input what to measure (see MeasureInput)
 * @param o settings: seed, k, metricQueries
 * @returns every metric but update_ms (the engine adds the time last)
 */
export function measure(tf: Tf, input: MeasureInput, o: EngineSettings): Omit<EpochMetrics, 'update_ms'> {
  const { trainSplit, parts, reduced, sample, trained, anchored, projector, encoder } = input;
  const n = trainSplit.n;
  const pos = parts.find((p) => p.data === trainSplit)!.pos;
  const queries = metricQueryRows(o.seed, trainSplit.run, n, o.metricQueries);
  const kq = Math.min(o.k, n - 2);
  const large = n > BOUNDED_METRICS_ROWS;
  if (encoder) encoder.rows(large ? queries : rangeIdx(n));
  const layouts = encoder && !large ? [pos, encoder.pos] : [pos];
  const split = large ? splitRows(tf, parts, trainSplit, reduced) : undefined;
  const [shown, enc] = split ? scoreLayoutsBounded(tf, split, layouts, kq, queries, n) : scoreLayouts(tf, matrix(trainSplit.x, n, trainSplit.dim), layouts, kq, queries);
  const test = testScore(tf, parts, trainSplit, o, split);
  const diameter = layoutDiameter(pos);
  const stab = input.previous ? finite(stability(input.previous.ids, input.previous.pos, trainSplit.ids, pos, diameter)) : undefined;
  const geometry = trainSplit.labels ? classGeometry(pos, trainSplit.labels, diameter) : undefined;
  const D = geometry && finite(geometry.D);
  const V = geometry && finite(geometry.V);
  const rec = projector?.hasDecoder && encoder ? reconstruction(tf, projector, trainSplit, reduced, encoder.pos, pos, queries) : {};
  const steps = (trained?.steps ?? 0) + (anchored?.steps ?? 0);
  const loss = anchored && anchored.steps > 0 ? anchored.loss : (trained?.loss ?? NaN);
  return {
    sample_rate: sample.rate,
    rel_density: sample.rho,
    sample_fallback: sample.fallback,
    train_steps: steps,
    ...(anchored ? { anchor_steps: anchored.steps } : {}),
    loss,
    nn15: shown.nn,
    trust15: shown.trust,
    ...(enc ? { encoder_nn15: enc.nn, encoder_trust15: enc.trust } : {}),
    ...(test !== undefined ? { test_nn15: test } : {}),
    ...(rec.ppr !== undefined ? { ppr: rec.ppr } : {}),
    ...(rec.region_agreement !== undefined ? { region_agreement: rec.region_agreement } : {}),
    ...(rec.recon !== undefined ? { recon: rec.recon } : {}),
    ...(stab !== undefined ? { stability: stab } : {}),
    ...(D !== undefined ? { D } : {}),
    ...(V !== undefined ? { V } : {}),
    degenerate: false,
  };
}

/**
 * Neighbour preservation of the first other split ('test') as placed: its query rows' raw-D
 * neighbours among train + test rows against their 2-D neighbours among the same rows.
 * @returns undefined without another split (or with too few points)
 */
export function testScore(tf: Tf, parts: readonly PlacedSplit[], trainSplit: EpochData, o: Pick<EngineSettings, 'seed' | 'k' | 'metricQueries'>, split?: SplitRows): number | undefined {
  const other = parts.find((p) => p.data !== trainSplit && p.data.dim === trainSplit.dim);
  const train = parts.find((p) => p.data === trainSplit);
  if (!other || !train || other.data.n === 0) return undefined;
  const nt = trainSplit.n;
  const total = nt + other.data.n;
  const k = Math.min(o.k, total - 2);
  if (k < 1) return undefined;
  const low = new Float32Array(total * 2);
  low.set(train.pos);
  low.set(other.pos, nt * 2);
  const local = metricQueryRows(o.seed, `${trainSplit.run}/${other.data.split}`, other.data.n, o.metricQueries);
  const queries = Int32Array.from(local, (r) => nt + r);
  if (split && split.r.length === total) return finite(scoreLayoutsBounded(tf, split, [low], k, queries)[0].nn);
  const x = new Float32Array(total * trainSplit.dim);
  x.set(trainSplit.x);
  x.set(other.data.x, nt * trainSplit.dim);
  return finite(scoreLayouts(tf, matrix(x, total, trainSplit.dim), [low], k, queries)[0].nn);
}

/**
 * The train rows and the first other split (as testScore reads them) in basis coordinates with
 * their residual norms, for the bounded scores.
 */
function splitRows(tf: Tf, parts: readonly PlacedSplit[], trainSplit: EpochData, reduced: Reduced): SplitRows {
  const { stats, basis, z } = reduced;
  const dim = trainSplit.dim;
  const m = basis.m;
  const other = parts.find((p) => p.data !== trainSplit && p.data.dim === dim)?.data;
  const blocks = [{ x: trainSplit.x, n: trainSplit.n }, ...(other && other.n > 0 ? [{ x: other.x, n: other.n }] : [])];
  const total = blocks.reduce((a, b) => a + b.n, 0);
  const zAll = new Float32Array(total * m);
  zAll.set(z);
  if (blocks.length > 1) {
    const t = tf.tensor2d(other!.x, [other!.n, dim]) as Tensor2D;
    try {
      zAll.set(projectRows(tf, t, stats.mean, stats.scale, basis), trainSplit.n * m);
    } finally {
      t.dispose();
    }
  }
  const r = new Float64Array(total);
  let at = 0;
  for (const b of blocks) {
    r.set(residualNorms(tf, b.x, b.n, dim, stats.mean, stats.scale, zAll.subarray(at * m, (at + b.n) * m), m, basis.rows), at);
    at += b.n;
  }
  return { blocks, dim, z: zAll, m, r, scale: stats.scale };
}

/**
 * Through the decoder, on the query rows:
 * - recon: relative reconstruction error of dec(enc(x)) in standardised D-space (the error inside
 *   the basis plus the part of the row the basis does not hold), over the rows' distance to the mean;
 * - ppr (with a head): share of rows whose dec(enc(x)) the head classifies as it classifies x;
 * - region_agreement (with a head): share of rows whose decision region at their shown position
 *   (the head's class of dec(shown position)) is the head's class of x: the regions drawn under the
 *   points agree with the points.
 */
function reconstruction(
  tf: Tf,
  projector: Projector,
  trainSplit: EpochData,
  reduced: Reduced,
  enc: Float32Array,
  pos: Float32Array,
  queries: Int32Array,
): { ppr?: number; recon?: number; region_agreement?: number } {
  const { basis, stats, zm } = reduced;
  const m = basis.m;
  const dim = trainSplit.dim;
  const nq = queries.length;
  const pick = (p: Float32Array): Float32Array => {
    const out = new Float32Array(nq * 2);
    queries.forEach((r, i) => {
      out[2 * i] = p[2 * r];
      out[2 * i + 1] = p[2 * r + 1];
    });
    return out;
  };
  const zr = projector.apply(tf, 'dec', pick(enc), nq);
  const xStd = applyStandardisation(stats, trainSplit.x, dim, queries);
  let errSum = 0;
  let normSum = 0;
  for (let i = 0; i < nq; i++) {
    let full = 0;
    for (let j = 0; j < dim; j++) full += xStd[i * dim + j] ** 2;
    let inBasis = 0;
    let err = 0;
    for (let c = 0; c < m; c++) {
      const v = zm.data[queries[i] * m + c];
      inBasis += v * v;
      err += (v - zr[i * m + c]) ** 2;
    }
    errSum += Math.sqrt(Math.max(0, full - inBasis) + err);
    normSum += Math.sqrt(full);
  }
  const recon = normSum > 0 ? errSum / normSum : undefined;
  if (!trainSplit.head) return { recon };
  const head = reduceHead(trainSplit.head, basis, stats.mean, stats.scale);
  const predX = classifyRaw(trainSplit.head, trainSplit.x, queries);
  const agree = (cls: Int32Array): number => {
    let same = 0;
    for (let i = 0; i < nq; i++) if (cls[i] === predX[i]) same++;
    return same / nq;
  };
  const ppr = agree(classify(head, zr, nq));
  const region_agreement = agree(classify(head, projector.apply(tf, 'dec', pick(pos), nq), nq));
  return { recon, ppr, region_agreement };
}

/** The value, or undefined when it is not finite (a metric that could not be computed is left out). */
function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}
