/**
 * The live projection engine (METHOD.md sections 2-5, ENGINE-NOTES.md): per update, standardise
 * the epoch, track a PCA basis, sample by density, build the spatial and temporal graphs, train the
 * GN-BN projector warm from the previous epoch within a time budget, refine the layout with UMAP's
 * own optimiser, place every point of every split, and measure. Pure: no threads, no I/O; state is
 * kept per run, so several runs may interleave.
 *
 * Measured choices (bench/engine.ts, 5000 x 512):
 * - The shown train layout is UMAP's own optimisation of ALL train points on a kNN graph (warm-started
 *   from last epoch's graph), started from the previous layout for known ids, with a small learning
 *   rate (rising when the graph changed a lot). Refining only the sample, or starting from the
 *   encoder's output, or the encoder alone, preserved ~half the neighbours or was 40x less stable.
 * - The parametric projector still learns every epoch (warm, temporal edges, anchors to the shown
 *   layout, and in idle time between epochs): it places new ids and other splits, and its decoder
 *   gives decision regions, ppr and recon.
 */
import type { Tensor2D } from '@tensorflow/tfjs';
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import type { EpochLayout, EpochMetrics, RegionGrid } from '../model/epoch-layout.js';
import { initTf, type Tf } from '../tf/backend.js';
import { standardiseTensor, applyStandardisation, type Standardisation } from './standardise.js';
import { projectRows, randomBasis, subspaceIterate, type Basis } from './pca.js';
import { densitySample } from './sampling.js';
import { knnSearch, knnSelf, matrix, takeRows, type KnnResult, type Matrix } from './knn.js';
import { knnWarm } from './knn-warm.js';
import { fuzzyGraph, type EdgeList } from './fuzzy-graph.js';
import { Projector, referenceShape, type ProjectorShape } from './projector.js';
import { train, type TrainingSet, type TemporalSet, type TrainResult } from './trainer.js';
import { TemporalMemory } from './temporal-memory.js';
import { temporalSet } from './temporal-edges.js';
import { fitAB, refineLayout } from './refine.js';
import { placeByDisplacement } from './placement.js';
import { classGeometry, faithfulness, layoutDiameter, stability } from './metrics.js';
import { classify, classifyRaw, reduceHead } from './head.js';
import { gridBounds, regionGrid } from './regions.js';
import { createRng, deriveSeed, sampleIndices } from '../util/random.js';

/** Work done per update when results must be reproducible (no clock involved). */
export interface FixedWork {
  /** Optimiser steps on a warm update / on the first (cold) update. */
  readonly steps: number;
  readonly coldSteps: number;
  /** Layout-refinement epochs on a warm / cold update. */
  readonly refineEpochs: number;
  readonly coldRefineEpochs: number;
}

/** Engine settings. Every field is optional; defaults in brackets. */
export interface EngineOptions {
  /** Seed of every random choice [0]. */
  readonly seed?: number;
  /** Target wall time of one update, ms [1000]. Training and refinement share what the fixed steps leave. */
  readonly budgetMs?: number;
  /** Budget of a run's first (cold) update, ms [3 x budgetMs]. */
  readonly coldBudgetMs?: number;
  /** Replace the clock with fixed amounts of work (same input + seed => same layout). */
  readonly fixedWork?: FixedWork;
  /** Neighbours of the graphs and metrics [15]. */
  readonly k?: number;
  /** PCA dimensions the activations are reduced to [64] (no reduction when D is smaller). */
  readonly pcaDims?: number;
  /** Fixed sample rate for the projector's graph; default: density-guided (METHOD.md section 2). */
  readonly sampleRate?: number;
  /** Projector widths [reference GN-BN: 256-128-64-32, mirrored decoder]. */
  readonly shape?: Omit<ProjectorShape, 'input'>;
  /** Edges per training batch [256]: at a fixed time, more smaller steps won here (512 cost 3x per step). */
  readonly batch?: number;
  /** Adam learning rate [0.01]. */
  readonly lr?: number;
  /** Layout refinement: on all train points, on the sample only, or off (encoder output) ['all']. */
  readonly refine?: 'all' | 'sample' | 'off';
  /** Where a warm refinement starts: the previous layout (same ids) or the encoder's output ['previous']. */
  readonly refineInit?: 'previous' | 'encoder';
  /**
   * Initial learning rate of a warm refinement when the graph barely changed [0.03] (rises towards
   * 1 when many neighbourhoods changed); cold refinement uses UMAP's 1.
   */
  readonly refineAlpha?: number;
  /** At most this many refinement epochs per warm update [60] / cold update [300]. */
  readonly refineEpochs?: number;
  readonly coldRefineEpochs?: number;
  /** At least this many refinement epochs per update (5x on a cold start), even past the budget [10]. */
  readonly minRefineEpochs?: number;
  /** At least this many training steps per update (2x on a cold start), even past the budget [1]. */
  readonly minTrainSteps?: number;
  /** Share of the free budget given to training (the rest refines) [0.35]. */
  readonly trainShare?: number;
  /** Query rows of nn15/trust15/ppr per epoch [200]. */
  readonly metricQueries?: number;
  /** Decision-region grid size [64 x 32]. */
  readonly regionCols?: number;
  readonly regionRows?: number;
  /** UMAP's curve parameters [0.1, 1]. */
  readonly minDist?: number;
  readonly spread?: number;
  /** Working memory: share of rows kept per epoch [0.05], epochs in the working set [6]. */
  readonly memoryShare?: number;
  readonly memoryEpochs?: number;
  /** Weight of identity temporal edges [1]. */
  readonly identityWeight?: number;
  /** Share of the reduced data's variance the graphs' coordinates keep [0.99] (1 = all pcaDims). */
  readonly graphVariance?: number;
  /** Layout kNN: exact every update, or warm-started from the previous graph ['warm']. */
  readonly layoutKnn?: 'exact' | 'warm';
  /** With warm kNN, an exact graph every this many updates [25] (and whenever many neighbourhoods changed). */
  readonly exactKnnEvery?: number;
}


