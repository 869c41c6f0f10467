/**
 * The one place where epoch reports are put in order. The engine answers epochs in its own
 * order (a newer epoch may overtake one it skips); every run's `epoch` events must still come out
 * in the order the epochs completed, so a report waits until every older epoch of its run is
 * reported. Also tells when nothing is outstanding (whenIdle).
 */
import type { EpochEvent } from '../model/events.js';
import type { EpochSet } from '../model/epoch-data.js';

/** The per-split facts of an epoch that its events carry. */
interface SplitShape {
  readonly split: EpochEvent['split'];
  readonly n: number;
  readonly dim: number;
}

interface Outstanding {
  readonly epoch: number;
  /** EpochSet.leftover: completed for silent or forgotten producers. */
  readonly leftover: boolean;
  readonly splits: readonly SplitShape[];
  /** What the engine said of it, once it did. */
  result?: Partial<EpochEvent>;
}

export class EpochOrder {
  /** Epochs handed to the engine and not yet reported, per run in completion order. */
  private readonly outstanding = new Map<string, Outstanding[]>();
  private idleWaiters: (() => void)[] = [];

  /** @param emit receives each epoch event, in order per run. */
  constructor(private readonly emit: (e: EpochEvent) => void) {}

  /** True when no epoch is waiting for the engine. */
  get idle(): boolean {
    return this.outstanding.size === 0;
  }

  /** True when every epoch still waiting for the engine is a leftover (EpochSet.leftover). */
  get idleButLeftovers(): boolean {
    for (const queue of this.outstanding.values()) if (queue.some((q) => !q.leftover && !q.result)) return false;
    return true;
  }

  /** An epoch was handed to the engine. */
  expect(set: EpochSet): void {
    const queue = this.outstanding.get(set.run) ?? [];
    queue.push({ epoch: set.epoch, leftover: set.leftover === true, splits: shapesOf(set) });
    this.outstanding.set(set.run, queue);
  }

  /** Reports an epoch at once (no engine): one event per split. */
  reportNow(set: EpochSet, result: Partial<EpochEvent>): void {
    for (const s of shapesOf(set)) this.emit({ event: 'epoch', run: set.run, epoch: set.epoch, ...s, ...result } as EpochEvent);
  }

  /** The engine's word on an epoch; emits it and any younger ones it was holding back. */
  settle(run: string, epoch: number, result: Partial<EpochEvent>): void {
    const queue = this.outstanding.get(run);
    const p = queue?.find((q) => q.epoch === epoch);
    if (!queue || !p) return;
    p.result = result;
    const ready: Outstanding[] = [];
    while (queue.length && queue[0]!.result) ready.push(queue.shift()!);
    // Bookkeeping before emitting: a listener may ask `idle` on the last epoch event.
    if (queue.length === 0) this.outstanding.delete(run);
    for (const done of ready) {
      for (const s of done.splits) this.emit({ event: 'epoch', run, epoch: done.epoch, ...s, ...done.result } as EpochEvent);
    }
    if (this.outstanding.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Reports every outstanding epoch now with this result (shutdown gave up waiting for the engine). */
  abandon(result: Partial<EpochEvent>): void {
    for (const [run, queue] of [...this.outstanding]) for (const q of [...queue]) if (!q.result) this.settle(run, q.epoch, result);
  }

  /** Resolves when every expected epoch has been reported. */
  whenIdle(): Promise<void> {
    if (this.outstanding.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function shapesOf(set: EpochSet): SplitShape[] {
  return set.splits.map((s) => ({ split: s.split, n: s.n, dim: s.dim }));
}
