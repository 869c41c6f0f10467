/**
 * One pipeline for live and replayed input: frame bytes -> decode -> ingest -> record -> engine ->
 * audit -> Event sink. The main thread only decodes, validates, records and hands on; the engine
 * runs in a worker and reports back.
 */
import { decodeFrame } from '../protocol/decode.js';
import { VERSION } from '../version.js';
import { Ingest, type IngestStats } from '../ingest/ingest.js';
import { describeError } from '../ingest/ingest-errors.js';
import { decodeLimits, type ReceiveLimits } from '../ingest/limits.js';
import type { DecodeLimits } from '../protocol/decode.js';
import type { Reject } from '../protocol/types.js';
import type { EpochSet } from '../model/epoch-data.js';
import { Recorder, type RecordError, type RecorderOptions } from '../record/recorder.js';
import type { PrunedFile } from '../record/folder-cap.js';
import type { Auditor } from '../audit/auditor.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import type { EngineHandlers, EngineLike } from '../engine-thread/engine-client.js';
import type { AlertEvent, Event, EventSink, SummaryEvent } from '../model/events.js';
import { EpochOrder } from './epoch-order.js';
import { AlertGate } from './alert-gate.js';
import { toPrintable } from '../model/printable.js';
import { CallbackGuard } from './callback-guard.js';

export interface PipelineOptions {
  /** Every event goes here (dashboard, headless writer, tests). */
  readonly sink: EventSink;
  /** Folder for recordings; undefined disables recording. */
  readonly recordDir?: string;
  /** Recorder caps (write queue, open files, idle close); defaults in record/recorder.ts. */
  readonly recorder?: RecorderOptions;
  /** Builds the engine given the pipeline's handlers; undefined: no projection (epoch events only). */
  readonly engine?: (handlers: EngineHandlers) => EngineLike;
  readonly auditor?: Auditor;
  /**
   * Told of every assembled epoch before the engine takes it (offline consumers such as eval and
   * export). The engine owns the set's buffers once submitted: do not keep them when an engine runs.
   */
  readonly onEpochSet?: (set: EpochSet) => void;
  /** Producer silence timeout, ms. */
  readonly silenceMs: number;
  /** Caps on what producers can make the monitor hold (sentrycam(1), LIMITS); defaults when absent. */
  readonly limits?: ReceiveLimits;
  /** Catches exceptions in the engine's callbacks; default: one reporting them as notice events. */
  readonly guard?: CallbackGuard;
  /**
   * Runs and layers (streams) the engine keeps state for (default ENGINE_STREAM_CAP). Beyond it the
   * stream that ended longest ago, else the one idle longest, is dropped there, with a notice.
   */
  readonly maxEngineStreams?: number;
}

/**
 * Default cap on engine states: each holds a projector, its layout and a few epochs of working
 * rows, some MB at the sizes the monitor is meant for; 64 covers a sweep times a few layers.
 */
export const ENGINE_STREAM_CAP = 64;

/**
 * How long shutdown waits for the engine, ms. systemd and Kubernetes allow 10-30 s between
 * SIGTERM and SIGKILL; two waits of 3 s leave the rest for the recorder and the terminal.
 */
export const ENGINE_DRAIN_MS = 3000;

/** True when p settled within ms (its value or error is not needed here). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The engine's handlers, each run under the guard. */
function guardHandlers(guard: CallbackGuard, h: Required<EngineHandlers>): EngineHandlers {
  const where = "handling the engine's answer";
  return {
    onLayout: (layout) => guard.run(where, () => h.onLayout(layout)),
    onSkipped: (run, epoch) => guard.run(where, () => h.onSkipped(run, epoch)),
    onState: (state, run, epoch) => guard.run(where, () => h.onState(state, run, epoch)),
    onRestart: (err, delayMs, run, epoch) => guard.run(where, () => h.onRestart(err, delayMs, run, epoch)),
    onError: (err, run, epoch) => guard.run(where, () => h.onError(err, run, epoch)),
    onBackfill: (layout) => guard.run(where, () => h.onBackfill(layout)),
  };
}

export class Pipeline {
  readonly ingest: Ingest;
  private readonly recorder?: Recorder;
  private readonly engine?: EngineLike;
  private readonly order = new EpochOrder((e) => this.emit(e));
  private readonly gate = new AlertGate();
  private closed = false;
  private sealed = false;
  /** Runs whose last producer sent `end` in the frame being received: their files close once it is recorded. */
  private readonly runsEnded: string[] = [];
  private readonly decodeLimits: DecodeLimits;
  private readonly guard: CallbackGuard;
  /** Streams the engine holds state for, least recently submitted first (the cap's order). */
  private readonly engineStreams = new Set<string>();
  /** Streams whose run ended, in the order they ended (dropped first at the cap). */
  private readonly endedStreams = new Set<string>();

