/**
 * Per-run state on the main thread: runs, their layers and producers, seq gaps and silence; the
 * epochs themselves are assembled in epoch-assembly.ts. Takes decoded frames, refuses those that
 * contradict the run's state or would go over a cap (limits.ts), and hands on completed epochs.
 * Pure apart from the clock it is given. A refused frame changes no state; handling a frame never
 * throws (a failure becomes an internal_error reject).
 */
import type { BatchFrame, EpochEndFrame, Frame, HelloFrame, MetricsFrame, Reject } from '../protocol/types.js';
import type { EpochSet } from '../model/epoch-data.js';
import type { Event, EventSink } from '../model/events.js';
import { EpochAssembly } from './epoch-assembly.js';
import { OpenEpochs } from './open-epochs.js';
import { DEFAULT_LIMITS, type ReceiveLimits } from './limits.js';
import { IngestError, describeError, frameName, over } from './ingest-errors.js';
import { dormant, runToEvict, type ProducerState, type IngestRunState } from './run-state.js';
import { toPrintable, type Printable } from '../model/printable.js';
import { MAX_SEQ_GAP, markLaterEpoch, newProducer, rejoin, takeSeq } from './producer-seq.js';
import { streamName } from '../model/stream-name.js';

/** Layers one run may have (protocol 1.1): each is a stream the engine projects apart. */
export const MAX_LAYERS_PER_RUN = 16;

export interface IngestOptions {
  /** Receives every event ingest produces (hello, metrics, reject, lost, end, silence). */
  readonly sink: EventSink;
  /** Called once per completed epoch that has at least one point. */
  readonly onEpoch: (set: EpochSet) => void;
  /** A producer silent this long is treated as done with its open epoch (and reported). */
  readonly silenceMs: number;
  /** Caps on what producers can make ingest hold; DEFAULT_LIMITS when absent. */
  readonly limits?: ReceiveLimits;
}

export interface IngestStats {
  /** Frames seen (accepted + rejected). */
  frames: number;
  rejected: number;
  lost: number;
  /** Epochs completed and handed on. */
  epochs: number;
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

export class Ingest {
  readonly stats: IngestStats = { frames: 0, rejected: 0, lost: 0, epochs: 0 };
  readonly limits: ReceiveLimits;
  private readonly runs = new Map<string, IngestRunState>();
  /** Names of every run's further layers (RUN/LAYER), so that no run and no layer stream share a name. */
  private readonly layerStreams = new Set<string>();
  /** Open epochs of every stream, and the bytes they hold (max-buffered). */
  private readonly epochs: EpochAssembly;
  /** Runs that have ended so far (an ended run may since have been forgotten for room: max-runs). */
  private endedRuns = 0;

  constructor(private readonly opts: IngestOptions) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.epochs = new EpochAssembly(this.limits, (set) => {
      this.stats.epochs++;
      opts.onEpoch(set);
    });
  }

  /** True when the run said hello (and is still held). */
  hasRun(run: string): boolean {
    return this.runs.has(run) || this.layerStreams.has(run);
  }

  /** True when this producer said hello in the run (and the run is still held). */
  hasProducer(run: string, producer: string): boolean {
    return this.runs.get(run)?.producers.has(producer) === true;
  }

  /**
   * True when a run has ended and every run still held has ended or gone quiet (each of its
   * producers ended or reported silent): the rule of `--exit-on-end`. A run that a client started
   * and then left, a crashed job or a hostile one, holds the exit for --silence-s at most; frames
   * that were refused (strays, runs over a cap) hold nothing.
   */
  get allEndedOrQuiet(): boolean {
    if (this.endedRuns === 0) return false;
    for (const r of this.runs.values()) if (!r.ended && !dormant(r)) return false;
    return true;
  }

  /** Bytes held for open epochs right now, as the caps count them. */
  get bufferedBytes(): number {
    return this.epochs.bufferedBytes;
  }

  /** Runs held in memory right now. */
  get runCount(): number {
    return this.runs.size;
  }

