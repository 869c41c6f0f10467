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

/** Callbacks of the client (called on the main thread). */
/** What a session needs of the projection engine (EngineClient implements it; tests may pass their own). */
export interface EngineLike {
  submit(set: EpochSet): void;
  close(): Promise<void>;
}

export interface EngineHandlers {
  onLayout(layout: EpochLayout): void;
  /** A set was replaced by a newer one of the same run before the engine reached it. */
  onSkipped(run: string, epoch: number): void;
  /** 'training' when an update starts, 'idle' when nothing is left to do. */
  onState(state: 'training' | 'idle', run?: string, epoch?: number): void;
  onError(err: Error, run: string, epoch: number): void;
}

interface Job {
  readonly id: number;
  readonly set: EpochSet;
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
      head: s.head ? { ...s.head, weight: own(s.head.weight), bias: own(s.head.bias) } : undefined,
    })),
  };
}

export class EngineClient {
  private readonly worker: Worker;
  private readonly handlers: EngineHandlers;
  /** Newest waiting set per run, in submission order of the runs. */
  private readonly pending = new Map<string, Job>();
  private current: Job | undefined;
  private nextId = 0;
  private closed = false;
  private dead: Error | undefined;
  private readonly exited: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  /** Backend the worker chose ('' until it is ready). */
  backend = '';

  /**
   * @param opts engine settings (validated in the worker; a bad value arrives as onError)
   * @param handlers callbacks
   */
  constructor(opts: EngineOptions, handlers: EngineHandlers) {
    this.handlers = handlers;
    this.worker = new Worker(new URL('./engine-worker-entry.js', import.meta.url));
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err) => this.fail(err));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        if (!this.closed) this.fail(new Error(`engine worker exited unexpectedly (code ${code})`));
        resolve();
      });
    });
    this.post({ type: 'init', opts });
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
    for (const job of this.pending.values()) this.handlers.onSkipped(job.set.run, job.set.epoch);
    this.pending.clear();
    if (this.current && !this.dead) await this.idle();
    this.closed = true;
    await this.worker.terminate();
    await this.exited;
  }

  private post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private pump(): void {
    if (this.current || this.dead) return;
    // Oldest waiting run first (Map keeps insertion order; a replaced run re-enters at the back).
    const first = this.pending.values().next();
    if (first.done) {
      this.handlers.onState('idle');
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    const job = first.value;
    this.pending.delete(job.set.run);
    this.current = job;
    this.handlers.onState('training', job.set.run, job.set.epoch);
    const set = ownBuffers(job.set);
    const arrays = set.splits.flatMap((s) => [s.x, s.ids, s.labels, s.preds, s.head?.weight, s.head?.bias]);
    this.post({ type: 'update', job: job.id, set }, buffersOf(arrays));
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'ready') {
      this.backend = msg.backend;
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
    if (msg.type === 'layout') this.handlers.onLayout(msg.layout);
    else {
      const err = new Error(msg.message);
      if (msg.stack) err.stack = msg.stack;
      this.handlers.onError(err, job.set.run, job.set.epoch);
    }
    this.pump();
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    const jobs = [...(this.current ? [this.current] : []), ...this.pending.values()];
    this.current = undefined;
    this.pending.clear();
    for (const j of jobs) this.handlers.onError(err, j.set.run, j.set.epoch);
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
