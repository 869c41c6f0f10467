/**
 * `sentrycam inspect FILE --id N`: the inspector's facts about one sample at every epoch of a
 * recording, headless. The recording is projected in this thread with fixed engine work, so the
 * same file, seed and options give the same answer (docs/engine-choices.md#reproducible-work).
 */
import { recordingEpochs } from '../session/recording-epochs.js';
import { ProjectionEngine, type EngineOptions } from '../engine/engine.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { rawNeighbours, rawRowsOf, rowOf } from './sample-facts.js';

/** What to look up. */
export interface SampleQuery {
  readonly file: string;
  readonly id: number;
  /** Run (or RUN/LAYER stream) to look in; default the recording's first. */
  readonly run?: string;
  /** Raw-space neighbours listed per epoch. */
  readonly k: number;
  /** Stop after this epoch (undefined: the whole recording). */
  readonly maxEpoch?: number;
  readonly engine: EngineOptions;
}

/** One epoch of the sample: where it was laid out, how it was classified, who its neighbours were. */
export interface SampleEpoch {
  readonly epoch: number;
  readonly split: 'train' | 'test';
  readonly label: number | null;
  readonly pred: number | null;
  /** Layout position, rounded to 4 decimals. */
  readonly x: number;
  readonly y: number;
  /** Distance moved since the previous epoch that had the sample, layout units (4 decimals); null at its first. */
  readonly moved: number | null;
  /** k nearest samples in the raw space of this epoch, nearest first (distances to 4 decimals). */
  readonly neighbours: readonly { readonly id: number; readonly label: number | null; readonly dist: number }[];
}

export interface SampleHistory {
  readonly file: string;
  readonly run: string;
  readonly id: number;
  readonly seed: number | undefined;
  readonly k: number;
  /** Epochs with the sample, in order. */
  readonly epochs: readonly SampleEpoch[];
  /** Epochs of the run projected without the sample in them. */
  readonly absent: readonly number[];
}

const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

export async function sampleHistory(q: SampleQuery): Promise<SampleHistory> {
  if (!Number.isSafeInteger(q.id)) throw new Error(`--id must be an integer sample id, got ${q.id}`);
  if (!(Number.isInteger(q.k) && q.k >= 1 && q.k <= 100)) throw new Error(`--k must be an integer from 1 to 100, got ${q.k}`);
  const engine = new ProjectionEngine(q.engine);
  let run = q.run;
  const runs = new Set<string>();
  const epochs: SampleEpoch[] = [];
  const absent: number[] = [];
  let last: { x: number; y: number } | undefined;
  for await (const set of recordingEpochs(q.file)) {
    runs.add(set.run);
    run ??= set.run;
    if (set.run !== run) continue;
    if (q.maxEpoch !== undefined && set.epoch > q.maxEpoch) break;
    // Raw rows first: the engine takes the set's buffers over.
    const raw = rawRowsOf(set);
    const layout: EpochLayout = await engine.update(set);
    const i = rowOf(layout, q.id);
    if (i < 0) {
      absent.push(set.epoch);
      continue;
    }
    const x = layout.positions[2 * i];
    const y = layout.positions[2 * i + 1];
    const row = raw.ids.indexOf(q.id);
    epochs.push({
      epoch: set.epoch,
      split: layout.split[i] === 1 ? 'test' : 'train',
      label: layout.labels ? layout.labels[i] : null,
      pred: layout.preds ? layout.preds[i] : null,
      x: r4(x),
      y: r4(y),
      moved: last ? r4(Math.hypot(x - last.x, y - last.y)) : null,
      neighbours: rawNeighbours(raw, row, q.k).map((nb) => ({ id: nb.id, label: nb.label, dist: r4(nb.dist) })),
    });
    last = { x, y };
  }
  if (run === undefined) throw new Error(`${q.file}: no complete epoch in the recording`);
  if (!runs.has(run)) throw new Error(`${q.file}: no run ${JSON.stringify(run)}; it has ${[...runs].map((r) => JSON.stringify(r)).join(', ')}`);
  if (epochs.length === 0) throw new Error(`${q.file}: run ${JSON.stringify(run)} has no sample with id ${q.id}`);
  return { file: q.file, run, id: q.id, seed: q.engine.seed, k: q.k, epochs, absent };
}

/** The history as text: one line per epoch. */
export function formatHistory(h: SampleHistory): string {
  const lines = [`${h.file}: run ${h.run}, sample ${h.id} (seed ${h.seed ?? '-'}, ${h.k} raw-space neighbours)`, ''];
  lines.push(['epoch', 'split', 'label', 'pred', 'x', 'y', 'moved', 'neighbour labels'].map((c, i) => (i < 7 ? c.padStart(i === 1 ? 6 : 8) : `  ${c}`)).join(''));
  for (const e of h.epochs) {
    const cells = [e.epoch, e.split, e.label ?? '-', e.pred ?? '-', e.x.toFixed(4), e.y.toFixed(4), e.moved === null ? '-' : e.moved.toFixed(4)].map((c, i) => String(c).padStart(i === 1 ? 6 : 8));
    lines.push(`${cells.join('')}  ${e.neighbours.map((n) => (n.label === null ? `#${n.id}` : String(n.label))).join(' ')}`);
  }
  if (h.absent.length) lines.push('', `not in epochs ${h.absent.join(', ')}`);
  return lines.join('\n');
}
