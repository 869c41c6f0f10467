/** Builds the projection engine for a session. */
import type { EngineHandlers, EngineLike } from '../pipeline.js';
import type { EpochSet } from '../ingest/ingest.js';
import { ProjectionEngine, type EngineOptions } from '../engine/engine.js';
import { EngineClient } from '../engine/engine-client.js';

export interface EngineChoice {
  readonly seed: number;
  readonly budgetMs: number;
}

/** The live engine: a worker thread, so the receiving thread never waits on it. */
export function createEngine(choice: EngineChoice): (handlers: EngineHandlers) => EngineLike {
  return (handlers) => new EngineClient({ seed: choice.seed, budgetMs: choice.budgetMs }, handlers);
}

/**
 * The engine in this thread, every epoch in order, none skipped: for offline commands (export, eval)
 * where nothing else waits.
 */
export function inlineEngine(opts: EngineOptions): (handlers: EngineHandlers) => EngineLike {
  return (h) => {
    const engine = new ProjectionEngine(opts);
    let chain: Promise<void> = Promise.resolve();
    return {
      submit(set: EpochSet): void {
        chain = chain.then(async () => {
          h.onState('training', set.run, set.epoch);
          try {
            h.onLayout(await engine.update(set));
          } catch (err) {
            h.onError(err as Error, set.run, set.epoch);
          }
          h.onState('idle');
        });
      },
      close: () => chain,
    };
  };
}
