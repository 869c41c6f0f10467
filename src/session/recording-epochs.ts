/** The completed epochs of a recording, assembled by the same pipeline as live input. */
import { RecordingReader, type ReadOptions, type RecordingReport } from '../sources/recording-reader.js';
import { Pipeline } from './pipeline.js';
import type { EpochSet } from '../model/epoch-data.js';
import type { ReceiveLimits } from '../ingest/limits.js';

/**
 * How a command reads a recording: the reader's largest frame (a larger entry is skipped and
 * reported, never held) and the same caps as live input, since a recording holds whatever a
 * producer sent.
 */
export interface RecordingReadOptions extends ReadOptions {
  /** Caps on what the recorded frames can make the pipeline hold; defaults when absent. */
  readonly limits?: ReceiveLimits;
}

/**
 * Yields each epoch as soon as the recording completes it (one at a time, and the file streamed,
 * so memory stays bounded). `onReport` is told what the reader found (cut tail, damage skipped)
 * once the file has been read to its end.
 */
export async function* recordingEpochs(file: string, onReport?: (report: RecordingReport) => void, read: RecordingReadOptions = {}): AsyncGenerator<EpochSet> {
  const reader = await RecordingReader.open(file, { maxFrameBytes: read.maxFrameBytes });
  const ready: EpochSet[] = [];
  const pipeline = new Pipeline({ sink: () => {}, onEpochSet: (set) => ready.push(set), silenceMs: Infinity, limits: read.limits });
  for await (const { frame, time } of reader.frames()) {
    pipeline.receive(frame, time);
    while (ready.length) yield ready.shift()!;
  }
  pipeline.flush();
  while (ready.length) yield ready.shift()!;
  onReport?.(reader.report());
}
