/**
 * Main-thread side of the engine: runs ProjectionEngine in a worker thread so that the receiver,
 * recorder and UI never wait on it. One update runs at a time; while it runs, only the newest
 * submitted set per run waits, and every set it replaces is reported as skipped (its raw data
 * stays recorded). Buffers are transferred, not copied: submit() takes ownership of the set's
 * typed arrays (they are detached on the caller's side once sent; views into larger buffers are
 * copied instead, so no unrelated memory is ever detached).
 */
import { Worker } from 'node:worker_threads';
import type { EngineOptions } from '../engine/engine.js';
import type { EpochSet } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { buffersOf, type FromWorker, type ToWorker } from './engine-messages.js';
import { BackfillQueue, type BackfillLimits } from './backfill-queue.js';
import { runsFromSource, siblingModule } from '../util/own-module.js';

/** Callbacks of the client (called on the main thread). */
/** What a session needs of the projection engine (EngineClient implements it; tests may pass their own). */
export interface EngineLike {
  submit(set: EpochSet): void;
  /** Drop a run's engine state (the session's cap on them); a set of it still waiting is kept. */
  forget?(run: string): void;
  close(): Promise<void>;
}

export interface EngineHandlers {
  onLayout(layout: EpochLayout): void;
  /** A set was replaced by a newer one of the same run before the engine reached it. */
  onSkipped(run: string, epoch: number): void;
  /** 'training' when an update starts, 'idle' when nothing is left to do. */
  onState(state: 'training' | 'idle', run?: string, epoch?: number): void;
  onError(err: Error, run: string, epoch: number): void;
  /**
   * The worker died (a crash, or out of its heap limit) and a new one starts after `delayMs`; the
   * new engine starts every run cold. Not called for bad options, which no restart can mend.
   */
  onRestart?(err: Error, delayMs: number, run: string | undefined, epoch: number | undefined): void;
  /**
   * A skipped epoch laid out afterwards, in idle time (backfill-queue.ts). Without this handler
   * skipped epochs are not kept.
   */
  onBackfill?(layout: EpochLayout): void;
}

/** Options of the client itself (the engine's options travel to the worker). */
export interface EngineClientOptions {
  /** Heap limit of the worker, MB (a runaway epoch kills the worker, not the monitor). Default: Node's. */
  readonly maxHeapMb?: number;
  /** First restart delay after a crash, ms; doubles per crash in a row, up to MAX_RESTART_DELAY_MS. */
  readonly restartDelayMs?: number;
  /** Caps of the skipped epochs kept for backfill (defaults in backfill-queue.ts). */
  readonly backfill?: BackfillLimits;
}

/**
 * Longest wait between restarts, ms: a worker that dies at every epoch is retried about once a
 * minute, which costs nothing and recovers by itself once the bad input is gone.
 */
export const MAX_RESTART_DELAY_MS = 60_000;

interface Job {
  readonly id: number;
  readonly set: EpochSet;
  /** A skipped epoch laid out in idle time (set.run is its shadow name). */
  readonly backfill?: boolean;
}

/**
 * A typed array that covers its whole buffer is transferred as is; a view into a larger buffer
 * (e.g. a slice of a received frame, or Node's shared Buffer pool) is copied first: transferring
 * would detach the rest of that buffer, and cloning would copy all of it.
 */
function own<T extends Float32Array | Float64Array | Int32Array>(a: T): T;
function own<T extends Float32Array | Float64Array | Int32Array>(a: T | undefined): T | undefined;
function own<T extends Float32Array | Float64Array | Int32Array>(a: T | undefined): T | undefined {
  if (!a) return a;
  const whole = a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
  return whole ? a : (a.slice() as T);
}

function ownBuffers(set: EpochSet): EpochSet {
  return {
    run: set.run,
    epoch: set.epoch,
    splits: set.splits.map((s) => ({
      ...s,
      x: own(s.x),
      ids: own(s.ids),
      labels: own(s.labels),
      preds: own(s.preds),
      tasks: own(s.tasks),
      head: s.head ? { ...s.head, weight: own(s.head.weight), bias: own(s.head.bias) } : undefined,
    })),
  };
}

