/** The monitor's nanomsg PULL socket: binds, raises the receive limit, hands on each message. */
import { parseListenAddress, type ListenAddress } from './address.js';
import { loadNanomsg } from '../util/load-nanomsg.js';

/**
 * The largest --max-frame nanomsg can enforce: NN_RCVMAXSIZE is a C int, and the npm binding
 * converts the value as a 32-bit integer, so 2^31 is refused (EINVAL) and 4 GiB wraps to 0, which
 * drops every non-empty message. A received message's length is an int too.
 */
export const MAX_FRAME_CEILING = 2 ** 31 - 1;

/** The subset of the nanomsg binding we use. */
interface NanoSocket {
  rcvmaxsize(bytes: number): unknown;
  bind(addr: string): number | null;
  on(event: 'data', cb: (msg: Buffer) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}

export interface PullSocketOptions {
  readonly listen: string;
  /**
   * Largest message accepted, bytes (1..MAX_FRAME_CEILING); nanomsg's default of 1 MiB would
   * silently drop activations. nanomsg drops a larger message and the connection it came on, and
   * the binding tells nobody: it shows only as a gap in that producer's seq.
   */
  readonly maxFrame: number;
  readonly onFrame: (frame: Buffer, receivedAt: number) => void;
  readonly onError: (err: Error) => void;
}

export class PullSocket {
  readonly address: ListenAddress;
  private readonly socket: NanoSocket;

  constructor(opts: PullSocketOptions) {
    this.address = parseListenAddress(opts.listen);
    if (!Number.isSafeInteger(opts.maxFrame) || opts.maxFrame < 1 || opts.maxFrame > MAX_FRAME_CEILING) {
      throw new Error(`max frame ${opts.maxFrame} is outside 1..${MAX_FRAME_CEILING} bytes, the range nanomsg can enforce`);
    }
    const nano = loadNanomsg<{ socket(type: string): NanoSocket }>();
    this.socket = nano.socket('pull');
    let bound = false;
    let bindError: Error | undefined;
    this.socket.on('error', (err) => {
      if (bound) opts.onError(err);
      else bindError = err;
    });
    this.socket.rcvmaxsize(opts.maxFrame);
    const id = this.socket.bind(opts.listen);
    if (id === null || id === undefined || (typeof id === 'number' && id < 0)) {
      this.socket.close();
      throw new Error(`cannot listen on ${opts.listen}: ${bindError?.message ?? 'bind failed'}`);
    }
    bound = true;
    this.socket.on('data', (msg) => {
      // Thrown here it would escape through the binding's poll callback and end the process.
      try {
        opts.onFrame(msg, Date.now());
      } catch (err) {
        opts.onError(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): void {
    this.socket.close();
  }
}
