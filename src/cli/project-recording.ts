/**
 * Projects a recording offline, every epoch in order, in this thread: the shared core of `export`.
 */
import { readRecording } from '../record/reader.js';
import { Pipeline } from '../pipeline.js';
import { inlineEngine } from './engine-factory.js';
import type { EngineOptions } from '../engine/engine.js';
import type { EpochLayout } from '../engine/epoch-layout.js';

export interface ProjectedRun {
  classes?: readonly string[];
  layer?: string;
  layouts: EpochLayout[];
}

/**
 * @param file recording
 * @param opts engine options (seed, budget)
 * @param wanted stop once this returns true for a layout (e.g. the requested epoch was projected)
 */
export async function projectRecording(file: string, opts: EngineOptions, wanted: (l: EpochLayout) => boolean = () => false): Promise<Map<string, ProjectedRun>> {
  const recording = readRecording(file);
  const runs = new Map<string, ProjectedRun>();
  const runOf = (run: string): ProjectedRun => {
    let r = runs.get(run);
    if (!r) runs.set(run, (r = { layouts: [] }));
    return r;
  };
  let done = false;
  const pipeline = new Pipeline({
    engine: inlineEngine(opts),
    silenceMs: Infinity,
    sink: (e) => {
      if (e.event === 'hello') {
        const r = runOf(e.run);
        r.layer = e.layer;
        if (e.classes) r.classes = e.classes;
      } else if (e.event === 'layout') {
        runOf(e.layout.run).layouts.push(e.layout);
        if (wanted(e.layout)) done = true;
      }
    },
  });
  for (const { frame, time } of recording.frames) {
    if (done) break;
    const before = pipeline.stats.epochs;
    pipeline.receive(frame, time);
    if (pipeline.stats.epochs > before) await pipeline.whenIdle();
  }
  if (!done) pipeline.ingest.flush();
  await pipeline.whenIdle();
  return runs;
}