/** Milliseconds per phase of the last update (the profile). */
export type PhaseTimes = Record<string, number>;

/** Per-run state. */
interface RunState {
  index: number;
  dim: number;
  projector?: Projector;
  basis?: Basis;
  memory: TemporalMemory;
  /** Previous layout of all points of all splits (for stability and warm starts). */
  prevIds?: Float64Array;
  prevPos?: Float32Array;
  prevRow?: Map<number, number>;
  /** Smoothed time of the phases after training/refinement (placement, metrics, regions). */
  tailMs: number;
  /** The last layout kNN graph by id (warm start of the next one) and updates since an exact one. */
  prevKnn?: { ids: Float64Array; k: number; indices: Int32Array };
  sinceExactKnn: number;
  /** Share of layout-graph neighbours that changed since the previous epoch (0 = same graph). */
  graphChange: number;
  /** What idle-time training works on until the next update (absent once converged). */
  idle?: { set: TrainingSet; rng: ReturnType<typeof createRng>; best: number; stale: number };
}

const DEFAULTS = {
  seed: 0,
  budgetMs: 1000,
  k: 15,
  pcaDims: 64,
  batch: 256,
  lr: 0.01,
  refine: 'all' as 'all' | 'sample' | 'off',
  refineInit: 'previous' as 'previous' | 'encoder',
  refineAlpha: 0.03,
  refineEpochs: 60,
  coldRefineEpochs: 300,
  minRefineEpochs: 10,
  minTrainSteps: 1,
  trainShare: 0.35,
  metricQueries: 200,
  regionCols: 64,
  regionRows: 32,
  minDist: 0.1,
  spread: 1,
  memoryShare: 0.05,
  memoryEpochs: 6,
  identityWeight: 1,
  layoutKnn: 'warm' as 'exact' | 'warm',
  graphVariance: 0.99,
  exactKnnEvery: 25,
};

/** Rows used to update the PCA basis (a covariance estimate needs far fewer than n). */
const PCA_ROWS = 1000;
/** Subspace-iteration steps on a cold start (then one per epoch). */
const PCA_COLD_ITERS = 6;
/** UMAP prunes edges below max/n_epochs; 200 is its small-data epoch count. */
const LAYOUT_PRUNE = 200;
/** The METHOD's pruning of the projector's spatial graph. */
const SPATIAL_PRUNE = 3;
/** Above this share of changed neighbours a warm kNN search is redone exactly. */
const WARM_KNN_MAX_CHANGE = 0.3;
/** Half-width of the cold-start PCA layout (UMAP's spectral init spans ~[0, 10]). */
const INIT_EXTENT = 10;

export class ProjectionEngine {
  private readonly o: typeof DEFAULTS & EngineOptions;
  private readonly ab: { a: number; b: number };
  private readonly runs = new Map<string, RunState>();
  private tf: Tf | undefined;
  /** Backend name once initialised ('wasm' or 'tensorflow'). */
  backend = '';
  /** Share of layout-graph neighbours that changed in the last update (drives the refinement rate). */
  lastGraphChange = NaN;
  /** Training result of the last update. */
  lastTrain: TrainResult | undefined;

