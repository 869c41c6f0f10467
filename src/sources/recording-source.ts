/** Frames from a recording, paced by their recorded times (or as fast as the consumer takes them). */
import { readRecording, type Recording } from './recording-reader.js';
import type { FrameHandler, FrameSource } from './frame-source.js';

export interface RecordingSourceOptions {
  /** Times faster than recorded; 0 = no clock, each frame as soon as the handler is done with the last. */
  readonly speed: number;
}

export class RecordingSource implements FrameSource {
  readonly name: string;
  /** The whole recording, read up front (so a bad file is reported before anything starts). */
  readonly recording: Recording;
  private closed = false;

  /** @throws when the file cannot be read or is not a recording. */
  constructor(file: string, private readonly opts: RecordingSourceOptions) {
    this.name = file;
    this.recording = readRecording(file);
  }

  async open(onFrame: FrameHandler): Promise<void> {
    const frames = this.recording.frames;
    const t0 = frames[0]?.time ?? 0;
    // Never deliver inside open(): the caller announces the source right after opening it.
    await new Promise((r) => setImmediate(r));
    const start = Date.now();
    for (const { frame, time } of frames) {
      if (this.closed) return;
      if (this.opts.speed > 0) {
        const wait = start + (time - t0) / this.opts.speed - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else {
        // Let the dashboard and the engine's messages in between frames.
        await new Promise((r) => setImmediate(r));
      }
      if (this.closed) return;
      await onFrame(frame, time);
    }
  }

  close(): void {
    this.closed = true;
  }
}
