/**
 * Per-run state on the main thread: producers, seq gaps, epoch assembly.
 * Takes decoded frames, refuses those that contradict the run's state, and hands on
 * completed epochs. Pure apart from the clock it is given.
 */
import type { BatchFrame, EpochEndFrame, Frame, HelloFrame, Reject, RejectCode, Split } from '../protocol/types.js';
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import type { Event, EventSink } from '../model/events.js';
import { SplitAssembler } from './split-assembler.js';
import { toPrintable, type Printable } from '../model/printable.js';


export interface IngestOptions {
  /** Receives every event ingest produces (hello, metrics, reject, lost, end, silence). */
  readonly sink: EventSink;
  /** Called once per completed epoch that has at least one point. */
  readonly onEpoch: (set: EpochSet) => void;
  /** A producer silent this long is treated as done with its open epoch (and reported). */
  readonly silenceMs: number;
}

export interface IngestStats {
  /** Frames seen (accepted + rejected). */
  frames: number;
  rejected: number;
  lost: number;
  /** Epochs completed and handed on. */
  epochs: number;
}

interface ProducerState {
  /** Seq expected next. */
  nextSeq: number;
  /** Highest epoch this producer is known to be finished with (-1: none). */
  doneThrough: number;
  lastSeen: number;
  ended: boolean;
  /** Reported silent in the current silence episode. */
  silent: boolean;
}

interface OpenEpoch {
  readonly splits: Map<Split, SplitAssembler>;
  head?: EpochEndFrame['head'];
}

interface IngestRunState {
  readonly name: string;
  dim: number;
  layer: string;
  classes?: readonly Printable[];
  readonly producers: Map<string, ProducerState>;
  readonly open: Map<number, OpenEpoch>;
  /** Epochs below this are complete: their batches are refused. */
  completedBelow: number;
  ended: boolean;
}

class IngestError extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message);
  }
}

/** Frame identity prefix for reasons, e.g. `run "a" producer "0" seq 7`. */
export function frameName(r: { run?: string | null; producer?: string | null; seq?: number | null }): string {
  const parts: string[] = [];
  if (r.run != null) parts.push(`run ${JSON.stringify(r.run)}`);
  if (r.producer != null) parts.push(`producer ${JSON.stringify(r.producer)}`);
  if (r.seq != null) parts.push(`seq ${r.seq}`);
  return parts.length ? parts.join(' ') : 'unidentified frame';
}

export class Ingest {
  readonly stats: IngestStats = { frames: 0, rejected: 0, lost: 0, epochs: 0 };
  private readonly runs = new Map<string, IngestRunState>();

  constructor(private readonly opts: IngestOptions) {}

  /** True when the run said hello (and is still held). */
  hasRun(run: string): boolean {
    return this.runs.has(run);
  }

  /** True when every run seen has ended (and at least one was seen). */
  get allEnded(): boolean {
    return this.runs.size > 0 && [...this.runs.values()].every((r) => r.ended);
  }

  /**
   * Takes a decoded frame. Returns null when accepted, or the Reject (also sent to the sink).
   * @param now clock, ms
   */
  accept(frame: Frame, now: number): Reject | null {
    this.stats.frames++;
    const run = this.runs.get(frame.run);
    if (run) this.trackSeq(run, frame.producer, frame.seq, now, frame.type === 'hello');
    try {
      this.apply(run, frame, now);
      return null;
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      const reject: Reject = { run: frame.run, producer: frame.producer, seq: frame.seq, code: err.code, reason: err.message };
      this.emitReject(reject);
      return reject;
    }
  }

  /** Counts a frame that failed to decode; its seq still counts as received when it could be read. */
  rejected(reject: Reject, now: number): void {
    this.stats.frames++;
    const run = reject.run === undefined ? undefined : this.runs.get(reject.run);
    if (run && reject.producer !== undefined && reject.seq !== undefined) this.trackSeq(run, reject.producer, reject.seq, now, false);
    this.emitReject(reject);
  }

