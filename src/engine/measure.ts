/**
 * The metrics of a new layout (docs/method.md#metrics): neighbour preservation and trustworthiness
 * on a seeded query sample, stability against the previous layout, class geometry (D, V), and with
 * a decoder the reconstruction error and the prediction-preserving rate (ppr).
 */
import type { Tf } from '../tf/backend.js';
import type { EpochData } from '../model/epoch-data.js';
import type { EpochMetrics } from '../model/epoch-layout.js';
import { createRng, deriveSeed, sampleIndices } from '../util/random.js';
import { applyStandardisation } from './standardise.js';
import { classGeometry, faithfulness, layoutDiameter, stability } from './metrics.js';
import { classify, classifyRaw, reduceHead } from './head.js';
import { concatIds, concatPos } from './arrays.js';
import type { KnnResult } from './knn.js';
import type { Projector } from './projector.js';
import type { SampleChoice } from './sampling.js';
import type { TrainResult } from './trainer.js';
import type { PlacedSplit } from './assemble.js';
import type { Reduced } from './reduce.js';
import type { EngineSettings } from './engine-options.js';
import type { ShownLayout } from './run-state.js';

/** Everything the metrics are computed from. */
export interface MeasureInput {
  readonly trainSplit: EpochData;
  /** Every split as placed; the train split's entry is the layout measured. */
  readonly parts: readonly PlacedSplit[];
  /** The reduced train split (basis coordinates, standardisation). */
  readonly reduced: Reduced;
  /** The sample the projector trained on (its rate and relative density are reported). */
  readonly sample: SampleChoice;
  /** Every train row's neighbours when the layout graph has them (saves the nn15 search). */
  readonly allKnn?: KnnResult;
  /** This update's training (steps and loss are reported). */
  readonly trained: TrainResult;
  readonly projector: Projector;
  /** The run's previous layout of all splits (absent on a cold start). */
  readonly previous?: ShownLayout;
}

/**
 * @param tf tfjs
 * @param input what to measure (see MeasureInput)
 * @param o settings: seed, k, metricQueries
 * @returns every metric but update_ms (the engine adds the time last)
 */
export function measure(tf: Tf, input: MeasureInput, o: EngineSettings): Omit<EpochMetrics, 'update_ms'> {
  const { trainSplit, parts, reduced, sample, allKnn, trained } = input;
  const n = trainSplit.n;
  const pos = parts.find((p) => p.data === trainSplit)!.pos;
  const qrng = createRng(deriveSeed(o.seed, 'metric-queries', trainSplit.run, n));
  const queries = sampleIndices(n, Math.min(n, o.metricQueries), qrng).sort();
  // nn15 reuses the layout graph's neighbour lists (every row's 15-NN, already computed); the
  // trust ranks need full distance rows, so they use a quarter of the queries.
  const kq = Math.min(o.k, n - 2);
  const faith = faithfulness(tf, reduced.zm, pos, kq, queries, Math.ceil(queries.length / 4), allKnn && allKnn.k >= kq ? allKnn : undefined);
  const diameter = layoutDiameter(pos);
  const stab = input.previous ? finite(stability(input.previous.ids, input.previous.pos, concatIds(parts), concatPos(parts), diameter)) : undefined;
  const geometry = trainSplit.labels ? classGeometry(pos, trainSplit.labels, diameter) : undefined;
  const D = geometry && finite(geometry.D);
  const V = geometry && finite(geometry.V);
  const { ppr, recon } = input.projector.hasDecoder ? reconstruction(tf, input.projector, trainSplit, reduced, pos, queries) : {};
  return {
    sample_rate: sample.rate,
    rel_density: sample.rho,
    train_steps: trained.steps,
    loss: trained.loss,
    nn15: faith.nn,
    trust15: faith.trust,
    ...(ppr !== undefined ? { ppr } : {}),
    ...(recon !== undefined ? { recon } : {}),
    ...(stab !== undefined ? { stability: stab } : {}),
    ...(D !== undefined ? { D } : {}),
    ...(V !== undefined ? { V } : {}),
    degenerate: false,
  };
}

/**
 * Decode the query rows' layout positions and compare with the rows themselves.
 * recon: relative reconstruction error in standardised D-space, the error inside the basis plus
 * the part of the row the basis does not hold, over the row's distance to the mean.
 * ppr: share of queries whose reconstruction the head classifies as it classifies the raw row
 * (only with a head).
 */
function reconstruction(
  tf: Tf,
  projector: Projector,
  trainSplit: EpochData,
  reduced: Reduced,
  pos: Float32Array,
  queries: Int32Array,
): { ppr?: number; recon?: number } {
  const { basis, stats, zm } = reduced;
  const m = basis.m;
  const dim = trainSplit.dim;
  const yq = new Float32Array(queries.length * 2);
  queries.forEach((r, i) => {
    yq[2 * i] = pos[2 * r];
    yq[2 * i + 1] = pos[2 * r + 1];
  });
  const zr = projector.apply(tf, 'dec', yq, queries.length);
  const xStd = applyStandardisation(stats, trainSplit.x, dim, queries);
  let errSum = 0;
  let normSum = 0;
  for (let i = 0; i < queries.length; i++) {
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
  const predRec = classify(head, zr, queries.length);
  const predX = classifyRaw(trainSplit.head, trainSplit.x, queries);
  let same = 0;
  for (let i = 0; i < queries.length; i++) if (predRec[i] === predX[i]) same++;
  return { recon, ppr: same / queries.length };
}

/** The value, or undefined when it is not finite (a metric that could not be computed is left out). */
function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}
