/** A real nanomsg PULL socket for tests: collects every message it receives. */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

interface PullSocket {
  bind(address: string): number | null;
  rcvmaxsize(bytes: number): boolean;
  on(event: 'data', listener: (buf: Buffer) => void): void;
  close(): number;
}

const require = createRequire(import.meta.url);
const nanomsg = require('nanomsg') as { socket(type: 'pull'): PullSocket };

let counter = 0;

/** A fresh ipc:// address in the temp folder, unique to this process and call. */
export function ipcAddress(tag: string): string {
  counter++;
  return `ipc://${path.join(os.tmpdir(), `scam-${tag}-${process.pid}-${counter}.sock`)}`;
}

/** A bound PULL socket and what it has received so far. */
export interface Collector {
  readonly messages: Buffer[];
  /** Resolve once at least `count` messages arrived; reject after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Buffer[]>;
  close(): void;
}

export function listen(address: string): Collector {
  const sock = nanomsg.socket('pull');
  sock.rcvmaxsize(-1); // the default 1 MiB limit silently drops larger frames
  if (sock.bind(address) === null) throw new Error(`test: cannot bind ${address}`);
  const messages: Buffer[] = [];
  const waiters: { count: number; resolve: (m: Buffer[]) => void }[] = [];
  sock.on('data', (buf) => {
    messages.push(buf);
    for (const w of waiters.filter((w) => messages.length >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(messages);
    }
  });
  return {
    messages,
    waitFor(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`test: got ${messages.length} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close() {
      sock.close(); // idempotent in the nanomsg wrapper
    },
  };
}

/** The frame's JSON header, parsed straight from the bytes (PROTOCOL.md layout), no decoder involved. */
export function rawHeader(frame: Buffer): Record<string, unknown> {
  const len = frame.readUInt32LE(8);
  return JSON.parse(frame.subarray(12, 12 + len).toString('utf8')) as Record<string, unknown>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
