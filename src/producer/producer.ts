/**
 * The Node producer API (for tfjs users): streams a training run to a SentryCam monitor.
 *
 * Every call encodes its frame and queues it; nothing waits for the monitor. The queue is drained
 * by non-blocking sends on later event-loop turns, so a slow or absent monitor costs the training
 * loop only the encoding (a copy of the arrays). When the queue is full the oldest frame is
 * dropped and counted; the monitor sees the gap in `seq` and reports it as lost.
 *
 * The monitor takes part in a run only the producers whose `hello` it has seen. So that a monitor
 * restarted mid-run, or a socket that reconnected underneath us, loses at most one epoch, `hello`
 * is sent again by itself before the first frame of every later epoch (the monitor takes a
 * repeated hello as a no-op).
 */
import type { Split } from '../protocol/types.js';
import { PushSocket } from './nanomsg-push.js';
import { SendQueue } from './send-queue.js';
import { MAX_NAME_CHARS, isProtocolName } from '../model/text-length.js';
import {
  batchFrame,
  endFrame,
  epochEndFrame,
  helloFrame,
  metricsFrame,
  type BatchArgs,
  type EpochEndArgs,
  type FrameIdentity,
  type HelloArgs,
  type MetricsArgs,
} from './frame-builders.js';

export type { BatchArgs, EpochEndArgs, HeadArgs, HelloArgs, MetricsArgs } from './frame-builders.js';
export type { Split };

/** Constructor options of `Producer`. */
export interface ProducerOptions {
  /** Where the monitor listens. Default tcp://127.0.0.1:5555. */
  readonly address?: string;
  /** Names the training run (1-128 printable characters). */
  readonly run: string;
  /** This producer's name within the run, e.g. the data-parallel rank. Default "0". */
  readonly producer?: string;
  /** Most frames held while the monitor is slow or down. Default 64. */
  readonly queueLimit?: number;
}

/** Counters, for the training script's own logging. */
export interface ProducerStats {
  /** Frames handed to the socket. */
  readonly sent: number;
  /** Frames dropped: queue overflow, send errors, or still queued when close() gave up. */
  readonly dropped: number;
  /** Frames waiting right now. */
  readonly queued: number;
}

/** Options of `close`. */
export interface CloseOptions {
  /** Longest wait for queued frames to go out. Default 5000 ms. */
  readonly timeoutMs?: number;
  /**
   * How long the socket stays open after the last frame was handed to the kernel (within the
   * timeout). Default 1000 ms. Needed because SP has no acknowledgements and a nanomsg receiver
   * discards what it has not yet read from a connection that closes (it reads the next message
   * off a connection only after its application took the previous one). A monitor reads within
   * milliseconds unless its main thread is busy, hence a margin rather than an exact wait; 500 ms
   * lost frames in tests on a machine loaded 4x over its cores.
   */
  readonly lingerMs?: number;
}

export const DEFAULT_ADDRESS = 'tcp://127.0.0.1:5555';
const DEFAULT_QUEUE_LIMIT = 64;
const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
const DEFAULT_LINGER_MS = 1000;
/**
 * Retry delays while the socket is busy: start at 1 ms (loopback moves ~1 MB per ms, so a busy
 * pipe is usually free again by then) and back off to 20 ms, which bounds the wake-ups to 50/s
 * while the monitor is down.
 */
const RETRY_MIN_MS = 1;
const RETRY_MAX_MS = 20;