  /** Silence check; call about once a second. */
  tick(now: number): void {
    for (const run of this.runs.values()) {
      if (run.ended) continue;
      for (const [name, p] of run.producers) {
        if (p.ended || p.silent || now - p.lastSeen < this.opts.silenceMs) continue;
        p.silent = true;
        this.emit({ event: 'silence', run: run.name, producer: name, seconds: Math.round((now - p.lastSeen) / 1000) });
        // Treated as done for every epoch open now, so the other producers' data is not held hostage.
        const open = [...run.open.keys()];
        if (open.length) p.doneThrough = Math.max(p.doneThrough, Math.max(...open));
        this.completeReady(run);
      }
    }
  }

  /** Completes every open epoch (on exit), so nothing received is left unprojected. */
  flush(): void {
    for (const run of this.runs.values()) this.completeThrough(run, Infinity);
  }

  private apply(run: IngestRunState | undefined, frame: Frame, now: number): void {
    if (frame.type === 'hello') return this.hello(run, frame, now);
    if (!run) {
      throw new IngestError('no_hello', `no hello received for this run (a producer must send hello first; was the monitor started after the producer?)`);
    }
    if (!run.producers.has(frame.producer)) {
      // A producer of a known run whose own hello we missed: adopt it rather than drop valid data.
      run.producers.set(frame.producer, { nextSeq: frame.seq + 1, doneThrough: -1, lastSeen: now, ended: false, silent: false });
    }
    const producer = run.producers.get(frame.producer)!;
    switch (frame.type) {
      case 'batch':
        this.batch(run, producer, frame);
        break;
      case 'epoch_end':
        if (frame.epoch < run.completedBelow) {
          throw new IngestError('stale_epoch', `epoch_end for epoch ${frame.epoch}, which is already complete`);
        }
        if (frame.head) {
          if (frame.head.dim !== run.dim) {
            throw new IngestError('dim_mismatch', `head_weight has ${frame.head.dim} columns, the run's D is ${run.dim}`);
          }
          this.openEpoch(run, frame.epoch).head = frame.head;
        }
        producer.doneThrough = Math.max(producer.doneThrough, frame.epoch);
        this.completeReady(run);
        break;
      case 'metrics':
        this.markLaterEpoch(run, producer, frame.epoch);
        this.emit({ event: 'metrics', run: run.name, epoch: frame.epoch, step: frame.step, values: frame.values });
        this.completeReady(run);
        break;
      case 'end':
        producer.ended = true;
        producer.doneThrough = Infinity;
        this.completeReady(run);
        if ([...run.producers.values()].every((p) => p.ended)) {
          this.completeThrough(run, Infinity);
          run.ended = true;
          this.emit({ event: 'end', run: run.name });
        }
        break;
    }
  }

  private hello(run: IngestRunState | undefined, frame: HelloFrame, now: number): void {
    const classes = frame.classes?.map((c) => toPrintable(c));
    if (run) {
      if (frame.dim !== run.dim) {
        throw new IngestError('dim_mismatch', `hello says dim ${frame.dim}, the run's D is ${run.dim}`);
      }
      run.layer = toPrintable(frame.layer);
      if (classes) run.classes = classes;
      if (run.ended) run.ended = false;
    } else {
      run = { name: frame.run, dim: frame.dim, layer: toPrintable(frame.layer), classes, producers: new Map(), open: new Map(), completedBelow: 0, ended: false };
      this.runs.set(frame.run, run);
    }
    const existing = run.producers.get(frame.producer);
    if (existing) {
      existing.ended = false;
    } else {
      run.producers.set(frame.producer, { nextSeq: frame.seq + 1, doneThrough: -1, lastSeen: now, ended: false, silent: false });
    }
    this.emit({
      event: 'hello',
      run: frame.run,
      producer: frame.producer,
      layer: run.layer,
      dim: frame.dim,
      ...(classes ? { classes } : {}),
      ...(frame.model !== undefined ? { model: toPrintable(frame.model) } : {}),
    });
  }

