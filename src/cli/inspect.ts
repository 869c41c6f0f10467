/** `sentrycam inspect FILE`: what a recording holds, without projecting it. */
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { RecordingReader } from '../sources/recording-reader.js';
import { damageText, type RecordingDamage } from '../sources/recording-damage.js';
import { Pipeline } from '../session/pipeline.js';
import { readOptions, toReadOptions, type ReadArgs } from './common-options.js';
import type { RecordingReadOptions } from '../session/recording-epochs.js';
import type { Event } from '../model/events.js';
import { EXIT_ERROR, EXIT_OK } from '../model/exit-codes.js';
import { formatHistory, sampleHistory } from '../inspect/sample-history.js';
import { streamName } from '../model/stream-name.js';
import { engineOptionsOf } from '../engine-thread/engine-factory.js';

interface InspectArgs extends ReadArgs {
  file: string;
  json: boolean;
  id?: number;
  run?: string;
  k: number;
  seed: number;
  'max-epoch'?: number;
}

/** Summary of one run in a recording. */
export interface RunSummary {
  run: string;
  layer: string;
  dim: number;
  model?: string;
  producers: string[];
  classes?: readonly string[];
  epochs: { epoch: number; train: number; test: number; metrics: Record<string, number> }[];
  ended: boolean;
}

export interface RecordingSummary {
  file: string;
  /** Recording format version (docs/recording-format.md). */
  version: number;
  frames: number;
  rejected: number;
  lost: number;
  truncatedBytes: number;
  /** What the reader skipped: entries, bytes, places, epochs that may be missing frames. */
  damage: RecordingDamage;
  runs: RunSummary[];
}

/** Reads the whole recording (streamed) through the pipeline, without projecting. */
export async function summarizeRecording(file: string, read: RecordingReadOptions = {}): Promise<RecordingSummary> {
  const reader = await RecordingReader.open(file, { maxFrameBytes: read.maxFrameBytes });
  const runs = new Map<string, RunSummary>();
  const epochOf = (r: RunSummary, epoch: number) => {
    let e = r.epochs.find((x) => x.epoch === epoch);
    if (!e) {
      e = { epoch, train: 0, test: 0, metrics: {} };
      r.epochs.push(e);
    }
    return e;
  };
  // A run's further layers (protocol 1.1) are listed as runs RUN/LAYER, as the events name them.
  const firstLayer = new Map<string, string>();
  const sink = (e: Event): void => {
    if (e.event === 'hello') {
      if (!firstLayer.has(e.run)) firstLayer.set(e.run, e.layer);
      const name = streamName(e.run, e.layer, firstLayer.get(e.run)!);
      const r = runs.get(name) ?? { run: name, layer: e.layer, dim: e.dim, producers: [], epochs: [], ended: false };
      if (!r.producers.includes(e.producer)) r.producers.push(e.producer);
      if (e.classes) r.classes = e.classes;
      if (e.model) r.model = e.model;
      runs.set(name, r);
    } else if (e.event === 'epoch') {
      const r = runs.get(e.run);
      if (r) epochOf(r, e.epoch)[e.split] = e.n;
    } else if (e.event === 'metrics') {
      const r = runs.get(e.run);
      if (r) Object.assign(epochOf(r, e.epoch).metrics, e.values);
    } else if (e.event === 'end') {
      const r = runs.get(e.run);
      if (r) r.ended = true;
    }
  };
  const pipeline = new Pipeline({ sink, silenceMs: Infinity, limits: read.limits });
  for await (const { frame, time } of reader.frames()) pipeline.receive(frame, time);
  pipeline.flush();
  for (const r of runs.values()) r.epochs.sort((a, b) => a.epoch - b.epoch);
  const s = pipeline.stats;
  const report = reader.report();
  return { file, version: report.version, frames: s.frames, rejected: s.rejected, lost: s.lost, truncatedBytes: report.truncatedBytes, damage: report.damage, runs: [...runs.values()] };
}

