/**
 * A monitoring session shared by watch, replay and demo: a Pipeline, its presenters (dashboard or
 * headless lines), alert actions (--on-alert, --exit-on-alert), and an orderly shutdown.
 */
import { Pipeline } from './pipeline.js';
import type { EngineHandlers, EngineLike } from '../engine-thread/engine-client.js';
import { Auditor } from '../audit/auditor.js';
import type { AuditOptions } from '../audit/options.js';
import type { ReceiveLimits } from '../ingest/limits.js';
import { OnAlertRunner } from './on-alert.js';
import { SEVERITY_RANK, type Event, type EventSink, type Severity } from '../model/events.js';
import { EXIT_ALERT, EXIT_OK } from '../model/exit-codes.js';
import { toPrintable } from '../model/printable.js';
import { CallbackGuard } from './callback-guard.js';
import type { EpochSet } from '../model/epoch-data.js';

/** Something that shows events: the dashboard or the headless writer. */
export interface Presenter {
  readonly sink: EventSink;
  /** Told of every received frame (the status line's frames/s, per run in the runs panel). */
  readonly noteFrame?: (frame: Buffer) => void;
  /** Told of every assembled epoch before the engine takes its buffers (copy what you keep). */
  readonly noteEpochSet?: (set: EpochSet) => void;
  /** Restores the terminal; called once at the end. */
  close(): void;
}

/**
 * Something else that takes the session's events besides the presenter (the Prometheus
 * exporter): told of every event and every received frame; closed after the presenter.
 */
export interface EventConsumer {
  readonly sink: EventSink;
  /** Told of every received frame, as received (before decoding). */
  readonly noteFrame?: (frame: Buffer) => void;
  close?(): void | Promise<void>;
}

export interface SessionOptions {
  readonly presenter: Presenter;
  /** More event consumers; default none. */
  readonly consumers?: readonly EventConsumer[];
  /** Info notices shown right after the `listening` event (which stays the first event), e.g. where metrics are served. */
  readonly startNotices?: readonly { readonly topic: string; readonly message: string }[];
  readonly recordDir?: string;
  /** --record-max: cap of the recording folder, bytes. */
  readonly recordMax?: number;
  readonly engine?: (handlers: EngineHandlers) => EngineLike;
  readonly audit: AuditOptions;
  readonly silenceS: number;
  /** Caps on what producers can make the monitor hold; defaults when absent. */
  readonly limits?: ReceiveLimits;
  readonly onAlert?: string;
  /** Exit with EXIT_ALERT at the first alert of at least this severity. */
  readonly exitOnAlert?: Severity;
  /**
   * Stop once a run has sent `end`, every other run has ended or gone quiet (all its producers
   * silent, --silence-s), and every epoch has been reported.
   */
  readonly exitOnEnd: boolean;
  /** Check producers for silence against the wall clock (live input only; a replay has no wall clock). */
  readonly watchSilence: boolean;
}


export class MonitorSession {
  readonly pipeline: Pipeline;
  private readonly runner?: OnAlertRunner;
  private readonly ticker: NodeJS.Timeout;
  private resolveDone!: (code: number) => void;
  /** Resolves with the exit code once the session has stopped. */
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));
  private stopping = false;
  /** --on-alert commands not yet finished; waited for at exit so none is cut off. */
  private readonly running = new Set<Promise<number>>();
  /** Exceptions in timers and event callbacks become internal_error notices, never the end of the process. */
  readonly guard = new CallbackGuard((message) => this.notice('warning', 'internal_error', message));

  constructor(private readonly opts: SessionOptions) {
    if (opts.onAlert) {
      // A failing alert command is a line in the alert log (or a headless line), never text thrown on the screen.
      this.runner = new OnAlertRunner({ report: (message) => this.notice('warning', 'on-alert', message) });
    }
    this.pipeline = new Pipeline({
      sink: (e) => this.onEvent(e),
      recordDir: opts.recordDir,
      recorder: opts.recordMax === undefined ? undefined : { maxFolderBytes: opts.recordMax },
      engine: opts.engine,
      auditor: new Auditor({ ...opts.audit, silenceSeconds: opts.silenceS }),
      silenceMs: opts.silenceS * 1000,
      limits: opts.limits,
      guard: this.guard,
      onEpochSet: opts.presenter.noteEpochSet,
    });
    // Once a second is enough for silence detection (its unit is seconds); unref so it never keeps us alive.
    this.ticker = setInterval(() => this.guard.run('the silence check', () => this.tick()), 1000);
    this.ticker.unref();
  }

  /** Takes one received frame (socket or recording). */
  receive(frame: Buffer, receivedAt: number): void {
    // Once stopping, nothing more comes in: the recorder is about to close (frames of one run must
    // never reach a file descriptor that another run's file has since been given).
    if (this.stopping) return;
    this.guard.run('the presenter', () => this.opts.presenter.noteFrame?.(frame));
    for (const c of this.opts.consumers ?? []) this.guard.run('an event consumer', () => c.noteFrame?.(frame));
    this.pipeline.receive(frame, receivedAt);
  }

  /** Tells the operator something (alert log / headless line); the text is made printable here. */
  notice(level: 'info' | 'warning', topic: string, message: string): void {
    this.onEvent({ event: 'notice', level, topic, message: toPrintable(message) });
  }

  /** True once stop() was called. */
  get stopped(): boolean {
    return this.stopping;
  }

  /** Stops: completes open epochs, waits for the engine, prints the summary, restores the terminal. */
  async stop(code = EXIT_OK): Promise<number> {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearInterval(this.ticker);
    await this.pipeline.close();
    await Promise.all(this.running);
    this.opts.presenter.close();
    // Settled, not all: a consumer that fails to close must not keep the session from ending.
    await Promise.allSettled((this.opts.consumers ?? []).map(async (c) => c.close?.()));
    this.resolveDone(code);
    return code;
  }

  private tick(): void {
    if (!this.opts.watchSilence) return;
    this.pipeline.tick(Date.now());
    // The last run still going may just have gone quiet.
    this.stopIfFinished();
  }

  private stopIfFinished(): void {
    if (this.opts.exitOnEnd && !this.stopping && this.pipeline.finished) void this.stop(EXIT_OK);
  }

  private onEvent(e: Event): void {
    // Each taker separately: one that throws must not keep the event from the others.
    this.guard.run('the presenter', () => this.opts.presenter.sink(e));
    for (const c of this.opts.consumers ?? []) this.guard.run(`an event consumer`, () => c.sink(e));
    if (e.event === 'listening') for (const n of this.opts.startNotices ?? []) this.notice('info', n.topic, n.message);
    if (e.event === 'alert') {
      if (this.runner && this.opts.onAlert) {
        const p = this.runner.run(this.opts.onAlert, e);
        this.running.add(p);
        void p.then(() => this.running.delete(p));
      }
      if (this.opts.exitOnAlert && SEVERITY_RANK[e.severity] >= SEVERITY_RANK[this.opts.exitOnAlert]) void this.stop(EXIT_ALERT);
    }
    if (e.event === 'end' || e.event === 'epoch') this.stopIfFinished();
  }
}
