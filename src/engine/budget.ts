/**
 * How much work one update does. With the clock: the update aims at a deadline, training gets a
 * share of the time the fixed phases leave and refinement the rest, each with a floor of work done
 * even past the deadline (docs/engine-choices.md#budget). With fixed work (reproducible runs): set
 * step and epoch counts, no clock involved.
 */
import type { EngineSettings } from './engine-options.js';

/** Aim this far under the budget: the tail (placement, metrics) is an estimate, and noise is +-40%. */
const DEADLINE_SHARE = 0.95;
/** A cold budget is this many warm budgets unless coldBudgetMs says otherwise. */
const COLD_BUDGET_FACTOR = 3;
/** The work plan of one update. */
export class UpdateBudget {
  /** performance.now() time by which the update should be done. */
  readonly deadline: number;

  /**
   * @param o settings: budgets, fixedWork, trainShare, refine and the floors
   * @param cold true on a run's first update (no projector, no previous layout)
   * @param t0 when the update started (performance.now())
   * @param tailMs expected time of the phases after refinement
   * @param rows train rows of the epoch (large epochs get a larger budget: msPerRow)
   */
  constructor(
    private readonly o: EngineSettings,
    readonly cold: boolean,
    t0: number,
    private readonly tailMs: number,
    rows = 0,
  ) {
    // Past ~20,000 rows the fixed phases alone (graphs, placement, metrics) take over a second, and a
    // flat budget left refinement its floor: large epochs get msPerRow per train row instead
    // (docs/engine-choices.md#budget-per-row).
    const warm = Math.max(o.budgetMs, o.msPerRow * rows);
    const budget = cold ? (o.coldBudgetMs ?? COLD_BUDGET_FACTOR * warm) : warm;
    this.deadline = t0 + DEADLINE_SHARE * budget;
  }

  /**
   * When training must stop, computed as training starts: its share of the time left before the
   * tail. A cold layout needs many refinement epochs and a cold projector gains little from a few
   * steps more, so a cold update gives training half its usual share; with refinement off,
   * training has all of it. When every train id was shown before and the anchored steps follow,
   * training before refinement has nothing to place (its product is the encoder's positions for new
   * ids) and takes only its floor: the anchored steps train on the same graph, and pulled onto the
   * picture they make a better encoder with the time (docs/engine-choices.md#known-ids).
   * @param allKnown every train id of the epoch is in the previous layout
   */
  trainDeadline(allKnown = false): number {
    const free = Math.max(0, this.deadline - performance.now() - this.tailMs);
    const o = this.o;
    const anchored = this.anchored();
    // Kept back from refinement for the anchored steps after it (docs/method.md#budget).
    this.anchorReserveMs = anchored ? o.anchorShare * free : 0;
    const floorOnly = allKnown && anchored && !this.encoderReadForAll() && o.trainBeforeRefine === 'new-ids';
    const share = o.refine === 'off' ? 1 : this.cold ? o.trainShare / 2 : floorOnly ? 0 : o.trainShare;
    return performance.now() + share * free;
  }

  /**
   * True when the train layout reads the encoder's position of every row: refinement of the sample
   * only places the rest by encoder, or a warm start from the encoder (refineInit 'encoder').
   * Otherwise it reads the encoder for new ids alone (train-layout.ts).
   */
  encoderReadForAll(): boolean {
    return this.o.refine !== 'all' || (!this.cold && this.o.refineInit === 'encoder');
  }

  /** True when the projector trains anchored to the shown layout after refinement. */
  anchored(): boolean {
    return this.o.projector && this.o.anchors && this.o.refine !== 'off';
  }

  /** Time set aside for the anchored steps when training started, ms. */
  private anchorReserveMs = 0;

  /** Fixed anchored steps after refinement, or undefined to train by the clock. */
  anchorSteps(): number | undefined {
    const fixed = this.o.fixedWork;
    return fixed ? ((this.cold ? fixed.coldAnchorSteps : fixed.anchorSteps) ?? 0) : undefined;
  }

  /**
   * Anchored steps taken even past the deadline: a few warm; more cold, where they are what makes
   * the first epoch's regions and ppr mean anything.
   */
  minAnchorSteps(): number {
    return this.cold ? 20 : 2;
  }

  /** When the anchored steps must stop: everything refinement left before the tail. */
  anchorDeadline(): number {
    return this.deadline - this.tailMs;
  }

  /** Fixed training steps, or undefined to train by the clock. */
  trainSteps(): number | undefined {
    const fixed = this.o.fixedWork;
    return fixed ? (this.cold ? fixed.coldSteps : fixed.steps) : undefined;
  }

  /** Training steps taken even past the deadline (twice as many on a cold start). */
  minTrainSteps(): number {
    return this.cold ? this.o.minTrainSteps * 2 : this.o.minTrainSteps;
  }

  /** Refinement epochs: the fixed count, or the cap under the clock. */
  refineEpochs(): number {
    const { fixedWork: fixed, coldRefineEpochs, refineEpochs } = this.o;
    if (fixed) return this.cold ? fixed.coldRefineEpochs : fixed.refineEpochs;
    return this.cold ? coldRefineEpochs : refineEpochs;
  }

  /** A cold fit's refinement epochs (fixed or under the clock): what a warm graph that is mostly new works towards. */
  coldRefineEpochs(): number {
    return this.o.fixedWork ? this.o.fixedWork.coldRefineEpochs : this.o.coldRefineEpochs;
  }

  /** When refinement must stop (leaving the tail its time), or undefined with fixed work. */
  refineDeadline(): number | undefined {
    return this.o.fixedWork ? undefined : this.deadline - this.tailMs - this.anchorReserveMs;
  }

  /** Refinement epochs run even past the deadline: a cold layout starts from PCA and needs far more. */
  minRefineEpochs(): number {
    return this.cold ? 5 * this.o.minRefineEpochs : this.o.minRefineEpochs;
  }
}