  /**
   * Takes a decoded frame. Returns null when accepted, or the Reject (also sent to the sink).
   * Never throws: an unexpected failure is an internal_error reject naming the frame.
   * @param now clock, ms
   */
  accept(frame: Frame, now: number): Reject | null {
    this.stats.frames++;
    try {
      this.take(frame, now);
      return null;
    } catch (err) {
      const known = err instanceof IngestError;
      const reject: Reject = {
        run: frame.run,
        producer: frame.producer,
        seq: frame.seq,
        code: known ? err.code : 'internal_error',
        reason: known ? err.message : `internal error while handling this ${frame.type} frame (the monitor goes on): ${describeError(err)}`,
      };
      this.emitReject(reject);
      return reject;
    }
  }

  /** Counts a frame that failed to decode; its seq still counts as received when it could be read. */
  rejected(reject: Reject, now: number): void {
    this.stats.frames++;
    const run = reject.run === undefined ? undefined : this.runs.get(reject.run);
    const p = reject.producer === undefined ? undefined : run?.producers.get(reject.producer);
    if (run && p && reject.seq !== undefined && reject.seq - p.nextSeq <= MAX_SEQ_GAP) this.trackSeq(run, reject.producer!, p, reject.seq, now, false);
    this.emitReject(reject);
  }

