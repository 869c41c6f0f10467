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
import { classGeometry, layoutDiameter, metricQueryRows, scoreLayouts, stability, type Faithfulness } from './metrics.js';
import { scoreJobsLarge, type RowBlocks, type ScoreJob } from './metrics-large.js';
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
 * Above this many train rows the scores stream the rows through one product with the query rows
 * (metrics-large.ts; the same exact raw-space distances), and the encoder's own layout is not
 * scored (it needs a forward pass of every row, ~0.5 s at 50,000; encoder_nn15 is left out).
 */
export const LARGE_METRICS_ROWS = 20_000;
/**
 * Query rows of the live scores above LARGE_METRICS_ROWS (train and test each). Every query costs
 * a product over every raw row: at 50,000 x 512 about 9 ms of CPU per query, so 200 train + 200 test
 * queries took ~3.6 s, more than the whole 3 s update is allowed (scratch/metrics timing, issue 12).
 * 64 keep the live nn15 within about +-0.04 (its standard error) for a third of that; the bench and
 * `eval` score 200 rows offline.
 */
export const LARGE_METRIC_QUERIES = 64;

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
  const large = n > LARGE_METRICS_ROWS;
  const nQueries = large ? Math.min(o.metricQueries, LARGE_METRIC_QUERIES) : o.metricQueries;
  const queries = metricQueryRows(o.seed, trainSplit.run, n, nQueries);
  const kq = Math.min(o.k, n - 2);
  if (encoder) encoder.rows(large ? queries : rangeIdx(n));
  const layouts = encoder && !large ? [pos, encoder.pos] : [pos];
  const blocks = large ? rowBlocks(parts, trainSplit) : undefined;
  const centre = reduced.stats.mean;
  let shown: Faithfulness;
  let enc: Faithfulness | undefined;
  let test: number | undefined;
  if (blocks) {
    // One pass over the raw rows scores the train queries and the test split's (metrics-large.ts).
    const testQ = testJob(parts, trainSplit, { ...o, metricQueries: nQueries });
    const [train, other] = scoreJobsLarge(tf, blocks, centre, [{ lows: layouts, k: kq, queries, candidates: n }, ...(testQ && blocks.blocks.length === 2 ? [testQ] : [])]);
    [shown, enc] = train;
    test = other && finite(other[0].nn);
  } else {
    [shown, enc] = scoreLayouts(tf, matrix(trainSplit.x, n, trainSplit.dim), layouts, kq, queries);
    test = testScore(tf, parts, trainSplit, o);
  }
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
export function testScore(tf: Tf, parts: readonly PlacedSplit[], trainSplit: EpochData, o: Pick<EngineSettings, 'seed' | 'k' | 'metricQueries'>): number | undefined {
  const job = testJob(parts, trainSplit, o);
  const other = parts.find((p) => p.data !== trainSplit && p.data.dim === trainSplit.dim);
  if (!job || !other) return undefined;
  const total = trainSplit.n + other.data.n;
  const x = new Float32Array(total * trainSplit.dim);
  x.set(trainSplit.x);
  x.set(other.data.x, trainSplit.n * trainSplit.dim);
  return finite(scoreLayouts(tf, matrix(x, total, trainSplit.dim), job.lows, job.k, job.queries)[0].nn);
}

/**
 * The test score's job: the train + test layout, k, and the test split's seeded query rows
 * (indices into train rows then test rows).
 * @returns undefined without another split (or with too few points)
 */
function testJob(parts: readonly PlacedSplit[], trainSplit: EpochData, o: Pick<EngineSettings, 'seed' | 'k' | 'metricQueries'>): ScoreJob | undefined {
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
  return { lows: [low], k, queries: Int32Array.from(local, (r) => nt + r) };
}

/** The train rows and the first other split (as testScore reads it), for the large-epoch scores. */
function rowBlocks(parts: readonly PlacedSplit[], trainSplit: EpochData): RowBlocks {
  const other = parts.find((p) => p.data !== trainSplit && p.data.dim === trainSplit.dim && p.data.n > 0)?.data;
  return { blocks: [{ x: trainSplit.x, n: trainSplit.n }, ...(other ? [{ x: other.x, n: other.n }] : [])], dim: trainSplit.dim };
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
