/** Live frames from the monitor's PULL socket. */
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

  constructor(private readonly opts: SocketSourceOptions) {
    this.name = opts.listen;
  }

  open(onFrame: FrameHandler): Promise<void> {
    this.socket = new PullSocket({
      listen: this.opts.listen,
      maxFrame: this.opts.maxFrame,
      // A live socket cannot wait for a consumer: whatever the handler returns is not awaited.
      onFrame: (frame, at) => void onFrame(frame, at),
      onError: this.opts.onError,
    });
    return new Promise((resolve) => (this.resolveClosed = resolve));
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
    this.resolveClosed?.();
  }
}
