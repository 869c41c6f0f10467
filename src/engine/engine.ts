/**
 * The live projection engine (docs/method.md, docs/engine-choices.md). Per update: standardise and
 * reduce the epoch, sample by density, build the projector's graph and the layout graph, train the
 * GN-BN projector warm from the previous epoch, refine the shown layout with UMAP's own optimiser
 * (warm UMAP: this is the picture), train the projector again anchored to the layout just shown with
 * the time left, place every other split and settle it into the picture, and measure. The projector
 * does not move known train points: it places new ids and other splits, and its decoder gives
 * decision regions, ppr and recon; how much each part adds is measured by `eval` and
 * bench/ablation.ts (docs/evaluation.md, docs/engine-choices.md#ablation).
 * Pure: no threads, no I/O; state is kept per run, so several runs may interleave. Each phase lives
 * in its own module; this class only sequences them.
 */
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import type { EpochLayout, RegionGrid } from '../model/epoch-layout.js';
import { initTf, type Tf } from '../tf/backend.js';
import { createRng, deriveSeed } from '../util/random.js';
import { resolveOptions, type EngineOptions, type EngineSettings } from './engine-options.js';
import { checkEpochSet } from './check-input.js';
import { capLayoutRows } from './layout-cap.js';
import { newRunState, recordTail, rememberEpoch, type EngineRunState } from './run-state.js';
import { PhaseClock } from './phase-clock.js';
import { UpdateBudget } from './budget.js';
import { reduce, type Reduced } from './reduce.js';
import { sampleGraph } from './sample-graph.js';
import { layoutGraph } from './layout-graph.js';
import { anchoredSet, newProjector, trainAnchored, trainingSet, trainProjector } from './train-projector.js';
import { LazyEncoder } from './lazy-encoder.js';
import { freshRows, layTrainPoints } from './train-layout.js';
import { placeSplits } from './place-splits.js';
import { measure } from './measure.js';
import { degenerateLayout } from './degenerate.js';
import { epochLayout, joinSplits } from './assemble.js';
import { idleStep, idleWork } from './idle.js';
import { polishedStart, polishStep, polishWork } from './polish.js';
import { fitAB } from './refine.js';
import { reduceHead, type ReducedHead } from './head.js';
import { gridBounds, regionGrid } from './regions.js';
import type { Projector } from './projector.js';

/** Callers outside the engine take the engine and its options from this module. */
export type { EngineOptions } from './engine-options.js';

export class ProjectionEngine {
  private readonly o: EngineSettings;
  /** UMAP's q(d) curve for minDist and spread. */
  private readonly ab: { readonly a: number; readonly b: number };
  private readonly runs = new Map<string, EngineRunState>();
  private tf: Tf | undefined;
  /** Backend name once initialised ('wasm' or 'tensorflow'). */
  backend = '';
  /** Share of layout-graph neighbours that changed in the last update that built one over all points. */
  lastGraphChange = NaN;

  /**
   * @param opts engine settings (see EngineOptions); invalid values are refused here
   */
  constructor(opts: EngineOptions = {}) {
    this.o = resolveOptions(opts);
    this.ab = fitAB(this.o.minDist, this.o.spread);
  }

  /** Load tfjs (done by the first update anyway). */
  async init(): Promise<void> {
    if (!this.tf) {
      const h = await initTf();
      this.tf = h.tf;
      this.backend = h.backend;
    }
  }

  /** Drop everything kept for a run (its next epoch, if any, starts a fresh layout). */
  forget(run: string): void {
    this.runs.delete(run);
  }

