/**
 * The projection engine in this thread, behind the interface a session's pipeline takes: offline
 * exports have nothing else to do while it works, so no worker and no skipping. Updates run one at
 * a time in submission order.
 */
import { ProjectionEngine, type EngineOptions } from '../engine/engine.js';
import type { EngineHandlers, EngineLike } from '../engine-thread/engine-client.js';
import type { EpochSet } from '../model/epoch-data.js';

export class InlineEngine implements EngineLike {
  private readonly engine: ProjectionEngine;
  private chain: Promise<void> = Promise.resolve();

  constructor(opts: EngineOptions, private readonly handlers: EngineHandlers) {
    this.engine = new ProjectionEngine(opts);
  }

  submit(set: EpochSet): void {
    this.chain = this.chain.then(async () => {
      this.handlers.onState('training', set.run, set.epoch);
      try {
        this.handlers.onLayout(await this.engine.update(set));
      } catch (err) {
        this.handlers.onError(err as Error, set.run, set.epoch);
      }
      this.handlers.onState('idle');
    });
  }

  close(): Promise<void> {
    return this.chain;
  }
}
