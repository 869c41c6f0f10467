/** The completed epochs of a recording, assembled by the same pipeline as live input. */
import { RecordingSource } from '../sources/recording-source.js';
import { Pipeline } from './pipeline.js';
import type { EpochSet } from '../model/epoch-data.js';

/** Yields each epoch as soon as the recording completes it (one at a time, so memory stays bounded). */
export function* recordingEpochs(file: string): Generator<EpochSet> {
  const { recording } = new RecordingSource(file, { speed: 0 });
  const ready: EpochSet[] = [];
  const pipeline = new Pipeline({ sink: () => {}, onEpochSet: (set) => ready.push(set), silenceMs: Infinity });
  for (const { frame, time } of recording.frames) {
    pipeline.receive(frame, time);
    while (ready.length) yield ready.shift()!;
  }
  pipeline.flush();
  while (ready.length) yield ready.shift()!;
}
