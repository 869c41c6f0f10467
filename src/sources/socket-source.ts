/** Live frames from the monitor's PULL socket. */
import fs from 'node:fs';
import { PullSocket } from './pull-socket.js';
import type { FrameHandler, FrameSource } from './frame-source.js';

export interface SocketSourceOptions {
  /** Address to bind (tcp://HOST:PORT or ipc:///PATH). */
  readonly listen: string;
  /** Largest frame accepted, bytes. */
  readonly maxFrame: number;
  /** Socket errors after binding (they do not stop the source). */
  readonly onError: (err: Error) => void;
}

export class SocketSource implements FrameSource {
  readonly name: string;
  private socket: PullSocket | undefined;
  private resolveClosed: (() => void) | undefined;
  notices: readonly string[] = [];

  constructor(private readonly opts: SocketSourceOptions) {
    this.name = opts.listen;
  }

  open(onFrame: FrameHandler): Promise<void> {
    refuseNonSocketPath(this.opts.listen);
    this.socket = new PullSocket({
      listen: this.opts.listen,
      maxFrame: this.opts.maxFrame,
      // A live socket cannot wait for a consumer: whatever the handler returns is not awaited.
      onFrame: (frame, at) => void onFrame(frame, at),
      onError: this.opts.onError,
    });
    if (!this.socket.address.loopback) {
      this.notices = [`listening on ${this.opts.listen}, reachable from the network: the socket has no authentication, anyone who can connect can send frames`];
    }
    return new Promise((resolve) => (this.resolveClosed = resolve));
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
    this.resolveClosed?.();
  }
}

/**
 * nanomsg's ipc bind removes whatever file is at the path when nothing answers there, so
 * `--listen ipc:///home/me/notes.txt` would delete the notes. Only a stale socket may be replaced.
 */
function refuseNonSocketPath(listen: string): void {
  const m = /^ipc:\/\/(.+)$/.exec(listen);
  if (!m) return;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(m[1]!);
  } catch {
    return; // Nothing there: the bind creates the socket.
  }
  if (!st.isSocket()) throw new Error(`cannot listen on ${listen}: ${m[1]} exists and is not a socket (refusing to replace it)`);
}
