/**
 * One recording file of one run. Every operation on its descriptor (create, write, give back,
 * close, clean up after a failure) runs in one promise chain, in arrival order, so the descriptor
 * is never used after it was closed: a closed descriptor's number is soon reused by another
 * file, and a late write through it lands in another run's recording.
 */
import fs from 'node:fs';
import { RECORD_MAGIC, entryHeader } from '../protocol/recording-format.js';
import { INCOMPLETE_SUFFIX } from './file-names.js';
import { RecordError } from './record-error.js';
import type { DirSync } from './dir-sync.js';
import type { FdSlots } from './fd-slots.js';
import type { RecorderFs } from './fs-ops.js';

/**
 * Least time between the starts of two fsyncs of one file. Epochs that end faster than this share
 * one fsync: back-to-back fsyncs stall the writes in between (pages under writeback) and cut the
 * recorder to a third of the disk's rate here (measured: 150-230 MB/s against 600 MB/s with 250 ms).
 * A crash then loses at most the last 250 ms of frames; epochs slower than this get one fsync each.
 */
const MIN_SYNC_INTERVAL_MS = 250;
/** Names tried when another process takes the chosen one between the listing and the open. */
const MAX_NAME_TRIES = 100;

/** What a run file needs from its recorder. */
export interface RunFileHost {
  readonly fs: RecorderFs;
  readonly dirSync: DirSync;
  readonly slots: FdSlots<RunFile>;
  /** A fresh name for this run's file (the one chosen was taken meanwhile). */
  claimName(run: string): string;
  /** The file's name changed (another name at create, or the .incomplete mark). */
  renamed(file: RunFile): void;
  /** The recording of this run stopped (reported once). */
  failed(err: RecordError): void;
}

export class RunFile {
  private fd = -1;
  /** The file exists on disk (this recorder made it). */
  private created = false;
  /** Serialises every descriptor operation, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  /** Bytes of the magic and the whole entries written: the file is cut back to this on a failed write. */
  private goodSize = 0;
  /** Whole entries written. */
  private entries = 0;
  /** Written since the last fsync started. */
  private dirty = false;
  /** The fsync in flight: the descriptor is closed only after it. */
  private syncing: Promise<unknown> = Promise.resolve();
  private failure?: Error;
  /** Frames of the run were dropped (write queue full): the file is marked incomplete when closed. */
  private incomplete = false;
  private closing?: Promise<void>;
  /** The fsync asked for and not started yet: later requests share it. */
  private pendingSync?: Promise<void>;
  /** The latest fsync (running or done); fsyncs never overlap. */
  private lastSync: Promise<void> = Promise.resolve();
  private lastSyncStart = -Infinity;
  /** Ends the wait of a pending fsync early (close). */
  private wake?: () => void;
  /** When it was last appended to (performance.now()), for closing files of silent runs. */
  lastUsed = performance.now();

  constructor(
    readonly run: string,
    public path: string,
    private readonly host: RunFileHost,
  ) {}

  /** False once closed or failed: appends are refused. */
  get accepting(): boolean {
    return !this.closing && !this.failure;
  }

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  /**
   * Queues one entry. `dequeued` is called once its bytes leave the queue (written, or dropped
   * after a failure). The caller checks `accepting` first.
   */
  append(frame: Uint8Array, time: number, dequeued: () => void): void {
    if (!this.accepting) throw new Error(`RunFile.append after close (${this.path})`);
    const header = entryHeader(frame, time);
    this.lastUsed = performance.now();
    this.enqueue(async () => {
      await this.ensureOpen();
      await this.host.fs.writeAll(this.fd, [header, frame]);
      this.goodSize += header.length + frame.length;
      this.entries++;
      this.dirty = true;
    }, dequeued);
  }

  /** Frames of this run were dropped before reaching the file. */
  markIncomplete(): void {
    this.incomplete = true;
  }

  /**
   * Resolves once everything appended before the call is on disk. Requests that arrive while an
   * fsync is still waiting its turn share it (it covers every write queued when it starts).
   */
  sync(): Promise<void> {
    if (this.pendingSync) return this.pendingSync;
    const next = this.lastSync.then(async () => {
      const wait = this.lastSyncStart + MIN_SYNC_INTERVAL_MS - performance.now();
      if (wait > 0 && !this.closing) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      this.pendingSync = undefined;
      this.lastSyncStart = performance.now();
      await this.chain;
      // Read the descriptor and start the fsync in one step: a close queued later waits for it.
      if (this.failure || this.fd < 0 || !this.dirty) return;
      this.dirty = false;
      const done = this.host.fs.fsync(this.fd);
      this.syncing = done;
      try {
        await done;
      } catch (err) {
        this.fail(err as Error);
      }
    });
    this.pendingSync = next;
    this.lastSync = next;
    return next;
  }

