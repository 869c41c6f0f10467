/** The completed epochs of a recording, assembled exactly as live input would be. */
import { readRecording } from '../record/reader.js';
import { decodeFrame } from '../protocol/decode.js';
import { Ingest } from '../ingest/ingest.js';
import type { EpochSet } from '../model/epoch-data.js';

/** Yields each epoch as soon as the recording completes it (one at a time, so memory stays bounded). */
export function* recordingEpochs(file: string): Generator<EpochSet> {
  const recording = readRecording(file);
  const ready: EpochSet[] = [];
  const ingest = new Ingest({ sink: () => {}, onEpoch: (set) => ready.push(set), silenceMs: Infinity });
  for (const { frame, time } of recording.frames) {
    const decoded = decodeFrame(frame);
    if (decoded.ok) ingest.accept(decoded.frame, time);
    while (ready.length) yield ready.shift()!;
  }
  ingest.flush();
  while (ready.length) yield ready.shift()!;
}
