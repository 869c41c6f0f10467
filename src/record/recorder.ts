/**
 * Appends accepted frames verbatim to one file per run. Writes are queued and asynchronous so the
 * receiving thread never waits on the disk; `sync()` (at every epoch_end) and `close()` fsync.
 * Nothing bounds the write queue: a producer sustainedly faster than the disk grows it in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RECORD_EXTENSION, RECORD_MAGIC, entryHeader } from '../protocol/recording-format.js';

/** File-name-safe form of a run name. */
export function runFileStem(run: string): string {
  const stem = run.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return stem || 'run';
}

/**
 * Least time between the starts of two fsyncs of one file. Epochs that end faster than this share
 * one fsync: back-to-back fsyncs stall the writes in between (pages under writeback) and cut the
 * recorder to a third of the disk's rate here (measured: 150-230 MB/s against 600 MB/s with 250 ms).
 * A crash then loses at most the last 250 ms of frames; epochs slower than this get one fsync each.
 */
const MIN_SYNC_INTERVAL_MS = 250;

class RunFile {
  /** Serialises the writes on the descriptor, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  /** The fsync asked for and not started yet: later requests share it. */
  private pendingSync?: Promise<void>;
  /** The latest fsync (running or done); fsyncs never overlap. */
  private lastSync: Promise<void> = Promise.resolve();
  private lastSyncStart = -Infinity;
  /** Ends the wait of a pending fsync early (close). */
  private wake?: () => void;
  private closing = false;
  private failed?: Error;

  constructor(readonly path: string, private readonly fd: number, private readonly onError: (err: Error) => void) {}

  append(frame: Uint8Array, time: number): void {
    const header = entryHeader(frame.length, time);
    this.enqueue(() => writeEntry(this.fd, header, frame));
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
      if (this.failed) return;
      try {
        await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (e) => (e ? reject(e) : resolve())));
      } catch (err) {
        this.fail(err as Error);
      }
    });
    this.pendingSync = next;
    this.lastSync = next;
    return next;
  }

  close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    return this.sync().then(() => new Promise((resolve) => fs.close(this.fd, () => resolve())));
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await op();
      } catch (err) {
        this.fail(err as Error);
      }
    });
    return this.chain;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.onError(new Error(`recording ${this.path}: ${err.message}`));
  }
}

/** Entry header and frame in one writev (one thread-pool round trip), finishing a short write if any. */
function writeEntry(fd: number, header: Uint8Array, frame: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, [header, frame], null, (err, written) => {
      if (err) return reject(err);
      if (written >= header.length + frame.length) return resolve();
      const rest = written < header.length ? [header.subarray(written), frame] : [frame.subarray(written - header.length)];
      rest.reduce((p, part) => p.then(() => writeAll(fd, part)), Promise.resolve()).then(resolve, reject);
    });
  });
}

function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      if (offset >= data.length) return resolve();
      fs.write(fd, data, offset, data.length - offset, null, (err, written) => (err ? reject(err) : step(offset + written)));
    };
    step(0);
  });
}

export class Recorder {
  private readonly files = new Map<string, RunFile>();
  /** Runs whose file could not be created: reported once, then not recorded. */
  private readonly unrecordable = new Set<string>();

  /**
   * @param dir folder for the run files, created if missing
   * @param onError told of a write failure (recording of that run stops; the monitor goes on)
   */
  constructor(readonly dir: string, private readonly onError: (err: Error) => void) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Paths of the files written so far, by run. */
  get paths(): ReadonlyMap<string, string> {
    return new Map([...this.files].map(([run, f]) => [run, f.path]));
  }

  append(run: string, frame: Uint8Array, time: number): void {
    if (this.unrecordable.has(run)) return;
    let f: RunFile;
    try {
      f = this.file(run);
    } catch (err) {
      // E.g. the folder was deleted or the disk is full: the monitor goes on without this recording.
      this.unrecordable.add(run);
      this.onError(new Error(`cannot record run ${JSON.stringify(run)} in ${this.dir}: ${(err as Error).message}`));
      return;
    }
    f.append(frame, time);
  }

  sync(run: string): Promise<void> {
    return this.files.get(run)?.sync() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.close()));
  }

  private file(run: string): RunFile {
    let f = this.files.get(run);
    if (f) return f;
    // Never overwrite an earlier recording of the same run name: number the new one.
    const stem = runFileStem(run);
    let fd = -1;
    let file = '';
    for (let i = 0; fd < 0; i++) {
      file = path.join(this.dir, `${stem}${i ? `.${i}` : ''}${RECORD_EXTENSION}`);
      try {
        fd = fs.openSync(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    try {
      fs.writeSync(fd, RECORD_MAGIC);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    f = new RunFile(file, fd, this.onError);
    this.files.set(run, f);
    return f;
  }
}
