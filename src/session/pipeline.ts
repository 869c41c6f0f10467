/**
 * One pipeline for live and replayed input: frame bytes -> decode -> ingest -> record -> engine ->
 * audit -> Event sink. The main thread only decodes, validates, records and hands on; the engine
 * runs in a worker and reports back.
 */
import { decodeFrame } from '../protocol/decode.js';
import { VERSION } from '../version.js';
import { Ingest, type IngestStats } from '../ingest/ingest.js';
import type { EpochSet } from '../model/epoch-data.js';
import { Recorder } from '../record/recorder.js';
import type { Auditor } from '../audit/auditor.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import type { EngineHandlers, EngineLike } from '../engine-thread/engine-client.js';
import type { AlertEvent, EpochEvent, Event, EventSink, SummaryEvent } from '../model/events.js';


export interface PipelineOptions {
  /** Every event goes here (dashboard, headless writer, tests). */
  readonly sink: EventSink;
  /** Folder for recordings; undefined disables recording. */
  readonly recordDir?: string;
  /** Builds the engine given the pipeline's handlers; undefined: no projection (epoch events only). */
  readonly engine?: (handlers: EngineHandlers) => EngineLike;
  readonly auditor?: Auditor;
  /** Producer silence timeout, ms. */
  readonly silenceMs: number;
  /** Clock, ms (replay passes recorded times). */
  readonly now?: () => number;
}

interface PendingEpoch {
  readonly epoch: number;
  readonly splits: readonly { split: 'train' | 'test'; n: number; dim: number }[];
  /** What the engine said of it, once it did. */
  result?: Partial<EpochEvent>;
}

export class Pipeline {
  readonly ingest: Ingest;
  private readonly recorder?: Recorder;
  private readonly engine?: EngineLike;
  /**
   * Epochs handed to the engine and not yet reported, per run in epoch order. A skipped epoch is
   * reported only after the older one the engine is still working on, so that every run's epoch
   * events come out in order.
   */
  private readonly pending = new Map<string, PendingEpoch[]>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: PipelineOptions) {
    this.ingest = new Ingest({ sink: (e) => this.onIngestEvent(e), onEpoch: (set) => this.onEpoch(set), silenceMs: opts.silenceMs });
    if (opts.recordDir) this.recorder = new Recorder(opts.recordDir, (err) => this.warn(err.message));
    if (opts.engine) {
      this.engine = opts.engine({
        onLayout: (layout) => this.onLayout(layout),
        onSkipped: (run, epoch) => this.finishEpoch(run, epoch, { engine: 'skipped' }),
        onState: (state, run, epoch) => this.emit({ event: 'engine', state, run, epoch }),
        onError: (err, run, epoch) => {
          this.warn(`engine failed on run ${JSON.stringify(run)} epoch ${epoch}: ${err.message}`);
          this.finishEpoch(run, epoch, { engine: 'failed' });
        },
      });
    }
  }

  /** Recording files written, by run. */
  get recordings(): ReadonlyMap<string, string> {
    return this.recorder?.paths ?? new Map();
  }

  get stats(): Readonly<IngestStats> {
    return this.ingest.stats;
  }

  /** True when every run seen has sent `end` and every epoch has been reported. */
  get finished(): boolean {
    return this.ingest.allEnded && this.pending.size === 0;
  }

  /** Says where frames come from (the first event of a session). */
  announce(source: string): void {
    this.emit({ event: 'listening', source, record: this.opts.recordDir ?? null, version: VERSION });
  }

  /** Takes one received frame (bytes as sent). */
  receive(bytes: Buffer, receivedAt: number): void {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) {
      this.ingest.rejected(decoded.reject, receivedAt);
      return;
    }
    const frame = decoded.frame;
    // Only accepted frames are recorded; a replay of the file sees exactly what was accepted.
    const reject = this.ingest.accept(frame, receivedAt);
    if (reject) return;
    if (this.recorder) {
      this.recorder.append(frame.run, bytes, receivedAt);
      if (frame.type === 'epoch_end' || frame.type === 'end') void this.recorder.sync(frame.run);
    }
  }

  /** Silence check; call about once a second. */
  tick(now: number): void {
    this.ingest.tick(now);
  }

  /** Resolves when the engine has reported every epoch handed to it. */
  whenIdle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Completes open epochs, waits for the engine, flushes recordings; returns the summary (also emitted). */
  async close(): Promise<SummaryEvent> {
    if (!this.closed) {
      this.closed = true;
      this.ingest.flush();
      await this.whenIdle();
      await this.engine?.close();
      await this.recorder?.close();
    }
    const s = this.ingest.stats;
    const summary: SummaryEvent = { event: 'summary', frames: s.frames, rejected: s.rejected, lost: s.lost, epochs: s.epochs };
    this.emit(summary);
    return summary;
  }

  private onIngestEvent(e: Event): void {
    this.emit(e);
    if (this.opts.auditor) this.alerts(this.opts.auditor.onEvent(e));
  }

  private onEpoch(set: EpochSet): void {
    if (this.opts.auditor) for (const split of set.splits) this.alerts(this.opts.auditor.onEpochData(split));
    const splits = set.splits.map((s) => ({ split: s.split, n: s.n, dim: s.dim }));
    if (!this.engine) {
      for (const s of splits) this.emit({ event: 'epoch', run: set.run, epoch: set.epoch, ...s, engine: 'off' });
      return;
    }
    const queue = this.pending.get(set.run) ?? [];
    queue.push({ epoch: set.epoch, splits });
    this.pending.set(set.run, queue);
    this.engine.submit(set);
  }

  private onLayout(layout: EpochLayout): void {
    this.emit({ event: 'layout', layout });
    this.finishEpoch(layout.run, layout.epoch, { engine: 'projected', ...layout.metrics });
    if (this.opts.auditor) this.alerts(this.opts.auditor.onLayout(layout));
  }

  private finishEpoch(run: string, epoch: number, result: Partial<EpochEvent>): void {
    const queue = this.pending.get(run);
    const p = queue?.find((q) => q.epoch === epoch);
    if (!queue || !p) return;
    p.result = result;
    const ready: PendingEpoch[] = [];
    while (queue.length && queue[0]!.result) ready.push(queue.shift()!);
    // Bookkeeping before emitting: a listener may ask `finished` on the last epoch event.
    if (queue.length === 0) this.pending.delete(run);
    for (const done of ready) {
      for (const s of done.splits) this.emit({ event: 'epoch', run, epoch: done.epoch, ...s, ...done.result } as EpochEvent);
    }
    if (this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private alerts(list: readonly AlertEvent[]): void {
    for (const a of list) this.emit(a);
  }

  private warn(message: string): void {
    process.stderr.write(`sentrycam: ${message}\n`);
  }

  private emit(e: Event): void {
    this.opts.sink(e);
  }
}