  constructor(private readonly opts: PipelineOptions) {
    this.guard = opts.guard ?? new CallbackGuard((message) => this.emit({ event: 'notice', level: 'warning', topic: 'internal_error', message: toPrintable(message) }));
    this.ingest = new Ingest({ sink: (e) => this.onIngestEvent(e), onEpoch: (set) => this.onEpoch(set), silenceMs: opts.silenceMs, limits: opts.limits });
    this.decodeLimits = decodeLimits(this.ingest.limits);
    if (opts.recordDir) {
      const onError = (err: RecordError): void => this.emit({ event: 'record_error', run: err.run, file: err.file, message: err.message });
      const onPruned = (p: PrunedFile): void => this.emit({ event: 'record_pruned', file: p.file, bytes: p.bytes, folder_bytes: p.folderBytes, max_bytes: p.maxBytes });
      this.recorder = new Recorder(opts.recordDir, onError, { onPruned, ...opts.recorder });
    }
    if (opts.engine) {
      // The engine calls these from its worker's message handler: an exception thrown there would end the process.
      this.engine = opts.engine(guardHandlers(this.guard, {
        onLayout: (layout) => this.onLayout(layout),
        onSkipped: (run, epoch) => this.order.settle(run, epoch, { engine: 'skipped' }),
        // History only: the epoch was reported (skipped) and audited on its activations already.
        onBackfill: (layout) => this.emit({ event: 'layout', layout, backfill: true }),
        onState: (state, run, epoch) => this.emit({ event: 'engine', state, run, epoch }),
        onRestart: (err, delayMs, run, epoch) =>
          this.alerts([{
            event: 'alert',
            run: run ?? '',
            epoch: epoch ?? null,
            kind: 'engine',
            severity: 'warning',
            message: toPrintable(`the projection engine's worker died (${err.message}); a new one starts in ${delayMs} ms and lays every run out afresh (data keeps being received and recorded)`),
            evidence: { error: toPrintable(err.message), restart_ms: delayMs },
          }]),
        onError: (err, run, epoch) => {
          this.warn(`engine failed on run ${JSON.stringify(run)} epoch ${epoch}: ${err.message}`);
          this.order.settle(run, epoch, { engine: 'failed' });
        },
      }));
    }
  }

  /** Recording files written, by run. */
  get recordings(): ReadonlyMap<string, string> {
    return this.recorder?.paths ?? new Map();
  }

  get stats(): Readonly<IngestStats> {
    return this.ingest.stats;
  }

  /**
   * True when a run has sent `end`, every other run has ended or gone quiet (Ingest.allEndedOrQuiet),
   * and every epoch its producers finished has been reported: when `--exit-on-end` stops. Leftover
   * epochs (EpochSet.leftover) get the engine's last seconds at close(), like any epoch then.
   */
  get finished(): boolean {
    return this.ingest.allEndedOrQuiet && this.order.idleButLeftovers;
  }

  /** Says where frames come from (the first event of a session). */
  announce(source: string): void {
    this.emit({ event: 'listening', source, record: this.opts.recordDir ?? null, version: VERSION });
    // --record-max over what earlier sessions left: said after `listening`, which stays first.
    this.recorder?.enforceCap();
  }

  /**
   * Takes one received frame (bytes as sent). Refused once close() has begun: shutdown stops intake
   * first. Never throws: whatever fails while handling one frame becomes an internal_error reject
   * naming it, and the next frame is taken as usual.
   */
  receive(bytes: Buffer, receivedAt: number): void {
    if (this.closed) return;
    let who: Pick<Reject, 'run' | 'producer' | 'seq'> = {};
    try {
      const decoded = decodeFrame(bytes, this.decodeLimits);
      if (!decoded.ok) {
        this.ingest.rejected(decoded.reject, receivedAt);
        return;
      }
      const frame = decoded.frame;
      who = { run: frame.run, producer: frame.producer, seq: frame.seq };
      // Only accepted frames are recorded; a replay of the file sees exactly what was accepted.
      const reject = this.ingest.accept(frame, receivedAt);
      if (reject) return;
      if (this.recorder) {
        // A refused append needs nothing here: the recorder reports a stopped recording or a full
        // queue itself (record_error).
        this.recorder.append(frame.run, bytes, receivedAt);
        if (frame.type === 'epoch_end') void this.recorder.sync(frame.run);
        // The run's end (its last producer's `end`) closes and fsyncs its file; a run that says
        // hello again after that gets a new file.
        for (const run of this.runsEnded.splice(0)) void this.recorder.endRun(run);
      }
    } catch (err) {
      const reason = `internal error while handling the frame (the monitor goes on): ${describeError(err)}`;
      try {
        this.ingest.internalError(who, reason);
      } catch (again) {
        // The sink itself fails: nothing is left to report through but stderr.
        this.warn(`${reason}; reporting it failed too: ${describeError(again)}`);
      }
    }
  }

