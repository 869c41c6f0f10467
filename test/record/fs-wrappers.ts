/**
 * Wrappers around the recorder's real file operations (they all end in node's fs): one that
 * watches which descriptor each write goes to, one that holds writes back until released, and
 * one that runs out of space after a budget (for machines where no tiny tmpfs can be mounted).
 */
import fs from 'node:fs';
import { nodeFs, type RecorderFs } from '../../src/record/fs-ops.js';

/** Watches the recorder's descriptors: what it opens, and whether every write goes to an open one. */
export class Tracker {
  /** Every open: the path and whether it created the file. */
  readonly opens: { readonly path: string; readonly creates: boolean }[] = [];
  /** Writes or fsyncs on a descriptor not open at the time (the fd-reuse fault), double closes. */
  readonly violations: string[] = [];
  /** Entries (and magics) written, by path. */
  readonly writesTo = new Map<string, number>();
  /** Descriptors open now, with their paths. */
  readonly openNow = new Map<number, string>();
  readdirs = 0;
  readonly fs: RecorderFs;

  constructor(base: RecorderFs = nodeFs) {
    const creates = (flags: string | number) => (typeof flags === 'string' ? flags.includes('x') : (flags & fs.constants.O_CREAT) !== 0);
    this.fs = {
      ...base,
      open: async (path, flags) => {
        const fd = await base.open(path, flags);
        this.opens.push({ path, creates: creates(flags) });
        if (this.openNow.has(fd)) this.violations.push(`fd ${fd} opened twice`);
        this.openNow.set(fd, path);
        return fd;
      },
      writeAll: async (fd, parts) => {
        const path = this.openNow.get(fd);
        if (path === undefined) this.violations.push(`write to fd ${fd}, which is not open`);
        else this.writesTo.set(path, (this.writesTo.get(path) ?? 0) + 1);
        return base.writeAll(fd, parts);
      },
      fsync: async (fd) => {
        if (!this.openNow.has(fd)) this.violations.push(`fsync of fd ${fd}, which is not open`);
        return base.fsync(fd);
      },
      close: async (fd) => {
        if (!this.openNow.delete(fd)) this.violations.push(`close of fd ${fd}, which is not open`);
        return base.close(fd);
      },
      readdirSync: (dir) => {
        this.readdirs++;
        return base.readdirSync(dir);
      },
    };
  }

  /** Files (not the folder) open now. */
  filesOpen(dir: string): number {
    return [...this.openNow.values()].filter((p) => p !== dir).length;
  }
}

/** Writes wait until open() is called; what they write then is real. */
export function gatedFs(base: RecorderFs = nodeFs): { readonly fs: RecorderFs; open(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    fs: { ...base, writeAll: async (fd, parts) => (await gate, base.writeAll(fd, parts)) },
    open: () => release(),
  };
}

/**
 * A disk with `budget` bytes free for file data: a write beyond it writes what fits and then
 * fails with ENOSPC, as a real full disk does; truncating or removing a file gives space back.
 */
export function fullDiskFs(budget: number, base: RecorderFs = nodeFs): RecorderFs {
  let used = 0;
  const sizes = new Map<number, string>();
  const fileSize = (p: string) => {
    try {
      return fs.statSync(p).size;
    } catch {
      return 0;
    }
  };
  return {
    ...base,
    open: async (p, flags) => {
      const fd = await base.open(p, flags);
      sizes.set(fd, p);
      return fd;
    },
    writeAll: async (fd, parts) => {
      const total = parts.reduce((s, x) => s + x.length, 0);
      const room = budget - used;
      if (total <= room) {
        used += total;
        return base.writeAll(fd, parts);
      }
      const joined = Buffer.concat(parts.map((x) => Buffer.from(x.buffer, x.byteOffset, x.length)));
      if (room > 0) await base.writeAll(fd, [joined.subarray(0, room)]);
      used = budget;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    ftruncate: async (fd, length) => {
      const p = sizes.get(fd);
      const before = p ? fileSize(p) : 0;
      await base.ftruncate(fd, length);
      used -= Math.max(0, before - length);
    },
    unlink: async (p) => {
      used -= fileSize(p);
      await base.unlink(p);
    },
  };
}