export function formatSummary(s: RecordingSummary): string {
  const lines = [`${s.file}: ${s.frames} frames, ${s.rejected} rejected, ${s.lost} lost${s.truncatedBytes ? `, ${s.truncatedBytes} bytes of a cut-off frame at the end` : ''}`];
  const damage = damageText(s.damage);
  if (damage) lines.push(`DAMAGED: ${damage}`);
  for (const r of s.runs) {
    lines.push('');
    // Names quoted: a producer named "0" read as "producers: 0", a count.
    const q = (name: string): string => JSON.stringify(name);
    lines.push(`run       ${q(r.run)}${r.ended ? '' : ' (no end frame)'}`);
    lines.push(`layer     ${q(r.layer)}${r.model ? ` of ${q(r.model)}` : ''}`);
    lines.push(`D         ${r.dim}`);
    lines.push(`producers ${r.producers.length}: ${r.producers.map(q).join(', ')}`);
    lines.push(`classes   ${r.classes ? `${r.classes.length}: ${r.classes.map(q).join(', ')}` : '(not named)'}`);
    lines.push(`epochs    ${r.epochs.length}${r.epochs.length ? ` (${r.epochs[0]!.epoch}-${r.epochs.at(-1)!.epoch})` : ''}`);
    const keys = [...new Set(r.epochs.flatMap((e) => Object.keys(e.metrics)))].sort();
    lines.push('');
    const header = ['epoch', 'train', 'test', ...keys];
    const width = header.map((h) => Math.max(8, h.length + 2));
    lines.push(header.map((h, i) => h.padStart(width[i]!)).join(''));
    for (const e of r.epochs) {
      const cells = [String(e.epoch), String(e.train), String(e.test), ...keys.map((k) => (e.metrics[k] === undefined ? '-' : Number(e.metrics[k]!.toPrecision(4)).toString()))];
      lines.push(cells.map((c, i) => c.padStart(width[i]!)).join(''));
    }
  }
  return lines.join('\n');
}

const INSPECT_EXAMPLES = [
  ['sentrycam inspect sentrycam-runs/RUN.scamrec', 'runs, layer, classes, epochs and metrics'],
  ['sentrycam inspect --json RUN.scamrec', 'the same as one JSON object'],
] as const;

export function inspectCommand(setExit: (code: number) => void): CommandModule<object, InspectArgs> {
  return {
    command: 'inspect <file>',
    describe: 'Summarise a recording: run, layer, D, classes, epochs, samples per epoch, metrics; with --id, one sample at every epoch',
    builder: (y: Argv) =>
      helpLayout(
        readOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'Recording (.scamrec)' })
          .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' })
          .option('id', { type: 'number', describe: "One sample: its layout position, label, prediction and raw-space neighbours' labels per epoch (projects the recording, fixed work)" })
          .option('run', { type: 'string', describe: 'With --id: the run (or RUN/LAYER) to look in; default the first' })
          .option('k', { type: 'number', default: 5, describe: 'With --id: raw-space neighbours listed per epoch' })
          .option('seed', { type: 'number', default: 1, describe: 'With --id: engine seed (same file and seed, same layouts)' })
          .option('max-epoch', { type: 'number', describe: 'With --id: project epochs up to this one only' }),
        INSPECT_EXAMPLES,
      ) as unknown as Argv<InspectArgs>,
    handler: async (a) => {
      try {
        if (a.id === undefined && (a.run !== undefined || a['max-epoch'] !== undefined)) throw new Error('--run and --max-epoch choose what --id looks at: give --id N too');
        if (a.id !== undefined) {
          if (!Number.isSafeInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
          if (a['max-epoch'] !== undefined && !(Number.isInteger(a['max-epoch']) && a['max-epoch'] >= 0)) throw new Error(`--max-epoch must be an integer >= 0, got ${a['max-epoch']}`);
          const h = await sampleHistory({ file: a.file, id: a.id, run: a.run, k: a.k, maxEpoch: a['max-epoch'], engine: engineOptionsOf({ seed: a.seed, budgetMs: 1000, reproducible: true }) });
          process.stdout.write(`${a.json ? JSON.stringify(h) : formatHistory(h)}\n`);
          setExit(EXIT_OK);
          return;
        }
        const s = await summarizeRecording(a.file, toReadOptions(a));
        process.stdout.write(`${a.json ? JSON.stringify(s) : formatSummary(s)}\n`);
        const damage = damageText(s.damage);
        if (damage) process.stderr.write(`sentrycam inspect: warning: ${a.file}: ${damage}\n`);
        setExit(EXIT_OK);
      } catch (err) {
        process.stderr.write(`sentrycam inspect: ${(err as Error).message}\n`);
        setExit(EXIT_ERROR);
      }
    },
  };
}
