/**
 * Projects a recording offline, every epoch in order, in this thread: the core of `export`
 * (nothing else waits here, so no worker and no skipping).
 */
import { recordingEpochs, type RecordingReadOptions } from './recording-epochs.js';
import { ProjectionEngine, type EngineOptions } from '../engine/engine.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import type { Printable } from '../model/printable.js';

export interface ProjectedRun {
  classes?: readonly Printable[];
  layouts: EpochLayout[];
}

/**
 * @param file recording
 * @param opts engine options (seed, budget)
 * @param wanted stop once this returns true for a layout (e.g. the requested epoch was projected)
 * @param read the reader's largest frame and the receive caps
 */
export async function projectRecording(file: string, opts: EngineOptions, wanted: (l: EpochLayout) => boolean = () => false, read: RecordingReadOptions = {}): Promise<Map<string, ProjectedRun>> {
  const engine = new ProjectionEngine(opts);
  const runs = new Map<string, ProjectedRun>();
  for await (const set of recordingEpochs(file, undefined, read)) {
    let r = runs.get(set.run);
    if (!r) runs.set(set.run, (r = { layouts: [] }));
    // Class names travel with every assembled epoch (sanitised at ingest).
    r.classes = set.splits[0]?.classes ?? r.classes;
    const layout = await engine.update(set);
    r.layouts.push(layout);
    if (wanted(layout)) break;
  }
  return runs;
}
