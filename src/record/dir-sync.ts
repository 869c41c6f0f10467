/**
 * fsync of the recording folder, so that a file just created (or renamed, or removed) survives a
 * crash with its name. Requests that arrive while one runs share the next: a burst of new runs
 * costs two directory fsyncs, not one each.
 */
import fs from 'node:fs';
import type { RecorderFs } from './fs-ops.js';

/** Errors meaning this file system cannot fsync a directory (then there is nothing to do). */
const UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EISDIR', 'EPERM', 'EBADF']);

export class DirSync {
  private running?: Promise<void>;
  private queued?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly fsops: RecorderFs,
  ) {}

  /** Resolves once the folder's entries as of this call are on disk. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) {
      this.running = this.once().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued = this.running.then(
      () => this.next(),
      () => this.next(),
    );
    return this.queued;
  }

  private next(): Promise<void> {
    this.queued = undefined;
    return this.sync();
  }

  private async once(): Promise<void> {
    const fd = await this.fsops.open(this.dir, fs.constants.O_RDONLY);
    try {
      await this.fsops.fsync(fd);
    } catch (err) {
      if (!UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    } finally {
      await this.fsops.close(fd).catch(() => {});
    }
  }
}
