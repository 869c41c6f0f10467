/** Builds the projection engine for a session (a worker thread; see engine/engine-client.ts). */
import type { EngineHandlers, EngineLike } from '../pipeline.js';

export interface EngineChoice {
  readonly seed: number;
  readonly budgetMs: number;
}

export function createEngine(_choice: EngineChoice): ((handlers: EngineHandlers) => EngineLike) | undefined {
  // Wired to EngineClient when the engine lands.
  return undefined;
}