export class Producer {
  readonly address: string;
  readonly run: string;
  readonly producer: string;
  private readonly socket: PushSocket;
  private readonly queue: SendQueue;
  private seq = 0;
  private sentCount = 0;
  /** performance.now() of the last successful send. */
  private lastSentAt = -Infinity;
  private failedCount = 0;
  /** The hellos to repeat at the start of every epoch, by layer; the run's first layer first. */
  private readonly hellos = new Map<string, HelloArgs>();
  /** The highest epoch a frame was sent for (-1: none yet). */
  private epoch = -1;
  /** A hello went out since the latest epoch began: the next epoch need not repeat it. */
  private helloFresh = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ProducerOptions) {
    if (typeof options !== 'object' || options === null) throw new Error('Producer: options must be an object with at least { run }');
    const address = options.address ?? DEFAULT_ADDRESS;
    if (typeof address !== 'string' || !/^(tcp|ipc|inproc|ws):\/\/.+/.test(address)) {
      throw new Error(`Producer: address must look like tcp://HOST:PORT or ipc:///path, got ${JSON.stringify(address)}`);
    }
    if (!isProtocolName(options.run)) throw new Error(`Producer: run must be 1-${MAX_NAME_CHARS} printable characters, got ${JSON.stringify(options.run)}`);
    const producer = options.producer ?? '0';
    if (!isProtocolName(producer)) throw new Error(`Producer: producer must be 1-${MAX_NAME_CHARS} printable characters, got ${JSON.stringify(producer)}`);
    this.address = address;
    this.run = options.run;
    this.producer = producer;
    this.queue = new SendQueue(options.queueLimit ?? DEFAULT_QUEUE_LIMIT);
    this.socket = new PushSocket(address);
  }

  get stats(): ProducerStats {
    return { sent: this.sentCount, dropped: this.queue.dropped + this.failedCount, queued: this.queue.length };
  }

  /**
   * Announce the run, first. It is repeated by itself at the start of every later epoch. A run
   * that taps several layers (protocol 1.1) says hello once per layer, the first layer first, and
   * names the layer in batch and epochEnd.
   */
  hello(args: HelloArgs): void {
    const frame = helloFrame(this.identity(), args);
    const known = this.hellos.has(args.layer);
    this.hellos.set(args.layer, { ...args, ...(args.classes ? { classes: [...args.classes] } : {}) });
    this.helloFresh = true;
    // Another layer's hello stays pinned beside the first's; a repeated one supersedes them.
    if (known) this.enqueueHello(frame);
    else this.enqueue(frame, true);
  }

  /** Send one chunk of an epoch's activations; the arrays are copied, so the caller may reuse them. */
  batch(args: BatchArgs): void {
    this.send(args.epoch, (id) => batchFrame(id, args, this.layerHello('batch', args.layer)?.dim));
  }

  /** The hello of a layer (the first layer's when none is named); an unannounced layer is refused. */
  private layerHello(what: string, layer: string | undefined): HelloArgs | undefined {
    if (layer === undefined) return this.hellos.values().next().value;
    const h = this.hellos.get(layer);
    if (!h) throw new Error(`${what}: layer ${JSON.stringify(layer)} has had no hello (say hello once per layer)`);
    return h;
  }

  /** The epoch's activations are complete; optionally with the classifier head. */
  epochEnd(args: EpochEndArgs): void {
    this.layerHello('epochEnd', args.layer);
    this.send(args.epoch, (id) => epochEndFrame(id, args));
  }

  /** Scalar metrics of an epoch (or of a step within it). */
  metrics(args: MetricsArgs): void {
    this.send(args.epoch, (id) => metricsFrame(id, args));
  }

  /** The run finished normally. */
  end(): void {
    this.enqueue(endFrame(this.identity()), false);
  }

  /**
   * Send what is queued (waiting at most `timeoutMs`), then close the socket. Frames still queued
   * at the deadline are counted as dropped. Safe to call more than once.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.flushAndClose(options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, options.lingerMs ?? DEFAULT_LINGER_MS);
    return this.closing;
  }

  /** Check the call is allowed and take the next seq (only once the frame is known to be valid). */
  private identity(): FrameIdentity {
    if (this.closing) throw new Error(`Producer: run '${this.run}' is closed; no more frames can be sent`);
    return { run: this.run, producer: this.producer, seq: this.seq };
  }

  /**
   * Queues a frame of `epoch`, preceded by the hello again when it is the first frame of a later
   * epoch. The frame is built (and so checked) before anything is queued.
   */
  private send(epoch: unknown, build: (id: FrameIdentity) => Buffer): void {
    const id = this.identity();
    const later = typeof epoch === 'number' && epoch > this.epoch;
    const rehello = later && this.hellos.size > 0 && !this.helloFresh;
    const frame = build(rehello ? { ...id, seq: id.seq + this.hellos.size } : id);
    if (rehello) {
      this.queue.unpinAll();
      [...this.hellos.values()].forEach((h, i) => this.enqueue(helloFrame({ ...id, seq: id.seq + i }, h), true));
    }
    if (later) {
      this.epoch = epoch;
      this.helloFresh = false;
    }
    this.enqueue(frame, false);
  }

  /** A hello is kept to the last when the queue overflows; an older queued one is superseded. */
  private enqueueHello(frame: Buffer): void {
    this.queue.unpinAll();
    this.enqueue(frame, true);
  }

  private enqueue(bytes: Buffer, pinned: boolean): void {
    this.seq++;
    this.queue.push({ bytes, pinned });
    // Send on a later turn: the training loop never pays for the socket.
    if (!this.immediate && !this.retryTimer) this.immediate = setImmediate(() => this.pump());
  }

  /** Send queued frames until the socket is busy; then retry later with backoff. */
  private pump(): void {
    this.immediate = undefined;
    this.retryTimer = undefined;
    for (let frame = this.queue.peek(); frame; frame = this.queue.peek()) {
      const outcome = this.socket.trySend(frame.bytes);
      if (outcome === 'busy') {
        if (!this.closing) {
          this.retryTimer = setTimeout(() => this.pump(), this.retryMs);
          // A queue waiting for an absent monitor must not keep the process alive; close() does.
          this.retryTimer.unref();
          this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
        }
        return;
      }
      this.queue.shift();
      if (outcome === 'sent') {
        this.sentCount++;
        this.lastSentAt = performance.now();
        this.retryMs = RETRY_MIN_MS;
      } else {
        this.failedCount++;
      }
    }
  }

  private async flushAndClose(timeoutMs: number, lingerMs: number): Promise<void> {
    if (!(timeoutMs >= 0)) throw new Error(`Producer.close: timeoutMs must be >= 0, got ${timeoutMs}`);
    if (!(lingerMs >= 0)) throw new Error(`Producer.close: lingerMs must be >= 0, got ${lingerMs}`);
    const deadline = Date.now() + timeoutMs;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.immediate) clearImmediate(this.immediate);
    this.retryTimer = undefined;
    this.immediate = undefined;
    this.pump();
    while (this.queue.length > 0 && Date.now() < deadline) {
      if (!(await this.socket.waitWritable(deadline - Date.now()))) break;
      this.pump();
    }
    // Wait until the last frame has left: closing while it is being written would discard it.
    if (this.queue.length === 0 && this.sentCount > 0) {
      await this.socket.waitWritable(deadline - Date.now());
      const linger = Math.min(this.lastSentAt + lingerMs - performance.now(), deadline - Date.now());
      if (linger > 0) await new Promise((resolve) => setTimeout(resolve, linger));
    }
    this.queue.clear();
    this.socket.close();
  }
}