  /**
   * @param opts engine settings (see EngineOptions); invalid values are refused here
   */
  constructor(opts: EngineOptions = {}) {
    const o = { ...DEFAULTS, ...opts };
    const positive = ['budgetMs', 'k', 'pcaDims', 'batch', 'lr', 'metricQueries', 'regionCols', 'regionRows', 'spread'] as const;
    for (const key of positive) {
      const v = o[key] as number;
      if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`ProjectionEngine: ${key} must be a positive number, got ${v}`);
    }
    if (!Number.isFinite(o.seed)) throw new Error(`ProjectionEngine: seed must be a finite number, got ${o.seed}`);
    if (!(o.trainShare >= 0 && o.trainShare <= 1)) throw new Error(`ProjectionEngine: trainShare must lie in [0, 1], got ${o.trainShare}`);
    if (!['all', 'sample', 'off'].includes(o.refine)) throw new Error(`ProjectionEngine: refine must be all, sample or off, got ${o.refine}`);
    if (o.sampleRate !== undefined && !(o.sampleRate > 0 && o.sampleRate <= 1)) {
      throw new Error(`ProjectionEngine: sampleRate must lie in (0, 1], got ${o.sampleRate}`);
    }
    if (!Number.isInteger(o.k) || o.k < 2) throw new Error(`ProjectionEngine: k must be an integer >= 2, got ${o.k}`);
    this.o = o;
    this.ab = fitAB(o.minDist, o.spread);
  }

  /** Load tfjs (done by the first update anyway). */
  async init(): Promise<void> {
    if (!this.tf) {
      const h = await initTf();
      this.tf = h.tf;
      this.backend = h.backend;
    }
  }

  /** Bytes of raw activations held for a run (bounded: working memory only). */
  memoryBytes(run: string): number {
    return this.runs.get(run)?.memory.bytes() ?? 0;
  }

  /**
   * Project one epoch: trains on the 'train' split (or the first split if none is 'train') and
   * places every point of every split. The engine keeps references to the set's arrays (working
   * memory) and must be their only writer from now on; the returned layout's arrays belong to the
   * caller.
   */
  async update(set: EpochSet): Promise<EpochLayout> {
    await this.init();
    const tf = this.tf!;
    const t0 = performance.now();
    const phases: PhaseTimes = {};
    let mark = t0;
    const lap = (name: string): void => {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + (now - mark);
      mark = now;
    };
    const { splits, trainSplit } = validate(set);
    const o = this.o;
    const k = o.k;
    let st = this.runs.get(set.run);
    if (st && st.dim !== trainSplit.dim) {
      throw new Error(`ProjectionEngine: run ${set.run} changed dimension from ${st.dim} to ${trainSplit.dim}`);
    }
    if (!st) {
      st = {
        index: 0,
        dim: trainSplit.dim,
        memory: new TemporalMemory({ keepShare: o.memoryShare, maxEpochs: o.memoryEpochs }),
        tailMs: 0.15 * o.budgetMs,
        sinceExactKnn: 0,
        graphChange: 1,
      };
      this.runs.set(set.run, st);
    }
    const cold = !st.projector;
    const budget = cold ? (o.coldBudgetMs ?? 3 * o.budgetMs) : o.budgetMs;
    // Aim 5% under the budget: the tail (placement, metrics) is estimated, and noise is +-40% here.
    const deadline = t0 + 0.95 * budget;
    const rng = createRng(deriveSeed(o.seed, set.run, set.epoch, st.index));
    const n = trainSplit.n;
    const dim = trainSplit.dim;

    // 1. Standardise and reduce.
    const m = Math.min(o.pcaDims, dim);
    const xt = tf.tensor2d(trainSplit.x, [n, dim]);
    let z: Float32Array;
    let stats: Standardisation;
    try {
      stats = standardiseTensor(tf, xt as Tensor2D);
      lap('standardise');
      if (stats.degenerate || n < k + 2) {
        return this.degenerateLayout(set, splits, st, t0);
      }
      if (m === dim) {
        st.basis = identityBasis(dim);
      } else {
        const fitRows = sampleIndices(n, Math.min(n, PCA_ROWS), rng).sort();
        const fitX = tf.tensor2d(takeRows(matrix(trainSplit.x, n, dim), fitRows).data, [fitRows.length, dim]);
        try {
          st.basis = subspaceIterate(tf, fitX as Tensor2D, stats.mean, st.basis ?? randomBasis(m, dim, rng), st.basis ? 1 : PCA_COLD_ITERS, rng);
        } finally {
          fitX.dispose();
        }
      }
      z = projectRows(tf, xt as Tensor2D, stats.mean, stats.scale, st.basis);
    } finally {
      xt.dispose();
    }
    const basis = st.basis;
    const zm = matrix(z, n, m);
    // Graphs (not the projector) use the leading coordinates holding `graphVariance` of the
    // variance: distances barely change, and kNN cost is linear in the width.
    const graphCols = leadingColumns(zm, o.graphVariance);
    const zg = selectColumns(zm, graphCols);
    lap('pca');

    // 2. Density-guided sample and the projector's spatial graph.
    const sample = densitySample(tf, zg, rng, o.sampleRate !== undefined ? { fixedRate: o.sampleRate } : {});
    lap('sampling');
    const zs = takeRows(zm, sample.indices);
    const zsg = takeRows(zg, sample.indices);
    const sampleKnn = knnSelf(tf, zsg, Math.min(k, sample.indices.length - 1));
    const spatial = fuzzyGraph(sampleKnn, SPATIAL_PRUNE);
    lap('sample_graph');

    // 3. The layout graph (all points, or the sample).
    let layoutGraph: EdgeList | undefined;
    let allKnn: KnnResult | undefined;
    if (o.refine === 'all') {
      allKnn = this.layoutKnn(tf, st, zg, trainSplit.ids, rng);
      layoutGraph = fuzzyGraph(allKnn, LAYOUT_PRUNE);
    }
    else if (o.refine === 'sample') layoutGraph = fuzzyGraph(sampleKnn, LAYOUT_PRUNE);
    lap('layout_graph');

    // 4. Temporal edges to the working memory.
    const sampleIds = Float64Array.from(sample.indices, (r) => trainSplit.ids[r]);
    const temporal = cold
      ? undefined
      : temporalSet(tf, st.memory, { index: st.index, z: zs.data, ids: sampleIds, mean: stats.mean, sd: stats.sd }, basis, {
          identityWeight: o.identityWeight,
        });
    lap('temporal_graph');

    // 5. Train the projector (warm from the previous epoch's weights).
    if (!st.projector) {
      const shape = { input: m, ...(o.shape ?? referenceShape(m)) };
      st.projector = new Projector({ ...shape, input: m }, rng);
    }
    const projector = st.projector;
    const fixed = o.fixedWork;
    const free = Math.max(0, deadline - performance.now() - st.tailMs);
    const refineOn = o.refine !== 'off';
    // A cold layout needs many refinement epochs and a cold projector gains little from a few
    // steps more, so the first update gives training a smaller share.
    const share = refineOn ? (cold ? o.trainShare / 2 : o.trainShare) : 1;
    const trainDeadline = performance.now() + share * free;
    this.lastTrain = train(tf, projector, { x: zs.data, rows: sample.indices.length, m, edges: spatial, temporal }, {
      a: this.ab.a,
      b: this.ab.b,
      deadline: trainDeadline,
      steps: fixed ? (cold ? fixed.coldSteps : fixed.steps) : undefined,
      minSteps: cold ? o.minTrainSteps * 2 : o.minTrainSteps,
      batch: o.batch,
      lr: o.lr,
      rng,
    });
    lap('train');

    // 6. Encoder positions, computed only for the rows that need them.
    const encoder = new LazyEncoder(tf, projector, z, n, m);
    const needAllEnc = o.refine !== 'all' || (!cold && o.refineInit === 'encoder');
    if (needAllEnc) encoder.rows(rangeIdx(n));
    else if (!cold) {
      const fresh: number[] = [];
      for (let i = 0; i < n; i++) if (!st.prevRow?.has(trainSplit.ids[i])) fresh.push(i);
      encoder.rows(fresh);
    }
    const enc = encoder.pos;
    lap('encode');

    // 7. Refine the layout.
    let pos = enc;
    if (layoutGraph) {
      const refineIdx = o.refine === 'all' ? null : sample.indices;
      const count = refineIdx ? refineIdx.length : n;
      const init = new Float32Array(count * 2);
      const rowOf = (i: number): number => (refineIdx ? refineIdx[i] : i);
      if (cold) {
        pcaInit(z, m, count, rowOf, init);
      } else {
        for (let i = 0; i < count; i++) {
          const r = rowOf(i);
          const p = o.refineInit === 'previous' ? st.prevRow?.get(trainSplit.ids[r]) : undefined;
          init[2 * i] = p !== undefined ? st.prevPos![2 * p] : enc[2 * r];
          init[2 * i + 1] = p !== undefined ? st.prevPos![2 * p + 1] : enc[2 * r + 1];
        }
      }
      const epochs = fixed ? (cold ? fixed.coldRefineEpochs : fixed.refineEpochs) : cold ? o.coldRefineEpochs : o.refineEpochs;
      refineLayout(init, layoutGraph, rng, {
        a: this.ab.a,
        b: this.ab.b,
        epochs,
        alpha: cold ? 1 : o.refine === 'all' ? refineAlpha(o.refineAlpha, st.graphChange) : o.refineAlpha,
        deadline: fixed ? undefined : deadline - st.tailMs,
        // A cold layout starts from PCA and needs far more epochs than a warm one.
        minEpochs: cold ? 5 * o.minRefineEpochs : o.minRefineEpochs,
      });
      lap('refine');
      if (refineIdx) {
        // Place the unsampled rows by the refinement's displacement of their sampled neighbours.
        const anchorEnc = new Float32Array(count * 2);
        for (let i = 0; i < count; i++) {
          anchorEnc[2 * i] = enc[2 * refineIdx[i]];
          anchorEnc[2 * i + 1] = enc[2 * refineIdx[i] + 1];
        }
        const nn = knnSearch(tf, zg, zsg, Math.min(k, count));
        pos = placeByDisplacement(enc, nn, anchorEnc, init);
        for (let i = 0; i < count; i++) {
          pos[2 * refineIdx[i]] = init[2 * i];
          pos[2 * refineIdx[i] + 1] = init[2 * i + 1];
        }
      } else {
        pos = init;
      }
    }
    const tailStart = performance.now();

    // 8. Other splits: encoder plus the displacement of their nearest train points.
    const parts: { data: EpochData; pos: Float32Array }[] = [];
    for (const s of splits) {
      if (s === trainSplit) {
        parts.push({ data: s, pos });
        continue;
      }
      if (s.dim !== dim) throw new Error(`ProjectionEngine: split ${s.split} has dimension ${s.dim}, train has ${dim}`);
      const zo = projectStandardised(tf, s, stats, basis);
      const encO = projector.apply(tf, 'enc', zo, s.n);
      const nn = knnSearch(tf, selectColumns(matrix(zo, s.n, m), graphCols), zg, Math.min(k, n));
      encoder.rows(nn.indices);
      parts.push({ data: s, pos: refineOn ? placeByDisplacement(encO, nn, enc, pos) : encO });
    }
    lap('place');

    // 9. Metrics.
    const metrics = this.measure(tf, st, trainSplit, parts, zm, stats, basis, sample, allKnn);
    lap('metrics');

    // 10. Decision regions.
    let regions: RegionGrid | undefined;
    if (trainSplit.head && projector.hasDecoder) {
      const head = reduceHead(trainSplit.head, basis, stats.mean, stats.scale);
      regions = regionGrid(tf, projector, head, gridBounds(pos), o.regionCols, o.regionRows);
    }
    lap('regions');

    // 11. Remember this epoch.
    const all = concatLayout(parts);
    st.memory.add({ index: st.index, epoch: set.epoch, dim, mean: stats.mean, sd: stats.sd, scale: stats.scale, ids: trainSplit.ids, raw: trainSplit.x, y: pos }, rng);
    // Copies: the returned layout belongs to the caller (the worker transfers its buffers away).
    st.prevIds = all.ids.slice();
    st.prevPos = all.positions.slice();
    st.prevRow = rowMap(all.ids);
    st.idle = { set: idleSet({ x: zs.data, rows: sample.indices.length, m, edges: spatial, temporal }, sample.indices, pos, o.identityWeight), rng, best: Infinity, stale: 0 };
    st.index++;
    lap('memory');
    const tail = performance.now() - tailStart;
    st.tailMs = st.tailMs === 0 ? tail : 0.7 * st.tailMs + 0.3 * tail;
    const updateMs = performance.now() - t0;
    return {
      run: set.run,
      epoch: set.epoch,
      n: all.ids.length,
      ids: all.ids,
      positions: all.positions,
      split: all.split,
      labels: all.labels,
      preds: all.preds,
      metrics: { ...metrics, update_ms: updateMs, phases_ms: { ...phases } },
      regions,
    };
  }

  /**
   * Keep training a run's projector between updates (the live worker calls this while it has
   * nothing else to do): on the last epoch's graph plus anchors pulling the encoder towards the
   * layout that was shown, so the encoder (new points) and the decoder (decision regions, ppr)
   * catch up with the display. Stops by itself once the loss stops improving.
   * @param run which run
   * @param ms time slice
   * @returns steps taken (0 when there is nothing left to do)
   */
  async idleTrain(run: string, ms: number): Promise<number> {
    const st = this.runs.get(run);
    if (!st?.idle || !st.projector || !this.tf) return 0;
    const r = train(this.tf, st.projector, st.idle.set, {
      a: this.ab.a,
      b: this.ab.b,
      deadline: performance.now() + ms,
      batch: this.o.batch,
      lr: this.o.lr * 0.3,
      minSteps: 1,
      rng: st.idle.rng,
    });
    // Converged: 5 slices in a row without a 1% improvement.
    if (r.loss < st.idle.best * 0.99) {
      st.idle.best = r.loss;
      st.idle.stale = 0;
    } else if (++st.idle.stale >= 5 || !Number.isFinite(r.loss)) {
      st.idle = undefined;
    }
    return r.steps;
  }

  /**
   * kNN of all train rows for the layout graph: warm-started from the previous graph (by id) when
   * it covers most rows, exact every `exactKnnEvery` updates or when requested.
   */
  private layoutKnn(tf: Tf, st: RunState, zm: ReturnType<typeof matrix>, ids: Float64Array, rng: ReturnType<typeof createRng>): KnnResult {
    const k = this.o.k;
    const n = zm.rows;
    const prev = st.prevKnn;
    // Previous neighbour lists, by id, as rows of this epoch (-1 where unknown).
    let mapped: Int32Array | undefined;
    let covered = 0;
    if (prev) {
      const rowNow = rowMap(ids);
      const prevRowToNow = Int32Array.from(prev.ids, (id) => rowNow.get(id) ?? -1);
      const prevRowOf = rowMap(prev.ids);
      mapped = new Int32Array(n * prev.k).fill(-1);
      for (let i = 0; i < n; i++) {
        const p = prevRowOf.get(ids[i]);
        if (p === undefined) continue;
        covered++;
        for (let t = 0; t < prev.k; t++) {
          const q = prev.indices[p * prev.k + t];
          mapped[i * prev.k + t] = q >= 0 ? prevRowToNow[q] : -1;
        }
      }
    }
    let res: KnnResult | undefined;
    if (this.o.layoutKnn === 'warm' && prev && mapped && covered >= 0.5 * n && st.sinceExactKnn + 1 < this.o.exactKnnEvery) {
      res = knnWarm(tf, zm, Math.min(k, n - 1), mapped, prev.k, rng);
      st.sinceExactKnn++;
      // Many changed neighbourhoods: the old graph was a poor guide, so its search is not to be trusted.
      if (neighbourChange(mapped, prev.k, res.indices, res.k) > WARM_KNN_MAX_CHANGE) res = undefined;
    }
    if (!res) {
      res = knnSelf(tf, zm, Math.min(k, n - 1));
      st.sinceExactKnn = 0;
    }
    st.graphChange = prev && mapped && covered > 0 ? neighbourChange(mapped, prev.k, res.indices, res.k) : 1;
    this.lastGraphChange = st.graphChange;
    st.prevKnn = { ids, k: res.k, indices: res.indices };
    return res;
  }

  /** Metrics of the new layout (METHOD.md sections 5 and 6). */
  private measure(
    tf: Tf,
    st: RunState,
    trainSplit: EpochData,
    parts: { data: EpochData; pos: Float32Array }[],
    zm: ReturnType<typeof matrix>,
    stats: Standardisation,
    basis: Basis,
    sample: { rate: number; rho: number },
    allKnn: KnnResult | undefined,
  ): Omit<EpochMetrics, 'update_ms'> {
    const o = this.o;
    const n = trainSplit.n;
    const pos = parts.find((p) => p.data === trainSplit)!.pos;
    const qrng = createRng(deriveSeed(o.seed, 'metric-queries', trainSplit.run, n));
    const queries = sampleIndices(n, Math.min(n, o.metricQueries), qrng).sort();
    // nn15 reuses the layout graph's neighbour lists (every row's 15-NN, already computed); the
    // trust ranks need full distance rows, so they use a quarter of the queries.
    const kq = Math.min(o.k, n - 2);
    const faith = faithfulness(tf, zm, pos, kq, queries, Math.ceil(queries.length / 4), allKnn && allKnn.k >= kq ? allKnn : undefined);
    const diameter = layoutDiameter(pos);
    let stab: number | undefined;
    if (st.prevIds && st.prevPos) {
      const allIds = concatIds(parts);
      const allPos = concatPos(parts);
      const s = stability(st.prevIds, st.prevPos, allIds, allPos, diameter);
      stab = Number.isFinite(s) ? s : undefined;
    }
    let D: number | undefined;
    let V: number | undefined;
    if (trainSplit.labels) {
      const g = classGeometry(pos, trainSplit.labels, diameter);
      D = Number.isFinite(g.D) ? g.D : undefined;
      V = Number.isFinite(g.V) ? g.V : undefined;
    }
    let ppr: number | undefined;
    let recon: number | undefined;
    const projector = st.projector!;
    if (projector.hasDecoder) {
      const m = basis.m;
      const yq = new Float32Array(queries.length * 2);
      queries.forEach((r, i) => {
        yq[2 * i] = pos[2 * r];
        yq[2 * i + 1] = pos[2 * r + 1];
      });
      const zr = projector.apply(tf, 'dec', yq, queries.length);
      // Relative reconstruction error in standardised D-space: the error inside the basis plus
      // the part of the row the basis does not hold, over the row's distance to the mean.
      const xStd = applyStandardisation(stats, trainSplit.x, trainSplit.dim, queries);
      let errSum = 0;
      let normSum = 0;
      for (let i = 0; i < queries.length; i++) {
        let full = 0;
        for (let j = 0; j < trainSplit.dim; j++) full += xStd[i * trainSplit.dim + j] ** 2;
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
      recon = normSum > 0 ? errSum / normSum : undefined;
      if (trainSplit.head) {
        const head = reduceHead(trainSplit.head, basis, stats.mean, stats.scale);
        const predRec = classify(head, zr, queries.length);
        const predX = classifyRaw(trainSplit.head, trainSplit.x, queries);
        let same = 0;
        for (let i = 0; i < queries.length; i++) if (predRec[i] === predX[i]) same++;
        ppr = same / queries.length;
      }
    }
    return {
      sample_rate: sample.rate,
      rel_density: sample.rho,
      train_steps: this.lastTrain?.steps ?? 0,
      loss: this.lastTrain?.loss ?? NaN,
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

  /** A dead-network epoch: every point on one spot, metrics masked (NaN), state untouched. */
  private degenerateLayout(set: EpochSet, splits: readonly EpochData[], st: RunState, t0: number): EpochLayout {
    let cx = 0;
    let cy = 0;
    if (st.prevPos && st.prevPos.length > 0) {
      for (let i = 0; i < st.prevPos.length; i += 2) {
        cx += st.prevPos[i];
        cy += st.prevPos[i + 1];
      }
      cx /= st.prevPos.length / 2;
      cy /= st.prevPos.length / 2;
    }
    const parts = splits.map((s) => {
      const pos = new Float32Array(s.n * 2);
      for (let i = 0; i < s.n; i++) {
        pos[2 * i] = cx;
        pos[2 * i + 1] = cy;
      }
      return { data: s, pos };
    });
    const all = concatLayout(parts);
    return {
      run: set.run,
      epoch: set.epoch,
      n: all.ids.length,
      ids: all.ids,
      positions: all.positions,
      split: all.split,
      labels: all.labels,
      preds: all.preds,
      metrics: {
        sample_rate: NaN,
        rel_density: NaN,
        update_ms: performance.now() - t0,
        train_steps: 0,
        loss: NaN,
        nn15: NaN,
        trust15: NaN,
        degenerate: true,
      },
    };
  }
}

/** Check the set and pick the split to train on. */
function validate(set: EpochSet): { splits: readonly EpochData[]; trainSplit: EpochData } {
  if (!set || typeof set.run !== 'string' || set.run.length === 0) throw new Error('ProjectionEngine.update: set.run must be a non-empty string');
  if (!Number.isInteger(set.epoch) || set.epoch < 0) throw new Error(`ProjectionEngine.update: epoch must be an integer >= 0, got ${set.epoch}`);
  if (!Array.isArray(set.splits) || set.splits.length === 0) throw new Error(`ProjectionEngine.update: run ${set.run} epoch ${set.epoch} has no splits`);
  for (const s of set.splits) {
    if (s.n < 1) throw new Error(`ProjectionEngine.update: split ${s.split} of epoch ${set.epoch} is empty`);
    if (s.x.length !== s.n * s.dim) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.x.length} values for ${s.n}x${s.dim}`);
    if (s.ids.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.ids.length} ids for ${s.n} rows`);
    if (s.labels && s.labels.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.labels.length} labels for ${s.n} rows`);
    if (s.preds && s.preds.length !== s.n) throw new Error(`ProjectionEngine.update: split ${s.split} has ${s.preds.length} preds for ${s.n} rows`);
  }
  const trainSplit = set.splits.find((s) => s.split === 'train') ?? set.splits[0];
  return { splits: set.splits, trainSplit };
}

/** Encoder positions of train rows, computed on demand and cached (n*2, NaN until computed). */
class LazyEncoder {
  readonly pos: Float32Array;
  private readonly done: Uint8Array;

  constructor(
    private readonly tf: Tf,
    private readonly projector: Projector,
    private readonly z: Float32Array,
    n: number,
    private readonly m: number,
  ) {
    this.pos = new Float32Array(n * 2).fill(NaN);
    this.done = new Uint8Array(n);
  }

  /** Make sure these rows (negative entries ignored) are encoded. */
  rows(rows: ArrayLike<number>): void {
    const todo: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (r >= 0 && !this.done[r]) {
        this.done[r] = 1;
        todo.push(r);
      }
    }
    if (todo.length === 0) return;
    const x = new Float32Array(todo.length * this.m);
    todo.forEach((r, i) => x.set(this.z.subarray(r * this.m, (r + 1) * this.m), i * this.m));
    const y = this.projector.apply(this.tf, 'enc', x, todo.length);
    todo.forEach((r, i) => {
      this.pos[2 * r] = y[2 * i];
      this.pos[2 * r + 1] = y[2 * i + 1];
    });
  }
}

/**
 * The idle-time training set: this epoch's set plus, for every sample row, an identity edge to an
 * anchor copy of itself whose target is where the layout put it (margin 0.1).
 */
function idleSet(set: TrainingSet, sampleRows: Int32Array, pos: Float32Array, weight: number): TrainingSet {
  const t = set.temporal;
  const m = set.m;
  const old = t?.rows ?? 0;
  const rows = old + set.rows;
  const x = new Float32Array(rows * m);
  if (t) x.set(t.x);
  x.set(set.x, old * m);
  const target = new Float32Array(rows * 2);
  if (t) target.set(t.target);
  sampleRows.forEach((r, i) => {
    target[2 * (old + i)] = pos[2 * r];
    target[2 * (old + i) + 1] = pos[2 * r + 1];
  });
  const margin = new Float32Array(rows).fill(0.1);
  if (t) margin.set(t.margin);
  const e0 = t?.from.length ?? 0;
  const from = new Int32Array(e0 + set.rows);
  const to = new Int32Array(e0 + set.rows);
  const w = new Float32Array(e0 + set.rows);
  if (t) {
    from.set(t.from);
    to.set(t.to);
    w.set(t.weight);
  }
  for (let i = 0; i < set.rows; i++) {
    from[e0 + i] = i;
    to[e0 + i] = old + i;
    w[e0 + i] = weight;
  }
  const temporal: TemporalSet = { x, rows, target, margin, from, to, weight: w };
  return { ...set, temporal };
}

/**
 * Learning rate of a warm refinement. Small steps keep a warm layout steady and (measured) also
 * preserve neighbours best under slow drift; when the neighbourhood graph changed a lot (a jump in
 * the training), the rate rises towards UMAP's 1 so the layout follows promptly.
 * @param base the rate for an unchanged graph
 * @param change share of changed neighbours since the previous epoch
 */
export function refineAlpha(base: number, change: number): number {
  // Below 30% changed neighbours: drift; from 30% to 80%: ramp up to 1.
  const ramp = Math.min(1, Math.max(0, (change - 0.3) / 0.5));
  return base + (1 - base) * ramp;
}

/** Share of the new neighbour lists not present in the previous lists (rows with no history skipped). */
function neighbourChange(prev: Int32Array, kPrev: number, next: Int32Array, k: number): number {
  const n = next.length / k;
  let changed = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (prev[i * kPrev] < 0) continue;
    for (let t = 0; t < k; t++) {
      const j = next[i * k + t];
      let found = false;
      for (let u = 0; u < kPrev; u++) if (prev[i * kPrev + u] === j) found = true;
      if (!found) changed++;
      total++;
    }
  }
  return total > 0 ? changed / total : 1;
}

/** The columns (largest variance first) that together hold `share` of the total variance (at least 8). */
function leadingColumns(z: Matrix, share: number): Int32Array {
  const { rows, cols } = z;
  const v = new Float64Array(cols);
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) mean[c] += z.data[i * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const d = z.data[i * cols + c] - mean[c];
      v[c] += d * d;
    }
  }
  const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => v[b] - v[a] || a - b);
  const total = v.reduce((a, b) => a + b, 0);
  let acc = 0;
  let take = 0;
  while (take < cols && (take < Math.min(8, cols) || acc < share * total)) acc += v[order[take++]];
  return Int32Array.from(order.slice(0, take));
}

/** A matrix of the given columns (in that order). */
function selectColumns(z: Matrix, cols: Int32Array): Matrix {
  if (cols.length === z.cols) {
    let same = true;
    for (let c = 0; c < cols.length; c++) if (cols[c] !== c) same = false;
    if (same) return z;
  }
  const out = new Float32Array(z.rows * cols.length);
  for (let i = 0; i < z.rows; i++) for (let c = 0; c < cols.length; c++) out[i * cols.length + c] = z.data[i * z.cols + cols[c]];
  return { data: out, rows: z.rows, cols: cols.length };
}

function identityBasis(dim: number): Basis {
  const rows = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i++) rows[i * dim + i] = 1;
  return { m: dim, dim, rows };
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

/** Standardise another split with the train split's statistics and project it. */
function projectStandardised(tf: Tf, s: EpochData, stats: Standardisation, basis: Basis): Float32Array {
  const x = tf.tensor2d(s.x, [s.n, s.dim]);
  try {
    return projectRows(tf, x as Tensor2D, stats.mean, stats.scale, basis);
  } finally {
    x.dispose();
  }
}

function rangeIdx(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function rowMap(ids: Float64Array): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) m.set(ids[i], i);
  return m;
}

function concatIds(parts: { data: EpochData }[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.data.n, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p.data.ids, o);
    o += p.data.n;
  }
  return out;
}

function concatPos(parts: { data: EpochData; pos: Float32Array }[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.data.n, 0) * 2);
  let o = 0;
  for (const p of parts) {
    out.set(p.pos, o);
    o += p.pos.length;
  }
  return out;
}

/** One layout over all splits, in the order given. */
function concatLayout(parts: { data: EpochData; pos: Float32Array }[]) {
  const total = parts.reduce((s, p) => s + p.data.n, 0);
  const ids = concatIds(parts);
  const positions = concatPos(parts);
  const split = new Uint8Array(total);
  const anyLabels = parts.some((p) => p.data.labels);
  const anyPreds = parts.some((p) => p.data.preds);
  const labels = anyLabels ? new Int32Array(total).fill(-1) : undefined;
  const preds = anyPreds ? new Int32Array(total).fill(-1) : undefined;
  let o = 0;
  for (const p of parts) {
    split.fill(p.data.split === 'test' ? 1 : 0, o, o + p.data.n);
    if (labels && p.data.labels) labels.set(p.data.labels, o);
    if (preds && p.data.preds) preds.set(p.data.preds, o);
    o += p.data.n;
  }
  return { ids, positions, split, labels, preds };
}