export class EngineClient {
  private worker!: Worker;
  private readonly handlers: EngineHandlers;
  /** Newest waiting set per run, in submission order of the runs. */
  private readonly pending = new Map<string, Job>();
  private current: Job | undefined;
  private nextId = 0;
  private closed = false;
  /** Set when the engine cannot work at all (bad options): every epoch fails with it. */
  private dead: Error | undefined;
  /** True once the current worker said it is ready. */
  private ready = false;
  /** True between a crash and the restart. */
  private restarting = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Crashes since the last update that succeeded (drives the backoff). */
  private crashesInARow = 0;
  private exited!: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  private readonly backfill: BackfillQueue;

  /**
   * @param opts engine settings (validated in the worker; a bad value arrives as onError)
   * @param handlers callbacks
   * @param client restart and memory settings
   */
  constructor(
    private readonly opts: EngineOptions,
    handlers: EngineHandlers,
    private readonly client: EngineClientOptions = {},
  ) {
    this.handlers = handlers;
    this.backfill = new BackfillQueue(client.backfill);
    this.start();
  }

  private start(): void {
    const limits = this.client.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: this.client.maxHeapMb } } : {};
    // From source the worker needs tsx's loader, which worker threads do not inherit: a plain-JS
    // entry registers it. Compiled, the worker is plain JavaScript already.
    const entry = runsFromSource(import.meta.url) ? new URL('./engine-worker-entry.js', import.meta.url) : siblingModule(import.meta.url, 'engine-worker');
    const worker = new Worker(entry, limits);
    this.worker = worker;
    this.ready = false;
    worker.on('message', (msg: FromWorker) => {
      if (worker === this.worker) this.onMessage(msg);
    });
    worker.on('error', (err) => {
      if (worker === this.worker) this.crash(err);
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        if (!this.closed && worker === this.worker) this.crash(new Error(`engine worker exited unexpectedly (code ${code})`));
        resolve();
      });
    });
    this.post({ type: 'init', opts: this.opts });
  }

  /** Hand an epoch to the engine (never blocks). Takes ownership of its buffers. */
  submit(set: EpochSet): void {
    if (this.closed) throw new Error('EngineClient.submit: the client is closed');
    if (this.dead) {
      this.handlers.onError(this.dead, set.run, set.epoch);
      return;
    }
    const job: Job = { id: this.nextId++, set };
    const waiting = this.pending.get(set.run);
    if (waiting) {
      this.pending.delete(set.run);
      this.handlers.onSkipped(waiting.set.run, waiting.set.epoch);
      if (this.handlers.onBackfill) this.backfill.add(waiting.set);
    }
    this.pending.set(set.run, job);
    this.pump();
  }

  /** Resolves when no update is running or waiting. */
  idle(): Promise<void> {
    if (!this.current && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drop waiting sets (reported as skipped), let the running update finish, stop the worker. */
  async close(): Promise<void> {
    if (this.closed) return this.exited;
    clearTimeout(this.restartTimer);
    this.backfill.clear();
    for (const job of this.pending.values()) this.handlers.onSkipped(job.set.run, job.set.epoch);
    this.pending.clear();
    if (this.current && !this.dead && !this.restarting) await this.idle();
    this.closed = true;
    await this.worker.terminate();
    await this.exited;
  }

  /** Drop a run's state in the worker (in order with the updates sent before). */
  forget(run: string): void {
    this.backfill.dropRun(run);
    if (!this.closed && !this.dead) {
      this.post({ type: 'forget', run });
      // Its backfill state goes with it (the shadow run is not counted by the caller's cap).
      this.post({ type: 'forget', run: BackfillQueue.shadowOf(run) });
    }
  }

  private post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private pump(): void {
    if (this.current || this.dead || this.restarting) return;
    // Live epochs first (those finished by their producers before leftovers, runs in turn: nextJob).
    let job = this.nextJob();
    if (job) this.pending.delete(job.set.run);
    else {
      // Nothing live to do: lay out an epoch skipped earlier, if one is kept.
      const skipped = this.backfill.take();
      if (!skipped) {
        this.handlers.onState('idle');
        for (const w of this.idleWaiters.splice(0)) w();
        return;
      }
      job = { id: this.nextId++, set: skipped, backfill: true };
    }
    this.current = job;
    this.handlers.onState('training', BackfillQueue.runOf(job.set.run), job.set.epoch);
    const set = ownBuffers(job.set);
    const arrays = set.splits.flatMap((s) => [s.x, s.ids, s.labels, s.preds, s.tasks, s.head?.weight, s.head?.bias]);
    this.post({ type: 'update', job: job.id, set }, buffersOf(arrays));
  }

  /**
   * The oldest waiting run first (Map keeps insertion order; a replaced run re-enters at the back),
   * except that epochs completed for silent or forgotten producers (leftovers) wait until no other
   * does: many runs left behind must not starve a live one.
   */
  private nextJob(): Job | undefined {
    let leftover: Job | undefined;
    for (const job of this.pending.values()) {
      if (!job.set.leftover) return job;
      leftover ??= job;
    }
    return leftover;
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') {
      this.ready = true;
      return;
    }
    const job = this.current;
    if (msg.type === 'error' && (msg.job === null || !job || msg.job !== job.id)) {
      // An error outside an update (e.g. bad options at init): the engine is unusable.
      const err = new Error(msg.message);
      if (msg.stack) err.stack = msg.stack;
      this.fail(err);
      return;
    }
    if (!job || msg.job !== job.id) return;
    this.current = undefined;
    if (job.backfill) {
      // Best effort: a backfill that fails leaves the epoch as it was reported (skipped).
      if (msg.type === 'layout') this.handlers.onBackfill?.(this.backfill.restore(msg.layout));
    } else if (msg.type === 'layout') {
      this.crashesInARow = 0;
      this.backfill.noteLive(msg.layout);
      this.handlers.onLayout(msg.layout);
    }
    else {
      const err = new Error(msg.message);
      if (msg.stack) err.stack = msg.stack;
      this.handlers.onError(err, job.set.run, job.set.epoch);
    }
    this.pump();
  }

  /** The engine cannot work at all (e.g. bad options): fail what is queued and everything after. */
  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    const jobs = [...(this.current && !this.current.backfill ? [this.current] : []), ...this.pending.values()];
    this.backfill.clear();
    this.current = undefined;
    this.pending.clear();
    for (const j of jobs) this.handlers.onError(err, j.set.run, j.set.epoch);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * The worker died: the epoch it was on fails (its data is recorded), waiting epochs stay queued,
   * and a new worker starts after a backoff. The new engine knows no run, so each starts cold.
   */
  private crash(err: Error): void {
    if (this.dead || this.restarting || this.closed) return;
    this.restarting = true;
    const job = this.current?.backfill ? undefined : this.current;
    this.current = undefined;
    const delay = Math.min(MAX_RESTART_DELAY_MS, (this.client.restartDelayMs ?? 500) * 2 ** this.crashesInARow);
    this.crashesInARow++;
    if (job) this.handlers.onError(err, job.set.run, job.set.epoch);
    // A worker that died before it was ready will not take the waiting epochs either: report them
    // failed now rather than hold them (and every session waiting on them) through the backoff.
    if (!this.ready) {
      for (const j of this.pending.values()) this.handlers.onError(err, j.set.run, j.set.epoch);
      this.pending.clear();
    }
    this.handlers.onRestart?.(err, delay, job?.set.run, job?.set.epoch);
    void this.worker.terminate().catch(() => {});
    this.restartTimer = setTimeout(() => {
      this.restarting = false;
      if (this.closed) return;
      this.start();
      this.pump();
    }, delay);
    this.restartTimer.unref();
    if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}
