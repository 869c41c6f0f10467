/**
 * Where the train points are shown: UMAP's own optimiser refines the layout of ALL train points on
 * the layout graph, started from the previous layout for known ids (the encoder's output for new
 * ones), or from PCA on a cold start, with a small learning rate that rises when the graph changed a
 * lot. Measured on bench/engine.ts (5000 x 512): refining only the sample, starting from the
 * encoder's output, or the encoder alone preserved about half the neighbours or was up to 30x less
 * stable (docs/engine-choices.md#refinement). Those alternatives stay selectable (refine 'sample' / 'off',
 * refineInit 'encoder'). Encoder positions are computed only for rows that need them.
 */
import type { Tf } from '../tf/backend.js';
import type { Rng } from '../util/random.js';
import type { EpochData } from '../model/epoch-data.js';
import { knnSearch, type KnnResult } from './knn.js';
import type { EdgeList } from './fuzzy-graph.js';
import type { Projector } from './projector.js';
import { refineLayout } from './refine.js';
import { placeByDisplacement } from './placement.js';
import { LazyEncoder } from './lazy-encoder.js';
import { rangeIdx } from './arrays.js';
import type { UpdateBudget } from './budget.js';
import type { EngineSettings } from './engine-options.js';
import type { PhaseClock } from './phase-clock.js';
import type { Reduced } from './reduce.js';
import type { SampleGraph } from './sample-graph.js';
import type { ShownLayout } from './run-state.js';

/** What the layout of the train points is made from. */
export interface TrainLayoutInput {
  readonly trainSplit: EpochData;
  readonly reduced: Reduced;
  readonly sampled: SampleGraph;
  /** The layout graph; absent when refinement is off. */
  readonly graph?: EdgeList;
  /** This update's trained projector (absent with the projector off: refine 'all' only). */
  readonly projector?: Projector;
  /** Every train row's layout neighbours (refine 'all'): new ids start near them without a projector. */
  readonly allKnn?: KnnResult;
  /** The run's previous layout (absent on a cold start). */
  readonly shown?: ShownLayout;
  /** Rows whose id the previous layout did not show (freshRows): they start from the encoder. */
  readonly fresh: readonly number[];
  /** Share of layout-graph neighbours that changed since the previous epoch. */
  readonly graphChange: number;
}

/** The train points' layout and the encoder behind it. */
export interface TrainLayout {
  /** n*2. */
  readonly pos: Float32Array;
  /** Encoder positions computed so far; placing other splits asks it for more rows (absent without a projector). */
  readonly encoder?: LazyEncoder;
  /** What the refinement of all train points did: epochs run of those planned, at this initial rate. */
  readonly refined?: { readonly epochs: number; readonly planned: number; readonly alpha: number };
}

/**
 * Rows whose id the previous layout did not show: every row on a cold start.
 * @param ids the epoch's train ids, in row order
 * @param shown the run's previous layout
 */
export function freshRows(ids: Float64Array, shown: ShownLayout | undefined): number[] {
  const fresh: number[] = [];
  for (let i = 0; i < ids.length; i++) if (!shown?.row.has(ids[i])) fresh.push(i);
  return fresh;
}

/** Half-width of the cold-start PCA layout (UMAP's spectral init spans ~[0, 10]). */
const INIT_EXTENT = 10;

/**
 * Laps 'encode' and, with a layout graph, 'refine' on the clock.
 * @param tf tfjs
 * @param input see TrainLayoutInput
 * @param budget the update's work plan (cold or warm, epochs, deadline)
 * @param o settings: refine, refineInit, refineAlpha, k
 * @param ab UMAP's q(d) curve parameters
 * @param rng the update's generator (the optimiser's negative samples)
 * @param clock the update's phase clock
 */
export function layTrainPoints(
  tf: Tf,
  input: TrainLayoutInput,
  budget: UpdateBudget,
  o: EngineSettings,
  ab: { readonly a: number; readonly b: number },
  rng: Rng,
  clock: PhaseClock,
): TrainLayout {
  const { trainSplit, reduced, sampled, graph, shown } = input;
  const { n } = trainSplit;
  const { m } = reduced.basis;
  const cold = budget.cold;
  const encoder = input.projector ? new LazyEncoder(tf, input.projector, reduced.z, n, m) : undefined;
  if (encoder && budget.encoderReadForAll()) encoder.rows(rangeIdx(n));
  else if (encoder && !cold) encoder.rows(input.fresh);
  // Without a projector, a new id starts at the mean previous position of its known neighbours.
  const enc = encoder ? encoder.pos : neighbourStart(trainSplit.ids, shown, input.allKnn, n);
  clock.lap('encode');
  if (!graph) return { pos: enc, encoder };

  const refineIdx = o.refine === 'all' ? null : sampled.sample.indices;
  const count = refineIdx ? refineIdx.length : n;
  const rowOf = (i: number): number => (refineIdx ? refineIdx[i] : i);
  const init = new Float32Array(count * 2);
  if (cold) pcaInit(reduced.z, m, count, rowOf, init);
  else warmInit(trainSplit.ids, o.refineInit === 'previous' ? shown : undefined, enc, count, rowOf, init);
  const followsGraph = !cold && o.refine === 'all';
  const planned = followsGraph ? refineEpochs(budget.refineEpochs(), budget.coldRefineEpochs(), input.graphChange) : budget.refineEpochs();
  const alpha = cold ? 1 : followsGraph ? refineAlpha(o.refineAlpha, input.graphChange) : o.refineAlpha;
  const run = refineLayout(init, graph, rng, {
    a: ab.a,
    b: ab.b,
    epochs: planned,
    alpha,
    deadline: budget.refineDeadline(),
    minEpochs: budget.minRefineEpochs(),
    randomPhase: !cold && o.refinePhase,
  });
  clock.lap('refine');
  if (!refineIdx) return { pos: init, encoder, refined: { epochs: run.epochs, planned, alpha } };
  // Place the unsampled rows by the refinement's displacement of their sampled neighbours.
  const anchorEnc = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    anchorEnc[2 * i] = enc[2 * refineIdx[i]];
    anchorEnc[2 * i + 1] = enc[2 * refineIdx[i] + 1];
  }
  const nn = knnSearch(tf, reduced.zg, sampled.zsg, Math.min(o.k, count));
  const pos = placeByDisplacement(enc, nn, anchorEnc, init);
  for (let i = 0; i < count; i++) {
    pos[2 * refineIdx[i]] = init[2 * i];
    pos[2 * refineIdx[i] + 1] = init[2 * i + 1];
  }
  return { pos, encoder };
}

