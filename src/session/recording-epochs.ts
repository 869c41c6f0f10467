/** The completed epochs of a recording, assembled by the same pipeline as live input. */
import { RecordingReader, type RecordingReport } from '../sources/recording-reader.js';
import { Pipeline } from './pipeline.js';
import type { EpochSet } from '../model/epoch-data.js';

/**
 * Yields each epoch as soon as the recording completes it (one at a time, and the file streamed,
 * so memory stays bounded). `onReport` is told what the reader found (cut tail, damage skipped)
 * once the file has been read to its end.
 */
export async function* recordingEpochs(file: string, onReport?: (report: RecordingReport) => void): AsyncGenerator<EpochSet> {
  const reader = await RecordingReader.open(file);
  const ready: EpochSet[] = [];
  const pipeline = new Pipeline({ sink: () => {}, onEpochSet: (set) => ready.push(set), silenceMs: Infinity });
  for await (const { frame, time } of reader.frames()) {
    pipeline.receive(frame, time);
    while (ready.length) yield ready.shift()!;
  }
  pipeline.flush();
  while (ready.length) yield ready.shift()!;
  onReport?.(reader.report());
}