  /**
   * Reports a failure in handling a frame that accept() or rejected() has already counted (e.g. in
   * recording it): a reject event, without counting the frame again.
   */
  internalError(who: Pick<Reject, 'run' | 'producer' | 'seq'>, reason: string): void {
    this.emitReject({ ...who, code: 'internal_error', reason });
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
        for (const s of [run, ...run.layers.values()]) {
          const sp = s.producers.get(name);
          if (!sp) continue;
          sp.silent = true;
          if (s.open.size) sp.doneThrough = Math.max(sp.doneThrough, s.open.newest);
          this.epochs.completeReady(s, true);
        }
      }
    }
  }

  /** Completes every open epoch (on exit), so nothing received is left unprojected. */
  flush(): void {
    for (const run of this.runs.values()) for (const s of [run, ...run.layers.values()]) this.epochs.completeThrough(s, Infinity, true);
  }

  private take(frame: Frame, now: number): void {
    const run = this.runs.get(frame.run);
    const producer = run?.producers.get(frame.producer);
    if (run && producer) this.trackSeq(run, frame.producer, producer, frame.seq, now, frame.type === 'hello');
    if (frame.type === 'hello') return this.hello(run, producer, frame, now);
    if (!run) {
      throw new IngestError('no_hello', 'no hello received for this run (a producer must send hello first; was the monitor started after the producer?)');
    }
    // Only producers that said hello take part in the run: a stray one must not hold its epochs or its end.
    if (!producer) {
      throw new IngestError('no_hello', 'this producer has not said hello in this run; its frames count from its own hello (producers send one at the start of every epoch)');
    }
    // Its `end` took it out of the run. Taken, a late frame would be recorded in a second file
    // without a hello (the run's file is closed at its end), and a second `end` would end the run twice.
    if (producer.ended) {
      throw new IngestError('no_hello', `this producer sent end, which ends its part in the run; a ${frame.type} after it counts only from a new hello (a restart)`);
    }
    switch (frame.type) {
      case 'batch': {
        const [s, p] = this.stream(run, frame, now);
        return this.epochs.batch(s, p, frame);
      }
      case 'epoch_end': {
        const [s, p] = this.stream(run, frame, now);
        return this.epochs.epochEnd(s, p, frame);
      }
      case 'metrics':
        // Metrics are the run's: a frame of epoch e still tells every layer that this producer is past e-1.
        for (const s of run.layers.values()) {
          const p = s.producers.get(frame.producer);
          if (p) markLaterEpoch(p, frame.epoch);
          this.epochs.completeReady(s);
        }
        return this.metrics(run, producer, frame);
      case 'end':
        // The run's further layers end with it (their `end` events first, the run's own last).
        for (const s of run.layers.values()) this.endProducer(s, frame.producer, now);
        this.endProducer(run, frame.producer, now);
    }
  }

  /** A producer's `end` in one stream; the stream ends when all of its producers have. */
  private endProducer(s: IngestRunState, name: string, now: number): void {
    const producer = s.producers.get(name);
    if (!producer) return;
    producer.ended = true;
    producer.doneThrough = Infinity;
    this.epochs.completeReady(s);
    for (const p of s.producers.values()) if (!p.ended) return;
    this.epochs.completeThrough(s, Infinity);
    s.ended = true;
    s.endedAt = now;
    // --exit-on-end counts runs; a run's further layers end with it.
    if (!this.layerStreams.has(s.name)) this.endedRuns++;
    this.emit({ event: 'end', run: s.name });
  }

  /**
   * The stream a batch or epoch_end belongs to (protocol 1.1): its `layer`, or the run's first
   * layer when it names none, and the producer's state there.
   */
  private stream(run: IngestRunState, frame: BatchFrame | EpochEndFrame, now: number): [IngestRunState, ProducerState] {
    if (frame.layer === undefined || frame.layer === run.layer) return [run, run.producers.get(frame.producer)!];
    const s = run.layers.get(frame.layer);
    if (!s) throw new IngestError('no_hello', `no hello for layer ${JSON.stringify(frame.layer)} in this run (a producer says hello once per layer it sends; the run's first layer is ${JSON.stringify(run.layer)})`);
    const p = s.producers.get(frame.producer);
    if (!p) throw new IngestError('no_hello', `this producer has not said hello for layer ${JSON.stringify(frame.layer)}`);
    p.lastSeen = now;
    p.silent = false;
    return [s, p];
  }

  /**
   * A producer's first hello in a run adds it; a repeated one (producers send one every epoch) is a
   * no-op with no event, unless the producer had ended (a restart) or the layer, classes or model
   * changed: one hello event per (run, producer) otherwise, so the dashboard is not flooded.
   */
  private hello(known: IngestRunState | undefined, producer: ProducerState | undefined, frame: HelloFrame, now: number): void {
    const layer = toPrintable(frame.layer);
    const classes = frame.classes?.map((c) => toPrintable(c));
    const model = frame.model === undefined ? undefined : toPrintable(frame.model);
    if (known && layer !== known.layer) return this.layerHello(known, producer, frame, now);
    let run = known;
    if (run) {
      if (frame.dim !== run.dim) throw new IngestError('dim_mismatch', `hello says dim ${frame.dim}, the run's D is ${run.dim} (D is fixed for the life of a run: another D needs another run name)`);
      if (!producer && run.producers.size >= this.limits.maxProducers) {
        throw over('maxProducers', this.limits, `the run already has ${run.producers.size} producers`);
      }
    } else {
      if (this.layerStreams.has(frame.run)) throw new IngestError('bad_field', `run name ${JSON.stringify(frame.run)} is taken by a layer of run ${JSON.stringify(frame.run.slice(0, frame.run.lastIndexOf('/')))} (a run's further layers are named RUN/LAYER)`);
      this.makeRoomForRun();
      run = { name: frame.run, dim: frame.dim, layer, producers: new Map(), open: new OpenEpochs(), completedBelow: 0, ended: false, endedAt: 0, layers: new Map() };
      this.runs.set(frame.run, run);
    }
    const changed = (classes !== undefined && !sameList(run.classes, classes)) || (model !== undefined && model !== run.model);
    const restarted = producer?.ended === true;
    if (producer) rejoin(producer, run);
    else run.producers.set(frame.producer, newProducer(frame.seq + 1, now));
    run.layer = layer;
    if (classes) run.classes = classes;
    if (model !== undefined) run.model = model;
    run.ended = false;
    if (producer && !restarted && !changed) return;
    this.emit({
      event: 'hello',
      run: frame.run,
      producer: frame.producer,
      layer,
      dim: frame.dim,
      ...(classes ? { classes } : {}),
      ...(model !== undefined ? { model } : {}),
    });
  }

  /**
   * Protocol 1.1: a hello naming a layer other than the run's first adds that layer as a stream of
   * its own (RUN/LAYER), with its own D; a repeated one is a no-op, as for the first layer. The
   * producer must have said hello in the run's first layer (its seq is tracked there).
   */
  private layerHello(run: IngestRunState, producer: ProducerState | undefined, frame: HelloFrame, now: number): void {
    const layer = toPrintable(frame.layer);
    if (!producer) throw new IngestError('no_hello', `this producer's first hello in the run names layer ${JSON.stringify(layer)}, not the run's first layer ${JSON.stringify(run.layer)}: say hello for that one first`);
    let s = run.layers.get(layer);
    if (!s) {
      const name = streamName(run.name, layer, run.layer);
      if (run.layers.size >= MAX_LAYERS_PER_RUN) throw new IngestError('over_limit', `over the cap of ${MAX_LAYERS_PER_RUN} layers per run: layer ${JSON.stringify(layer)} would be one more`);
      if (this.runs.has(name)) throw new IngestError('bad_field', `layer ${JSON.stringify(layer)} would be named ${JSON.stringify(name)}, which another run already has`);
      s = { name, dim: frame.dim, layer, producers: new Map(), open: new OpenEpochs(), completedBelow: 0, ended: false, endedAt: 0, layers: new Map(), classes: run.classes, model: run.model };
      run.layers.set(layer, s);
      this.layerStreams.add(name);
    } else if (frame.dim !== s.dim) {
      throw new IngestError('dim_mismatch', `hello says dim ${frame.dim}, layer ${JSON.stringify(layer)}'s D is ${s.dim}`);
    }
    const classes = frame.classes?.map((c) => toPrintable(c));
    if (classes) s.classes = classes;
    if (frame.model !== undefined) s.model = toPrintable(frame.model);
    const known = s.producers.get(frame.producer);
    if (!known && s.producers.size >= this.limits.maxProducers) throw over('maxProducers', this.limits, `layer ${JSON.stringify(layer)} already has ${s.producers.size} producers`);
    const restarted = known?.ended === true;
    if (known) rejoin(known, s);
    else s.producers.set(frame.producer, newProducer(0, now));
    s.ended = false;
    if (known && !restarted) return;
    this.emit({ event: 'hello', run: frame.run, producer: frame.producer, layer, dim: frame.dim, ...(s.classes ? { classes: s.classes } : {}), ...(s.model !== undefined ? { model: s.model } : {}) });
  }

  /** At the run cap, forgets one run that ended or fell silent, or refuses the new run. */
  private makeRoomForRun(): void {
    if (this.runs.size < this.limits.maxRuns) return;
    const victim = runToEvict(this.runs.values());
    if (!victim) throw over('maxRuns', this.limits, `${this.runs.size} runs are held and none has ended or fallen silent`);
    // Nothing received is dropped: whatever is still open is handed on first.
    for (const s of victim.layers.values()) {
      this.epochs.completeThrough(s, Infinity, true);
      this.layerStreams.delete(s.name);
    }
    this.epochs.completeThrough(victim, Infinity, true);
    this.runs.delete(victim.name);
  }

  private metrics(run: IngestRunState, producer: ProducerState, frame: MetricsFrame): void {
    markLaterEpoch(producer, frame.epoch);
    this.emit({ event: 'metrics', run: run.name, epoch: frame.epoch, step: frame.step, values: frame.values, ...(frame.task === undefined ? {} : { task: frame.task }) });
    this.epochs.completeReady(run);
  }

  /** Notes a frame of a known producer: alive, and any gap in its seq counted as lost (producer-seq.ts). */
  private trackSeq(run: IngestRunState, name: string, p: ProducerState, seq: number, now: number, isHello: boolean): void {
    const { lost, expected } = takeSeq(p, seq, now, isHello);
    if (lost === 0) return;
    this.stats.lost += lost;
    this.emit({ event: 'lost', run: run.name, producer: name, count: lost, expected, got: seq });
  }

  private emitReject(reject: Reject): void {
    this.stats.rejected++;
    // A rejected frame's fields may be anything the network sent: made printable here, once.
    const reason = toPrintable(`${frameName(reject)}: ${reject.reason}`);
    const text = (v: string | undefined): Printable | null => (v === undefined ? null : toPrintable(v));
    this.emit({ event: 'reject', run: text(reject.run), producer: text(reject.producer), seq: reject.seq ?? null, code: reject.code, reason });
  }

  private emit(event: Event): void {
    this.opts.sink(event);
  }
}
