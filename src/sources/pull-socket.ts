/** The monitor's nanomsg PULL socket: binds, raises the receive limit, hands on each message. */
import { createRequire } from 'node:module';
import { parseListenAddress, type ListenAddress } from './address.js';

const require = createRequire(import.meta.url);

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
  /** Largest message accepted, bytes; nanomsg's default of 1 MiB would silently drop activations. */
  readonly maxFrame: number;
  readonly onFrame: (frame: Buffer, receivedAt: number) => void;
  readonly onError: (err: Error) => void;
}

export class PullSocket {
  readonly address: ListenAddress;
  private readonly socket: NanoSocket;

  constructor(opts: PullSocketOptions) {
    this.address = parseListenAddress(opts.listen);
    const nano = require('nanomsg') as { socket(type: string): NanoSocket };
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
    this.socket.on('data', (msg) => opts.onFrame(msg, Date.now()));
  }

  close(): void {
    this.socket.close();
  }
}