  /** Runs with state held. */
  get runCount(): number {
    return this.runs.size;
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
    const o = this.o;
    const clock = new PhaseClock();
    // Beyond maxLayoutRows train points: lay out a subset, place the rest (layout-cap.ts).
    const capped = capLayoutRows(set, checkEpochSet(set).trainSplit, o.maxLayoutRows, o.seed);
    const { splits, trainSplit } = checkEpochSet(capped.set);
    const st = this.runState(set.run, trainSplit.dim);
    // Cold: the run has shown nothing yet (not "has no projector": with the projector off every update would be cold).
    const budget = new UpdateBudget(o, !st.shown, clock.t0, st.tailMs, trainSplit.n);
    const rng = createRng(deriveSeed(o.seed, set.run, set.epoch, st.index));

    const reduced = reduce(tf, trainSplit, st.basis, o, rng, clock);
    if (!reduced) return degenerateLayout(set, splits, st.shown?.pos, clock.elapsed());
    st.basis = reduced.basis;
    const sampled = sampleGraph(tf, reduced, o, rng, clock);
    const layout = layoutGraph(tf, st.knn, reduced.zg, trainSplit.ids, sampled.knn, o, rng);
    if (layout.allKnn) this.lastGraphChange = st.knn.change;
    clock.lap('layout_graph');
    const head = o.projector && trainSplit.head ? reduceHead(trainSplit.head, reduced.basis, reduced.stats.mean, reduced.stats.scale) : undefined;
    const trainSet = o.projector ? trainingSet(tf, st.memory, st.index, reduced, sampled, trainSplit.ids, budget.cold, o, head) : undefined;
    clock.lap('temporal_graph');

    const projector = o.projector ? (st.projector ??= newProjector(reduced.basis.m, o, rng)) : undefined;
    const fresh = freshRows(trainSplit.ids, st.shown);
    const allKnown = st.shown !== undefined && fresh.length === 0;
    const trained = projector && trainSet ? trainProjector(tf, projector, trainSet, budget, o, this.ab, rng, allKnown) : undefined;
    clock.lap('train');
    const graph = layout.graph;
    // Known ids start where idle polishing left them (polish.ts); stability is still measured against st.shown.
    const start = st.shown && polishedStart(st.shown, st.polish);
    // Refinement draws from its own stream: the picture does not depend on how many draws training took.
    const refineRng = createRng(deriveSeed(o.seed, 'refine', set.run, set.epoch, st.index));
    const shown = layTrainPoints(tf, { trainSplit, reduced, sampled, graph, allKnn: layout.allKnn, projector, shown: start, fresh, graphChange: st.knn.change }, budget, o, this.ab, refineRng, clock);
    // With the time refinement left, pull the projector onto the layout just shown.
    const anchorSet = projector && trainSet && budget.anchored() ? anchoredSet(trainSet, sampled.sample.indices, reduced.z, trainSplit.n, shown.pos, { margin: o.anchorMargin, drawShare: o.anchorDrawShare }) : undefined;
    const anchored = projector && anchorSet ? trainAnchored(tf, projector, anchorSet, budget, o, this.ab, rng) : undefined;
    // Encoder positions from before the anchored steps are stale: placement and metrics need fresh ones.
    const encoder = projector && anchored && anchored.steps > 0 ? new LazyEncoder(tf, projector, reduced.z, trainSplit.n, reduced.basis.m) : shown.encoder;
    clock.lap('anchor');

    // The tail: phases whose time the budget reserves (recordTail).
    const tailStart = performance.now();
    // Settling draws from its own stream, so it leaves the update's stream (and later epochs) as they were.
    const settleRng = createRng(deriveSeed(o.seed, 'settle', set.run, set.epoch, st.index));
    const parts = placeSplits(tf, splits, trainSplit, reduced, projector, { pos: shown.pos, encoder }, o, { ab: this.ab, rng: settleRng }, layout, capped.rest, st.placed);
    clock.lap('place');
    const metrics = measure(tf, { trainSplit, parts, reduced, sample: sampled.sample, trained, anchored, projector, encoder, previous: st.shown }, o);
    clock.lap('metrics');
    const regions = projector ? this.regions(tf, projector, head, shown.pos) : undefined;
    clock.lap('regions');
    const all = joinSplits(parts);
    const idleSet = anchorSet ?? trainSet;
    const polishRng = createRng(deriveSeed(o.seed, 'polish', set.run, set.epoch, st.index));
    const offset = parts.slice(0, parts.findIndex((p) => p.data === trainSplit)).reduce((a, p) => a + p.data.n, 0);
    rememberEpoch(st, set.epoch, trainSplit, reduced, shown.pos, all, idleSet ? idleWork(idleSet, rng) : undefined, rng);
    st.polish = o.idlePolish && graph && shown.refined ? polishWork(graph, shown.pos, offset, shown.refined, budget.cold, polishRng) : undefined;
    clock.lap('memory');
    recordTail(st, performance.now() - tailStart);
    return epochLayout(set, all, { ...metrics, update_ms: clock.elapsed(), phases_ms: { ...clock.times } }, regions);
  }

  /**
   * Between updates (the live worker calls this while it has nothing else to do): keep training a
   * run's projector (idle.ts; stops by itself once the loss stops improving), taking turns with the
   * refinement epochs the last update could not afford (polish.ts; stops once they are paid).
   * @param run which run
   * @param ms time slice
   * @returns steps taken (0 when there is nothing left to do)
   */
  async idleTrain(run: string, ms: number): Promise<number> {
    const st = this.runs.get(run);
    if (!st || !this.tf) return 0;
    // Polishing and projector training take turns, so neither starves when epochs come quickly.
    const canPolish = st.polish !== undefined && st.polish.left > 0;
    const canTrain = st.idle !== undefined && st.projector !== undefined;
    st.polishTurn = !st.polishTurn;
    if (canPolish && (st.polishTurn || !canTrain)) return Math.max(1, polishStep(st.polish!, this.ab, ms));
    if (!st.idle || !st.projector) return 0;
    const r = idleStep(this.tf, st.projector, st.idle, { a: this.ab.a, b: this.ab.b, ms, batch: this.o.batch, lr: this.o.lr });
    if (r.done) st.idle = undefined;
    return r.steps;
  }

  /** The decision-region grid over the layout, when the epoch has a head and the projector a decoder. */
  private regions(tf: Tf, projector: Projector, head: ReducedHead | undefined, pos: Float32Array): RegionGrid | undefined {
    if (!head || !projector.hasDecoder) return undefined;
    return regionGrid(tf, projector, head, gridBounds(pos), this.o.regionCols, this.o.regionRows);
  }

  /** The run's state, created on its first epoch; a run may not change its width. */
  private runState(run: string, dim: number): EngineRunState {
    let st = this.runs.get(run);
    if (st && st.dim !== dim) throw new Error(`ProjectionEngine: run ${run} changed dimension from ${st.dim} to ${dim}`);
    if (!st) {
      st = newRunState(dim, this.o);
      this.runs.set(run, st);
    }
    return st;
  }
}
