/**
 * Backfill: epochs the engine skipped under load (a newer epoch of the run replaced them while it
 * was busy) are kept, within caps, and laid out when the engine has nothing live to do, so a
 * run's history ends up complete for time travel (issue 14). A backfilled epoch is laid out under
 * a shadow run of the engine (its own projector and memory: laying an old epoch out under the live
 * run would pull the live projector back in time), then turned onto the run's latest live layout by
 * the ids they share (a similarity transform), so it sits in the same frame as its neighbours.
 */
import type { EpochSet } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { alignToPrevious } from '../engine/procrustes.js';

/** Caps of the queue: the oldest skipped epochs are dropped beyond them. */
export interface BackfillLimits {
  /** Sets held (default 32). */
  readonly maxSets: number;
  /** Bytes of activations held (default 256 MiB). */
  readonly maxBytes: number;
}

export const DEFAULT_BACKFILL_LIMITS: BackfillLimits = { maxSets: 32, maxBytes: 256 * 2 ** 20 };

/** Engine run name of a run's backfill work: a character no run name may hold keeps it apart. */
const SHADOW = '\u0000backfill';

function bytesOf(set: EpochSet): number {
  return set.splits.reduce((s, d) => s + d.x.byteLength + d.ids.byteLength, 0);
}

export class BackfillQueue {
  private readonly sets: EpochSet[] = [];
  private bytes = 0;
  /** The latest live layout per run: what backfilled layouts are turned onto. */
  private readonly live = new Map<string, { readonly ids: Float64Array; readonly pos: Float32Array }>();
  /** Sets dropped by the caps so far. */
  dropped = 0;

  constructor(private readonly limits: BackfillLimits = DEFAULT_BACKFILL_LIMITS) {}

  get size(): number {
    return this.sets.length;
  }

  /** A skipped set (its buffers are still the caller's: it was never sent). */
  add(set: EpochSet): void {
    this.sets.push(set);
    this.bytes += bytesOf(set);
    while (this.sets.length > this.limits.maxSets || (this.bytes > this.limits.maxBytes && this.sets.length > 0)) {
      this.bytes -= bytesOf(this.sets.shift()!);
      this.dropped++;
    }
  }

  /** The next set to lay out (oldest epoch first: the shadow run walks forward), under its shadow run name. */
  take(): EpochSet | undefined {
    if (this.sets.length === 0) return undefined;
    let k = 0;
    this.sets.forEach((s, i) => (s.epoch < this.sets[k]!.epoch ? (k = i) : 0));
    const [set] = this.sets.splice(k, 1);
    this.bytes -= bytesOf(set!);
    const shadow = BackfillQueue.shadowOf(set!.run);
    return { ...set!, run: shadow, splits: set!.splits.map((d) => ({ ...d, run: shadow })) };
  }

  /** The engine run name of a run's backfill work. */
  static shadowOf(run: string): string {
    return run + SHADOW;
  }

  /** Drop a run's queued sets and its live reference (the engine forgot the run). */
  dropRun(run: string): void {
    for (let i = this.sets.length - 1; i >= 0; i--) {
      if (this.sets[i]!.run !== run) continue;
      this.bytes -= bytesOf(this.sets[i]!);
      this.sets.splice(i, 1);
    }
    this.live.delete(run);
  }

  /** The run a (shadow) engine run name belongs to. */
  static runOf(name: string): string {
    return name.endsWith(SHADOW) ? name.slice(0, -SHADOW.length) : name;
  }

  /** Note a live layout (the frame later backfills are turned onto). */
  noteLive(layout: EpochLayout): void {
    this.live.set(layout.run, { ids: layout.ids, pos: layout.positions });
  }

  /**
   * A backfilled layout as the run's own: its name restored, its positions turned onto the latest
   * live layout, its decision regions left out (they were drawn in the shadow frame).
   */
  restore(layout: EpochLayout): EpochLayout {
    const run = BackfillQueue.runOf(layout.run);
    const ref = this.live.get(run);
    const positions = ref ? alignToPrevious(ref.ids, ref.pos, layout.ids, layout.positions) : layout.positions;
    const { regions: _drawnElsewhere, ...rest } = layout;
    return { ...rest, run, positions };
  }

  clear(): void {
    this.sets.length = 0;
    this.bytes = 0;
  }
}