/**
 * Learning rate of a warm refinement. Small steps keep a warm layout steady and (measured) also
 * preserve neighbours best under slow drift; when the neighbourhood graph changed a lot (a jump in
 * the training), the rate rises towards UMAP's 1 so the layout follows promptly.
 * @param base the rate for an unchanged graph
 * @param change share of changed neighbours since the previous epoch
 */
export function refineAlpha(base: number, change: number): number {
  return base + (1 - base) * changeRamp(change);
}

/**
 * Epochs of a warm refinement: the warm count under drift, rising with the same ramp as the rate
 * towards a cold fit's count when the graph is mostly new. A rate of ~0.3 for 60 epochs left the
 * layout behind its graph: on the ResNet-18 features (45% of neighbours changed between recorded
 * epochs) nn15 of the first warm epoch was 0.70-0.72 against 0.73-0.74 with more epochs
 * (docs/engine-choices.md#refinement-epochs-follow-the-graph). Drifting epochs (under 30% changed)
 * are untouched.
 * @param warm epochs planned for an unchanged graph
 * @param cold epochs planned for a cold fit
 * @param change share of changed neighbours since the previous epoch
 */
export function refineEpochs(warm: number, cold: number, change: number): number {
  return Math.round(warm + Math.max(0, cold - warm) * changeRamp(change));
}

/** 0 below 30% changed neighbours (drift), rising to 1 at 80% (a graph mostly new). */
function changeRamp(change: number): number {
  return Math.min(1, Math.max(0, (change - 0.3) / 0.5));
}

/**
 * Start positions without a projector: each row at the mean previous position of its layout
 * neighbours that were shown before (NaN-free: the previous layout's centre when none was).
 */
function neighbourStart(ids: Float64Array, shown: ShownLayout | undefined, knn: KnnResult | undefined, n: number): Float32Array {
  const out = new Float32Array(n * 2);
  if (!shown) return out;
  let cx = 0;
  let cy = 0;
  const np = shown.pos.length / 2;
  for (let i = 0; i < np; i++) {
    cx += shown.pos[2 * i] / np;
    cy += shown.pos[2 * i + 1] / np;
  }
  for (let i = 0; i < n; i++) {
    let sx = 0;
    let sy = 0;
    let c = 0;
    for (let t = 0; knn && t < knn.k; t++) {
      const j = knn.indices[i * knn.k + t];
      const p = j >= 0 ? shown.row.get(ids[j]) : undefined;
      if (p === undefined) continue;
      sx += shown.pos[2 * p];
      sy += shown.pos[2 * p + 1];
      c++;
    }
    out[2 * i] = c > 0 ? sx / c : cx;
    out[2 * i + 1] = c > 0 ? sy / c : cy;
  }
  return out;
}

/**
 * Warm start: each row where the previous layout showed its id, else at its encoder position.
 * @param shown the previous layout, or undefined to start every row from the encoder
 */
function warmInit(ids: Float64Array, shown: ShownLayout | undefined, enc: Float32Array, count: number, rowOf: (i: number) => number, out: Float32Array): void {
  for (let i = 0; i < count; i++) {
    const r = rowOf(i);
    const p = shown?.row.get(ids[r]);
    out[2 * i] = p !== undefined ? shown!.pos[2 * p] : enc[2 * r];
    out[2 * i + 1] = p !== undefined ? shown!.pos[2 * p + 1] : enc[2 * r + 1];
  }
}

/** Cold-start layout: the first two basis coordinates, scaled to [-INIT_EXTENT, INIT_EXTENT]. */
function pcaInit(z: Float32Array, m: number, count: number, rowOf: (i: number) => number, out: Float32Array): void {
  let max = 0;
  for (let i = 0; i < count; i++) {
    const r = rowOf(i);
    out[2 * i] = z[r * m];
    out[2 * i + 1] = m > 1 ? z[r * m + 1] : 0;
    max = Math.max(max, Math.abs(out[2 * i]), Math.abs(out[2 * i + 1]));
  }
  const s = max > 0 ? INIT_EXTENT / max : 1;
  for (let i = 0; i < 2 * count; i++) out[i] *= s;
}
