/**
 * The demo's frame source: the monitor's socket plus the trainer child that streams into it.
 * The source fails (its promise rejects) when the trainer exits with an error.
 */
import type { ChildProcess } from 'node:child_process';
import { SocketSource } from '../sources/socket-source.js';
import type { FrameHandler, FrameSource } from '../sources/frame-source.js';
import { spawnTrainer, waitForExit, type DemoOptions } from './run-demo.js';

/** The 256 MiB default of watch; demo frames are ~1 MB. */
const MAX_FRAME = 256 * 2 ** 20;
/** Bytes of the trainer's stderr kept to explain a failure. */
const STDERR_TAIL = 4000;

export class DemoSource implements FrameSource {
  readonly name: string;
  private readonly socket: SocketSource;
  private child: ChildProcess | undefined;

  /** @param trainer the trainer's options; its address is where the socket listens. */
  constructor(private readonly trainer: DemoOptions & { readonly address: string }, onError: (err: Error) => void) {
    this.name = trainer.address;
    this.socket = new SocketSource({ listen: trainer.address, maxFrame: MAX_FRAME, onError });
  }

  get notices(): readonly string[] {
    return this.socket.notices;
  }

  open(onFrame: FrameHandler): Promise<void> {
    const closed = this.socket.open(onFrame);
    const child = (this.child = spawnTrainer(this.trainer));
    let tail = '';
    child.stderr?.on('data', (d: Buffer) => (tail = (tail + String(d)).slice(-STDERR_TAIL)));
    const failed = waitForExit(child).then((code) => {
      if (code !== 0 && this.child) throw new Error(`the training process failed (exit ${code})\n${tail}`);
      // A trainer that finished is not the end of the source: its frames are still being taken in.
      return closed;
    });
    return Promise.race([closed, failed]);
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) child.kill('SIGTERM');
    this.socket.close();
  }
}
