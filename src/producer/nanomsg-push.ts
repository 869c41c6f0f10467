/**
 * A nanomsg PUSH socket that never blocks its caller.
 *
 * We bypass the npm wrapper's `send()`: it queues without bound in JavaScript while no peer is
 * connected, and when it does flush it loops on a failed send forever (it re-queues the failed
 * message at the head and retries in the same loop). Instead every send is one `nn_send` with
 * NN_DONTWAIT, and the caller keeps its own bounded queue.
 */
import { loadNanomsg } from '../util/load-nanomsg.js';

/** The parts of nanomsg's native binding that we use. */
interface NnBinding {
  readonly NN_DONTWAIT: number;
  readonly EAGAIN: number;
  Send(socket: number, msg: Buffer, flags: number): number;
  Errno(): number;
  Err(): string;
  PollSocket(socket: number, sender: boolean, cb: (events: number) => void): Buffer;
  PollStop(handle: Buffer): void;
}

/** The parts of the npm wrapper's socket that we use. */
interface NnSocket {
  readonly binding: number;
  connect(address: string): number | null;
  close(): number;
  on(event: 'error', listener: (err: Error) => void): void;
}

interface NanomsgModule {
  readonly _bindings: NnBinding;
  socket(type: 'push', opts?: Record<string, unknown>): NnSocket;
}

let loaded: NanomsgModule | undefined;

function nanomsg(): NanomsgModule {
  loaded ??= loadNanomsg<NanomsgModule>();
  return loaded;
}

/** Outcome of one non-blocking send. */
export type SendOutcome = 'sent' | 'busy' | 'failed';

/** A connected PUSH socket. */
export class PushSocket {
  private readonly socket: NnSocket;
  private readonly nn: NnBinding;
  private closed = false;
  /** The last error text of a failed (not merely busy) send. */
  lastError = '';

  /**
   * @param address e.g. tcp://127.0.0.1:5555 or ipc:///tmp/sentrycam.sock; the peer may come later
   *   (nanomsg reconnects by itself).
   */
  constructor(readonly address: string) {
    const mod = nanomsg();
    this.nn = mod._bindings;
    this.socket = mod.socket('push');
    let error = '';
    // The wrapper reports a failed connect as an 'error' event (thrown when nobody listens).
    this.socket.on('error', (err) => {
      error = err.message;
    });
    const endpoint = this.socket.connect(address);
    if (endpoint === null || endpoint < 0) {
      this.socket.close();
      throw new Error(`cannot connect a PUSH socket to '${address}': ${error || 'invalid address'}`);
    }
  }

  /** One non-blocking send: 'busy' when no peer can take the message right now. */
  trySend(frame: Buffer): SendOutcome {
    if (this.closed) return 'failed';
    const rc = this.nn.Send(this.socket.binding, frame, this.nn.NN_DONTWAIT);
    if (rc >= 0) return 'sent';
    if (this.nn.Errno() === this.nn.EAGAIN) return 'busy';
    this.lastError = this.nn.Err();
    return 'failed';
  }

  /**
   * Resolve true once the socket can take a message, false after `timeoutMs`. With one peer,
   * "writable again" also means the previous message has been handed to the kernel, which is what
   * a clean close needs (closing earlier discards a message still being written).
   */
  waitWritable(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.nn.PollStop(poll);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      const poll = this.nn.PollSocket(this.socket.binding, true, (events) => {
        if (events) finish(true);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
