/**
 * The file operations the recorder uses, on raw descriptors (one writev per entry). An interface
 * so that a test can make one of them fail where no full disk is at hand; nodeFs is the real one.
 */
import fs from 'node:fs';

export interface RecorderFs {
  open(path: string, flags: string | number): Promise<number>;
  /** Writes all of `parts` at the file position, finishing short writes; rejects on the first error. */
  writeAll(fd: number, parts: readonly Uint8Array[]): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdirSync(dir: string): string[];
  mkdirSync(dir: string): void;
}

const done = (resolve: () => void, reject: (e: Error) => void) => (err: Error | null) => (err ? reject(err) : resolve());

function writeRest(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (offset: number): void => {
      if (offset >= data.length) return resolve();
      fs.write(fd, data, offset, data.length - offset, null, (err, written) => (err ? reject(err) : step(offset + written)));
    };
    step(0);
  });
}

export const nodeFs: RecorderFs = {
  open: (path, flags) => new Promise((resolve, reject) => fs.open(path, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd)))),
  writeAll: (fd, parts) =>
    new Promise((resolve, reject) => {
      fs.writev(fd, parts as Uint8Array[], null, (err, written) => {
        if (err) return reject(err);
        // A short write (e.g. the disk filled up mid-entry): finish it part by part, which reports the error if any.
        let skip = written;
        const rest: Uint8Array[] = [];
        for (const p of parts) {
          if (skip >= p.length) skip -= p.length;
          else {
            rest.push(p.subarray(skip));
            skip = 0;
          }
        }
        rest.reduce((chain, part) => chain.then(() => writeRest(fd, part)), Promise.resolve()).then(resolve, reject);
      });
    }),
  fsync: (fd) => new Promise((resolve, reject) => fs.fsync(fd, done(resolve, reject))),
  ftruncate: (fd, length) => new Promise((resolve, reject) => fs.ftruncate(fd, length, done(resolve, reject))),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, done(resolve, reject))),
  rename: (from, to) => new Promise((resolve, reject) => fs.rename(from, to, done(resolve, reject))),
  unlink: (path) => new Promise((resolve, reject) => fs.unlink(path, done(resolve, reject))),
  readdirSync: (dir) => fs.readdirSync(dir),
  mkdirSync: (dir) => void fs.mkdirSync(dir, { recursive: true }),
};