  /** Silence check; call about once a second. */
  tick(now: number): void {
    this.ingest.tick(now);
  }

  /** Resolves when the engine has reported every epoch handed to it. */
  whenIdle(): Promise<void> {
    return this.order.whenIdle();
  }

  /** Completes every open epoch now (end of input). */
  flush(): void {
    this.ingest.flush();
  }

  /**
   * Shuts down in the order that loses nothing accepted: intake stops, open epochs complete, the
   * recordings are flushed and closed, then the engine gets at most ENGINE_DRAIN_MS to report what
   * it holds (what it has not reported by then is reported skipped: its data is recorded). Returns
   * the summary (also emitted, as the last event).
   */
  async close(): Promise<SummaryEvent> {
    if (!this.closed) {
      this.closed = true;
      // A close asked for from inside receive() (the run's own `end` finished the session:
      // --exit-on-end) first lets that frame be recorded: it was accepted.
      await Promise.resolve();
      this.ingest.flush();
      await this.recorder?.close();
      if (!(await settlesWithin(this.whenIdle(), ENGINE_DRAIN_MS))) this.order.abandon({ engine: 'skipped' });
      if (this.engine && !(await settlesWithin(this.engine.close(), ENGINE_DRAIN_MS))) this.warn(`the engine did not stop within ${ENGINE_DRAIN_MS} ms; leaving it`);
    }
    const s = this.ingest.stats;
    const suppressed = this.gate.suppressedTotal;
    const summary: SummaryEvent = { event: 'summary', frames: s.frames, rejected: s.rejected, lost: s.lost, epochs: s.epochs, ...(suppressed ? { alerts_suppressed: suppressed } : {}) };
    this.emit(summary);
    return summary;
  }

  private onIngestEvent(e: Event): void {
    if (e.event === 'end' && this.recorder) this.runsEnded.push(e.run);
    if (e.event === 'end' && this.engineStreams.has(e.run)) this.endedStreams.add(e.run);
    this.emit(e);
    if (this.opts.auditor && this.mayAlert(e)) this.alerts(this.opts.auditor.onEvent(e));
  }

  /**
   * A refused frame raises an alert (a NaN, say) only when it came from a producer that said hello
   * in its run: anyone can send a frame naming a run, and strays must change nothing.
   */
  private mayAlert(e: Event): boolean {
    if (e.event !== 'reject') return true;
    return e.run !== null && e.producer !== null && this.ingest.hasProducer(e.run, e.producer);
  }

  private onEpoch(set: EpochSet): void {
    if (this.opts.auditor) for (const split of set.splits) this.alerts(this.opts.auditor.onEpochData(split));
    this.opts.onEpochSet?.(set);
    if (!this.engine) return this.order.reportNow(set, { engine: 'off' });
    this.order.expect(set);
    this.holdEngineState(set.run);
    this.engine.submit(set);
  }

  /** Notes that the engine holds `stream`; at the cap, drops the one ended longest ago, else the idlest. */
  private holdEngineState(stream: string): void {
    const held = this.engineStreams;
    held.delete(stream);
    this.endedStreams.delete(stream);
    const cap = this.opts.maxEngineStreams ?? ENGINE_STREAM_CAP;
    while (held.size >= cap) {
      const victim = this.endedStreams.values().next().value ?? held.values().next().value!;
      held.delete(victim);
      this.endedStreams.delete(victim);
      this.engine?.forget?.(victim);
      this.emit({
        event: 'notice',
        level: 'info',
        topic: 'engine',
        message: toPrintable(`projection state of ${JSON.stringify(victim)} dropped: the engine keeps ${cap} runs and layers (ended ones first, then the idlest); if it sends again, its layout starts afresh`),
      });
    }
    held.add(stream);
  }

  private onLayout(layout: EpochLayout): void {
    this.emit({ event: 'layout', layout });
    this.order.settle(layout.run, layout.epoch, { engine: 'projected', ...layout.metrics });
    if (this.opts.auditor) this.alerts(this.opts.auditor.onLayout(layout));
  }

  private alerts(list: readonly AlertEvent[]): void {
    for (const a of list) {
      const out = this.gate.pass(a, (run) => this.ingest.hasRun(run), Date.now());
      if (out) this.emit(out);
    }
  }

  private warn(message: string): void {
    process.stderr.write(`sentrycam: ${message}\n`);
  }

  private emit(e: Event): void {
    // The summary is the last word: nothing after it (an engine answer arriving late, say).
    if (this.sealed) return;
    if (e.event === 'summary') this.sealed = true;
    this.opts.sink(e);
  }
}
