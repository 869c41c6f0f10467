/**
 * Appends accepted frames verbatim to one file per run (format: docs/recording-format.md). Writes
 * are queued and asynchronous so the receiving thread never waits on the disk; `sync()` (at every
 * epoch_end) fsyncs, `endRun()` (at a run's `end`) closes the run's file and fsyncs it, `close()`
 * does that for every run and refuses any later append.
 *
 * Caps: the write queue (maxQueueBytes: beyond it a frame is dropped, reported, and its run's file
 * marked incomplete), open files (maxOpenFiles: the least recently written is closed and reopened
 * when its run sends again), and files of silent runs are closed after idleCloseMs.
 * A write error (disk full, folder gone, ...) stops the recording of that run only, is reported
 * once through onError, and leaves no empty file: see RunFile.
 */
import path from 'node:path';
import { ENTRY_HEADER_BYTES } from '../protocol/recording-format.js';
import { DirSync } from './dir-sync.js';
import { FdSlots } from './fd-slots.js';
import { FileNames } from './file-names.js';
import { nodeFs, type RecorderFs } from './fs-ops.js';
import { RecordError } from './record-error.js';
import { RunFile, type RunFileHost } from './run-file.js';
import { pruneFolder, type PrunedFile } from './folder-cap.js';

export { runFileStem } from './file-names.js';
export { RecordError } from './record-error.js';

export interface RecorderOptions {
  /** Bytes queued for writing, over all runs, beyond which frames are dropped. */
  readonly maxQueueBytes?: number;
  /** Files held open at once. */
  readonly maxOpenFiles?: number;
  /** A run's file is closed after this long without a frame (it is reopened if the run goes on). */
  readonly idleCloseMs?: number;
  /** File operations; a test may pass failing ones. */
  readonly fs?: RecorderFs;
  /** --record-max: the folder's recordings are kept under this many bytes, oldest removed first. */
  readonly maxFolderBytes?: number;
  /** Told of each recording removed to keep under maxFolderBytes. */
  readonly onPruned?: (p: PrunedFile) => void;
}

/**
 * Twice the default --max-frame (256 MiB): one largest frame can wait while another is written.
 * A frame arriving at an empty queue is always taken, whatever its size.
 */
export const DEFAULT_MAX_QUEUE_BYTES = 512 * 2 ** 20;
/**
 * Well under the usual soft limit of 1024 descriptors, leaving the rest to sockets, the engine
 * worker and --on-alert commands; more runs than this sending at once take turns.
 */
export const DEFAULT_MAX_OPEN_FILES = 256;
/** The default --silence-s (300 s): a run this quiet is reported silent anyway. */
export const DEFAULT_IDLE_CLOSE_MS = 300_000;
/** How often silent runs are looked for; idle files close within idleCloseMs plus this. */
const IDLE_CHECK_MS = 30_000;

export class Recorder {
  /** The current file of every run that has not ended. */
  private readonly live = new Map<string, RunFile>();
  /** Latest file name by run, including ended runs. */
  private readonly latest = new Map<string, string>();
  /** Closes of ended runs' files still under way (waited for by close()). */
  private readonly closing = new Set<Promise<void>>();
  private readonly names: FileNames;
  private readonly host: RunFileHost;
  private readonly maxQueueBytes: number;
  private readonly idleCloseMs: number;
  /** Runs whose frames are being dropped now (reported once per episode). */
  private readonly overflowing = new Set<string>();
  private queued = 0;
  private closed = false;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly cap?: { readonly maxBytes: number; readonly onPruned: (p: PrunedFile) => void };

  /**
   * @param dir folder for the run files, created if missing (throws when it cannot be)
   * @param onError told when the recording of a run stops or loses frames (the monitor goes on)
   */
  constructor(
    readonly dir: string,
    private readonly onError: (err: RecordError) => void,
    opts: RecorderOptions = {},
  ) {
    const fsops = opts.fs ?? nodeFs;
    fsops.mkdirSync(dir);
    // The one listing: from here on names are chosen in memory.
    this.names = new FileNames(fsops.readdirSync(dir));
    this.maxQueueBytes = opts.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
    this.idleCloseMs = opts.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
    this.host = {
      fs: fsops,
      dirSync: new DirSync(dir, fsops),
      slots: new FdSlots<RunFile>(opts.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES),
      claimName: (run) => path.join(dir, this.names.claim(run)),
      renamed: (f) => this.latest.set(f.run, f.path),
      failed: (err) => this.onError(err),
    };
    this.idleTimer = setInterval(() => this.closeIdle(), IDLE_CHECK_MS);
    this.idleTimer.unref();
    if (opts.maxFolderBytes !== undefined) {
      this.cap = { maxBytes: opts.maxFolderBytes, onPruned: opts.onPruned ?? (() => {}) };
    }
  }