  /** Gives the descriptor back (fsync'd first); the file stays this run's and is reopened on the next append. */
  release(): void {
    this.enqueue(() => this.closeFd());
  }

  /**
   * Final: refuses appends, writes what is queued, fsyncs and closes; marks the file incomplete if
   * frames were dropped. Resolves once everything is done, a failure's clean-up and report included.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.wake?.();
      void this.sync()
        .then(() =>
          this.enqueue(async () => {
            await this.closeFd();
            if (this.incomplete && this.created) await this.markIncompleteOnDisk();
          }),
        )
        .then(() => this.drain())
        .then(resolve);
    });
    return this.closing;
  }

  /** Waits until the chain stops growing (a failure appends its clean-up to it). */
  private async drain(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  private async ensureOpen(): Promise<void> {
    if (this.fd >= 0) return;
    await this.host.slots.acquire();
    try {
      if (this.created) {
        // Given back while the run was quiet: append where it left off; never create it anew.
        this.fd = await this.host.fs.open(this.path, fs.constants.O_WRONLY | fs.constants.O_APPEND);
      } else {
        await this.create();
      }
    } catch (err) {
      if (this.fd < 0) this.host.slots.unused();
      throw err;
    } finally {
      if (this.fd >= 0) this.host.slots.opened(this);
    }
  }

  private async create(): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        this.fd = await this.host.fs.open(this.path, 'ax');
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= MAX_NAME_TRIES) throw err;
        this.path = this.host.claimName(this.run);
        this.host.renamed(this);
      }
    }
    this.created = true;
    await this.host.fs.writeAll(this.fd, [RECORD_MAGIC]);
    this.goodSize = RECORD_MAGIC.length;
    await this.host.dirSync.sync();
  }

  private async closeFd(): Promise<void> {
    if (this.fd < 0) return;
    await this.syncing.catch(() => {});
    if (this.dirty) {
      this.dirty = false;
      await this.host.fs.fsync(this.fd);
    }
    const fd = this.fd;
    this.fd = -1;
    try {
      await this.host.fs.close(fd);
    } finally {
      // Only now may another file have a descriptor: the cap counts this one until it is closed.
      this.host.slots.freed(this);
    }
  }

  private async markIncompleteOnDisk(): Promise<void> {
    const to = `${this.path}${INCOMPLETE_SUFFIX}`;
    await this.host.fs.rename(this.path, to);
    this.path = to;
    this.host.renamed(this);
    await this.host.dirSync.sync();
  }

  /** Runs `op` after every operation queued before; skipped once the file has failed unless `always`. */
  private enqueue(op: () => Promise<void>, after?: () => void, always = false): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure && !always) return;
        await op();
      } catch (err) {
        this.fail(err as Error);
      } finally {
        after?.();
      }
    });
    return this.chain;
  }

  /** Stops the recording of this run; the clean-up runs in the chain, after what is in flight. */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.enqueue(() => this.cleanUp(err), undefined, true);
  }

  /**
   * Cuts a partly written entry off, closes, and removes a file that holds no whole entry (so no
   * empty file is left) or marks the file incomplete (RUN.scamrec.incomplete); then reports.
   */
  private async cleanUp(err: Error): Promise<void> {
    const fsops = this.host.fs;
    if (this.fd >= 0) {
      const fd = this.fd;
      await this.syncing.catch(() => {});
      // Cutting the partial entry also gives its space back to the other runs on a full disk.
      await fsops.ftruncate(fd, this.goodSize).catch(() => {});
      await fsops.fsync(fd).catch(() => {});
      this.fd = -1;
      await fsops.close(fd).catch(() => {});
      this.host.slots.freed(this);
    }
    let file: string | null = null;
    let kept: string;
    if (!this.created) {
      kept = 'no file was made';
    } else if (this.entries === 0) {
      await fsops.unlink(this.path).catch(() => {});
      kept = 'no frame had been written, so the file was removed';
    } else {
      await this.markIncompleteOnDisk().catch(() => {});
      file = this.path;
      kept = `the ${this.entries} frame${this.entries === 1 ? '' : 's'} written before are kept in ${this.path}`;
    }
    if (this.created) await this.host.dirSync.sync().catch(() => {});
    this.host.failed(new RecordError(this.run, file, `recording of run ${JSON.stringify(this.run)} stopped: ${err.message}; ${kept}`));
  }
}
