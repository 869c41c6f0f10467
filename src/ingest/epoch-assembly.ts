/**
 * The epochs of every stream, from batches to handed-on sets: a batch or an epoch_end of a producer
 * the run knows goes into its open epoch under the id and byte caps (limits.ts); an epoch that every
 * live producer is done with is completed and handed on. It owns the byte count of all open epochs
 * of all streams (max-buffered). A refused frame changes nothing: every check runs before anything
 * is created or allocated.
 */
import type { BatchFrame, EpochEndFrame } from '../protocol/types.js';
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import { SplitAssembler, rowBytes } from './split-assembler.js';
import type { ReceiveLimits } from './limits.js';
import { IngestError, over } from './ingest-errors.js';
import { markLaterEpoch } from './producer-seq.js';
import type { IngestRunState, OpenEpoch, ProducerState } from './run-state.js';

export class EpochAssembly {
  /** Bytes held by every open epoch of every stream. */
  private buffered = 0;

  /**
   * @param limits the caps on ids and bytes per epoch, open epochs per stream and bytes in all
   * @param handOn called once per completed epoch that has at least one point
   */
  constructor(
    private readonly limits: ReceiveLimits,
    private readonly handOn: (set: EpochSet) => void,
  ) {}

  /** Bytes held for open epochs right now, as the caps count them. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** A batch of `producer` into stream `run`'s open epoch. */
  batch(run: IngestRunState, producer: ProducerState, frame: BatchFrame): void {
    if (frame.dim !== run.dim) throw new IngestError('dim_mismatch', `x has ${frame.dim} columns, the run's D is ${run.dim}`);
    if (frame.epoch < run.completedBelow) {
      throw new IngestError('stale_epoch', `batch for epoch ${frame.epoch}, which is already complete (now at ${run.completedBelow})`);
    }
    if (frame.epoch <= producer.doneThrough) {
      throw new IngestError('stale_epoch', `batch for epoch ${frame.epoch} after this producer finished it`);
    }
    const nClasses = run.classes?.length;
    if (nClasses) {
      for (const [what, values] of [['label', frame.labels], ['pred', frame.preds]] as const) {
        const i = values?.findIndex((v) => v >= nClasses) ?? -1;
        if (i >= 0) throw new IngestError('bad_label', `${what}[${i}] = ${values![i]} is outside the ${nClasses} classes of hello`);
      }
    }
    let open = run.open.get(frame.epoch);
    let split = open?.splits.get(frame.split);
    const dup = split?.firstDuplicate(frame.ids);
    if (dup !== undefined) throw new IngestError('duplicate_id', `id ${dup} was already sent in epoch ${frame.epoch} (${frame.split})`);
    const held = split?.heldBytes ?? 0;
    const extra = (split ? split.bytesToTake(frame.n) : frame.n * rowBytes(run.dim)) - held;
    const room = this.checkRoom(run, frame.epoch, open, frame.n, extra);
    // Every check passed: only now is anything created or allocated.
    open ??= this.openEpoch(run, frame.epoch);
    if (!split) {
      split = new SplitAssembler(run.dim);
      open.splits.set(frame.split, split);
    }
    split.append(frame, held + room);
    this.hold(open, split.heldBytes - held);
    open.ids += frame.n;
    markLaterEpoch(producer, frame.epoch);
    this.completeReady(run);
  }

  /** `producer` is done with an epoch of stream `run` (and may have sent the head with it). */
  epochEnd(run: IngestRunState, producer: ProducerState, frame: EpochEndFrame): void {
    if (frame.epoch < run.completedBelow) {
      throw new IngestError('stale_epoch', `epoch_end for epoch ${frame.epoch}, which is already complete`);
    }
    if (frame.head) {
      if (frame.head.dim !== run.dim) {
        throw new IngestError('dim_mismatch', `head_weight has ${frame.head.dim} columns, the run's D is ${run.dim}`);
      }
      const open = run.open.get(frame.epoch);
      const bytes = frame.head.weight.byteLength + frame.head.bias.byteLength;
      const old = open?.head ? open.head.weight.byteLength + open.head.bias.byteLength : 0;
      this.checkRoom(run, frame.epoch, open, 0, bytes - old);
      const target = open ?? this.openEpoch(run, frame.epoch);
      target.head = frame.head;
      this.hold(target, bytes - old);
    }
    producer.doneThrough = Math.max(producer.doneThrough, frame.epoch);
    this.completeReady(run);
  }

