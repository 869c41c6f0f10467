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
 * Work per update under --reproducible: the warm and cold caps of the time-budgeted engine's
 * refinement (60 / 300 epochs) and a few projector steps, so layouts match budgeted ones in quality.
 */
export const REPRODUCIBLE_WORK = { steps: 2, coldSteps: 6, refineEpochs: 60, coldRefineEpochs: 300 } as const;

/** Engine options for a command-line choice. */
export function engineOptionsOf(choice: EngineChoice): EngineOptions {
  return { seed: choice.seed, budgetMs: choice.budgetMs, ...(choice.reproducible ? { fixedWork: REPRODUCIBLE_WORK } : {}) };
}

/** The live engine: a worker thread, so the receiving thread never waits on it. */
export function createEngine(choice: EngineChoice): (handlers: EngineHandlers) => EngineLike {
  return (handlers) => new EngineClient(engineOptionsOf(choice), handlers, { maxHeapMb: choice.maxHeapMb });
}
