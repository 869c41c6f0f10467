/**
 * A bare nanomsg PUSH socket for tests, driven through the native binding with non-blocking sends
 * (the npm wrapper's send blocks the event loop, which deadlocks a receiver in the same process).
 * Independent of src/producer, so the monitor is also tested against a sender that is not ours.
 */
import { createRequire } from 'node:module';

interface Binding {
  readonly NN_DONTWAIT: number;
  readonly EAGAIN: number;
  readonly EINTR: number;
  Send(socket: number, msg: Buffer, flags: number): number;
  Errno(): number;
  Err(): string;
  PollSocket(socket: number, sender: boolean, cb: (events: number) => void): Buffer;
  PollStop(handle: Buffer): void;
}

interface WrapperSocket {
  readonly binding: number;
  connect(address: string): number | null;
  close(): number;
  on(event: 'error', cb: (err: Error) => void): void;
}

const require = createRequire(import.meta.url);
const nanomsg = require('nanomsg') as { _bindings: Binding; socket(type: 'push'): WrapperSocket };
const nn = nanomsg._bindings;

export class RawPush {
  private readonly sock: WrapperSocket;

  /**
   * @param waitMs how long a send waits for a full pipe to drain before failing. 30 s: the first
   *   connection waits for a monitor that may still be starting on a loaded machine (10 s was seen
   *   to run out in a full suite: the fan-in test's first send).
   */
  constructor(readonly address: string, private readonly waitMs = 30_000) {
    this.sock = nanomsg.socket('push');
    this.sock.on('error', () => {});
    if (this.sock.connect(address) === null) throw new Error(`test: cannot connect PUSH to ${address}`);
  }

  /** Sends every frame in order, waiting (without blocking the event loop) while the pipe is full. */
  async send(...frames: Buffer[]): Promise<void> {
    for (const frame of frames) {
      for (;;) {
        const rc = nn.Send(this.sock.binding, frame, nn.NN_DONTWAIT);
        if (rc >= 0) break;
        const errno = nn.Errno();
        if (errno === nn.EINTR) continue;
        if (errno !== nn.EAGAIN) throw new Error(`test: nn_send failed: ${nn.Err()}`);
        await this.writable(this.waitMs);
      }
    }
  }

  /** Resolves once the socket can take another message (the previous one has left). */
  writable(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let done = false;
      const poll = nn.PollSocket(this.sock.binding, true, (events) => {
        if (!events || done) return;
        done = true;
        clearTimeout(timer);
        nn.PollStop(poll);
        resolve();
      });
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        nn.PollStop(poll);
        reject(new Error(`test: PUSH to ${this.address} not writable after ${timeoutMs} ms (is the monitor listening?)`));
      }, timeoutMs);
    });
  }

  /** Waits for the last message to leave, then closes (closing earlier could discard it). */
  async close(): Promise<void> {
    await this.writable(10_000).catch(() => {});
    this.sock.close();
  }
}