  /**
   * Completes the open epochs that every live producer is done with.
   * @param leftover the epochs are completed for silent producers, not by them (EpochSet.leftover)
   */
  completeReady(run: IngestRunState, leftover = false): void {
    // A producer still silent is done with every epoch open now, including those opened after it
    // fell silent (otherwise one crashed rank would hold back every later epoch of the run).
    const newest = run.open.newest;
    let through = Infinity;
    for (const p of run.producers.values()) if (!p.ended) through = Math.min(through, p.silent ? Math.max(p.doneThrough, newest) : p.doneThrough);
    this.completeThrough(run, through, leftover);
  }

  /** Completes and hands on every open epoch of `run` up to `through` (Infinity: all of them). */
  completeThrough(run: IngestRunState, through: number, leftover = false): void {
    for (let next = run.open.takeOldest(through); next; next = run.open.takeOldest(through)) {
      const [epoch, open] = next;
      this.buffered -= open.bytes;
      run.completedBelow = Math.max(run.completedBelow, epoch + 1);
      const splits: EpochData[] = [];
      for (const split of ['train', 'test'] as const) {
        const assembler = open.splits.get(split);
        if (!assembler || assembler.n === 0) continue;
        const data = assembler.finish();
        splits.push({ run: run.name, epoch, split, dim: run.dim, ...data, head: open.head, classes: run.classes });
      }
      if (splits.length === 0) continue;
      this.handOn({ run: run.name, epoch, splits, ...(leftover ? { leftover } : {}) });
    }
  }

  /**
   * Checks the caps for adding `ids` ids and `extra` bytes to an epoch (open, or to be opened).
   * @returns the bytes the epoch may still take (before `extra`), for bounded storage growth.
   */
  private checkRoom(run: IngestRunState, epoch: number, open: OpenEpoch | undefined, ids: number, extra: number): number {
    const l = this.limits;
    if (!open && run.open.size >= l.maxOpenEpochs) {
      throw over('maxOpenEpochs', l, `the run has ${run.open.size} open epochs; the oldest, ${run.open.oldest}, waits for ${laggards(run)}`);
    }
    const epochIds = (open?.ids ?? 0) + ids;
    if (epochIds > l.maxEpochIds) throw over('maxEpochIds', l, `epoch ${epoch} would hold ${epochIds} ids`);
    const epochBytes = open?.bytes ?? 0;
    if (epochBytes + extra > l.maxEpochBytes) throw over('maxEpochBytes', l, `epoch ${epoch} would hold ${epochBytes + extra} bytes`);
    if (this.buffered + extra > l.maxBufferedBytes) {
      throw over('maxBufferedBytes', l, `the open epochs of all runs would hold ${this.buffered + extra} bytes`);
    }
    return Math.min(l.maxEpochBytes - epochBytes, l.maxBufferedBytes - this.buffered);
  }

  private hold(open: OpenEpoch, bytes: number): void {
    open.bytes += bytes;
    this.buffered += bytes;
  }

  private openEpoch(run: IngestRunState, epoch: number): OpenEpoch {
    const open: OpenEpoch = { splits: new Map(), bytes: 0, ids: 0 };
    run.open.add(epoch, open);
    return open;
  }
}

/** The producers not yet done with the run's oldest open epoch, for a reason text. */
function laggards(run: IngestRunState): string {
  const names = [...run.producers].filter(([, p]) => !p.ended && p.doneThrough < run.open.oldest).map(([name]) => JSON.stringify(name));
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `producers ${shown} and ${names.length - 3} more` : `producer${names.length === 1 ? '' : 's'} ${shown}`;
}