  /**
   * --record-max: removes the oldest finished recordings while the folder is over its cap. Run by
   * the owner at start, and here at every epoch's sync and every run's end (one listing each).
   */
  enforceCap(): void {
    if (!this.cap) return;
    const busy = new Set([...this.live.values()].map((f) => f.path));
    let pruned: PrunedFile[];
    try {
      pruned = pruneFolder(this.dir, this.cap.maxBytes, busy);
    } catch {
      return; // the folder cannot be listed now; the writes report that themselves
    }
    for (const p of pruned) this.cap.onPruned(p);
  }

  /** Paths of the files written so far, by run (the latest, for a run recorded more than once). */
  get paths(): ReadonlyMap<string, string> {
    return new Map(this.latest);
  }

  /** Bytes waiting to be written. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Files open now (at most maxOpenFiles). */
  get openFiles(): number {
    return this.host.slots.inUse;
  }

  /**
   * Queues one frame of `run`. Returns an error, and writes nothing, when the frame is refused:
   * after close(), after the run's recording failed, or when the write queue is full.
   */
  append(run: string, frame: Uint8Array, time: number): RecordError | undefined {
    if (this.closed) return new RecordError(run, this.latest.get(run) ?? null, `a frame of run ${JSON.stringify(run)} arrived after the recorder closed; not recorded`);
    let f = this.live.get(run);
    if (f && !f.accepting) return new RecordError(run, f.path, `the recording of run ${JSON.stringify(run)} has stopped; frame not recorded`);
    if (!f) {
      // The name is taken now; the file is made by the first write.
      f = new RunFile(run, path.join(this.dir, this.names.claim(run)), this.host);
      this.live.set(run, f);
      this.latest.set(run, f.path);
    }
    const size = ENTRY_HEADER_BYTES + frame.length;
    if (this.queued > 0 && this.queued + size > this.maxQueueBytes) return this.overflow(run, f);
    this.overflowing.delete(run);
    this.queued += size;
    f.append(frame, time, () => (this.queued -= size));
    this.host.slots.touch(f);
    return undefined;
  }

  /** Resolves once what was appended for `run` is on disk. */
  sync(run: string): Promise<void> {
    const done = this.live.get(run)?.sync() ?? Promise.resolve();
    return this.cap ? done.then(() => this.enforceCap()) : done;
  }

  /**
   * The run sent `end`: its file is closed and fsync'd. A run that starts again (hello after end)
   * is recorded in a new file, with the next free name.
   */
  endRun(run: string): Promise<void> {
    const f = this.live.get(run);
    if (!f) return Promise.resolve();
    this.live.delete(run);
    this.overflowing.delete(run);
    const done = f.close().then(() => this.enforceCap());
    this.closing.add(done);
    void done.then(() => this.closing.delete(done));
    return done;
  }

  /** Gives back the descriptors of runs silent for idleCloseMs (called by a timer; `now` as performance.now()). */
  closeIdle(now = performance.now()): void {
    for (const f of this.live.values()) if (f.isOpen && now - f.lastUsed >= this.idleCloseMs) f.release();
  }

  /** Refuses further appends, then writes, fsyncs and closes every file. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.idleTimer);
    const files = [...this.live.values()];
    this.live.clear();
    await Promise.all([...files.map((f) => f.close()), ...this.closing]);
  }

  private overflow(run: string, f: RunFile): RecordError {
    f.markIncomplete();
    const err = new RecordError(
      run,
      f.path,
      `write queue full (${this.queued} bytes queued, cap ${this.maxQueueBytes}): frames of run ${JSON.stringify(run)} are dropped until the disk catches up; its file will be marked incomplete`,
    );
    if (!this.overflowing.has(run)) {
      this.overflowing.add(run);
      this.onError(err);
    }
    return err;
  }
}