  private batch(run: IngestRunState, producer: ProducerState, frame: BatchFrame): void {
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
    const open = this.openEpoch(run, frame.epoch);
    let split = open.splits.get(frame.split);
    const dup = split?.firstDuplicate(frame.ids);
    if (dup !== undefined) throw new IngestError('duplicate_id', `id ${dup} was already sent in epoch ${frame.epoch} (${frame.split})`);
    if (!split) {
      split = new SplitAssembler(run.dim);
      open.splits.set(frame.split, split);
    }
    split.append(frame);
    this.markLaterEpoch(run, producer, frame.epoch);
    this.completeReady(run);
  }

  /** A frame of epoch e means its producer is done with every epoch before e. */
  private markLaterEpoch(run: IngestRunState, producer: ProducerState, epoch: number): void {
    producer.doneThrough = Math.max(producer.doneThrough, epoch - 1);
  }

  private openEpoch(run: IngestRunState, epoch: number): OpenEpoch {
    let open = run.open.get(epoch);
    if (!open) {
      open = { splits: new Map() };
      run.open.set(epoch, open);
    }
    return open;
  }

  /** Completes the open epochs that every live producer is done with. */
  private completeReady(run: IngestRunState): void {
    // A producer still silent is done with every epoch open now, including those opened after it
    // fell silent (otherwise one crashed rank would hold back every later epoch of the run).
    const lastOpen = run.open.size ? Math.max(...run.open.keys()) : -1;
    let through = Infinity;
    for (const p of run.producers.values()) if (!p.ended) through = Math.min(through, p.silent ? Math.max(p.doneThrough, lastOpen) : p.doneThrough);
    if (through === Infinity && [...run.producers.values()].some((p) => !p.ended)) return;
    this.completeThrough(run, through);
  }

  private completeThrough(run: IngestRunState, through: number): void {
    const ready = [...run.open.keys()].filter((e) => e <= through).sort((a, b) => a - b);
    for (const epoch of ready) {
      const open = run.open.get(epoch)!;
      run.open.delete(epoch);
      run.completedBelow = Math.max(run.completedBelow, epoch + 1);
      const splits: EpochData[] = [];
      for (const split of ['train', 'test'] as const) {
        const assembler = open.splits.get(split);
        if (!assembler || assembler.n === 0) continue;
        const data = assembler.finish();
        splits.push({ run: run.name, epoch, split, dim: run.dim, ...data, head: open.head, classes: run.classes });
      }
      if (splits.length === 0) continue;
      this.stats.epochs++;
      this.opts.onEpoch({ run: run.name, epoch, splits });
    }
  }

  private trackSeq(run: IngestRunState, producerName: string, seq: number, now: number, isHello: boolean): void {
    const p = run.producers.get(producerName);
    if (!p) return;
    p.lastSeen = now;
    p.silent = false;
    if (seq > p.nextSeq) {
      const count = seq - p.nextSeq;
      this.stats.lost += count;
      this.emit({ event: 'lost', run: run.name, producer: producerName, count, expected: p.nextSeq, got: seq });
    }
    // A restarted producer begins again at 0 with a hello; any other step back is reordering we cannot see
    // on one SP connection, so the highest seq wins and nothing is counted twice.
    if (seq >= p.nextSeq || (isHello && seq === 0)) p.nextSeq = seq + 1;
  }

  private emitReject(reject: Reject): void {
    this.stats.rejected++;
    // A rejected frame's fields may be anything the network sent: made printable here, once.
    const reason = toPrintable(`${frameName(reject)}: ${reject.reason}`);
    const text = (v: string | undefined): string | null => (v === undefined ? null : toPrintable(v));
    this.emit({ event: 'reject', run: text(reject.run), producer: text(reject.producer), seq: reject.seq ?? null, code: reject.code, reason });
  }

  private emit(event: Event): void {
    this.opts.sink(event);
  }
}
