/** Frames from a recording, streamed and paced by their recorded times (or as fast as the consumer takes them). */
import { RecordingReader, type ReadOptions, type RecordingReport } from './recording-reader.js';
import type { FrameHandler, FrameSource } from './frame-source.js';

export interface RecordingSourceOptions extends ReadOptions {
  /** Times faster than recorded; 0 = no clock, each frame as soon as the handler is done with the last. */
  readonly speed: number;
}

export class RecordingSource implements FrameSource {
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly reader: RecordingReader,
    private readonly opts: RecordingSourceOptions,
  ) {}

  /** Opens the file and checks it is a recording; throws (naming the file) when not. */
  static async open(file: string, opts: RecordingSourceOptions): Promise<RecordingSource> {
    return new RecordingSource(file, await RecordingReader.open(file, opts), opts);
  }

  /** What the reader found (frames, cut tail, damage skipped); final once open() has resolved. */
  report(): RecordingReport {
    return this.reader.report();
  }

  async open(onFrame: FrameHandler): Promise<void> {
    // Never deliver inside open(): the caller announces the source right after opening it.
    await new Promise((r) => setImmediate(r));
    // The replay clock: `start` moves on by the time the handler held the source (waiting for the
    // engine), so what follows keeps its recorded spacing instead of rushing to catch up.
    let start = Date.now();
    let t0: number | undefined;
    for await (const { frame, time } of this.reader.frames()) {
      if (this.closed) return;
      t0 ??= time;
      if (this.opts.speed > 0) {
        const wait = start + (time - t0) / this.opts.speed - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else {
        // Let the dashboard and the engine's messages in between frames.
        await new Promise((r) => setImmediate(r));
      }
      if (this.closed) return;
      const held = onFrame(frame, time);
      if (held) {
        const before = Date.now();
        await held;
        start += Date.now() - before;
      }
    }
  }

  close(): void {
    this.closed = true;
  }
}
