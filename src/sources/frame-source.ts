/**
 * Where frames come from: a live socket, a recording file, or the demo's trainer child. Every
 * command feeds its session through this one interface, so live and replayed input take the
 * same path from the first byte.
 */

/**
 * Takes one frame as received. It may return a promise to make a paced source (a recording)
 * wait, e.g. until the engine has caught up; a live socket cannot wait and ignores it.
 */
export type FrameHandler = (frame: Buffer, receivedAt: number) => void | Promise<void>;

export interface FrameSource {
  /** What the `listening` event names: the socket address or the file. */
  readonly name: string;
  /**
   * Starts delivering frames. Throws at once when the source cannot be opened (an address that
   * cannot be bound). The promise resolves when the source has nothing more to give (the end of
   * a recording; a socket only when closed) and rejects when the source failed on the way
   * (e.g. the demo's trainer crashed).
   */
  open(onFrame: FrameHandler): Promise<void>;
  /** Warnings about the source found when it opened (e.g. a socket reachable from the network). */
  readonly notices?: readonly string[];
  /** Stops delivering; idempotent. */
  close(): void;
}
