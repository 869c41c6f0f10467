/** Builds the projection engine for a session. */
import type { EngineOptions } from '../engine/engine.js';
import { EngineClient, type EngineHandlers, type EngineLike } from './engine-client.js';

export interface EngineChoice {
  readonly seed: number;
  readonly budgetMs: number;
  /** Fixed work instead of the clock (same input + seed => same layout). */
  readonly reproducible?: boolean;
  /** Heap limit of the worker, MB. */
  readonly maxHeapMb?: number;
}

/**
 * Work per update under --reproducible: refinement epochs, 60 warm as the time-budgeted engine's cap
 * (a warm graph that changed a lot plans more, up to the cold count) and 300 cold, below the clock's
 * 500 (with 500 the demo run's encoder fell more than 0.03 behind the picture on epochs 0-4: its 100
 * anchored steps then follow a further-refined layout); projector steps before refinement (10 / 20)
 * and anchored to the shown layout after it (50 / 200), about what the budget gives the compact
 * projector on the demo's run, so the projector is not starved (docs/engine-choices.md#reproducible-work).
 */
export const REPRODUCIBLE_WORK = { steps: 10, coldSteps: 20, refineEpochs: 60, coldRefineEpochs: 300, anchorSteps: 50, coldAnchorSteps: 200 } as const;

/** Engine options for a command-line choice. */
export function engineOptionsOf(choice: EngineChoice): EngineOptions {
  return { seed: choice.seed, budgetMs: choice.budgetMs, ...(choice.reproducible ? { fixedWork: REPRODUCIBLE_WORK } : {}) };
}

/** The live engine: a worker thread, so the receiving thread never waits on it. */
export function createEngine(choice: EngineChoice): (handlers: EngineHandlers) => EngineLike {
  return (handlers) => new EngineClient(engineOptionsOf(choice), handlers, { maxHeapMb: choice.maxHeapMb });
}
