/** `sentrycam inspect FILE`: what a recording holds, without projecting it. */
import type { Argv, CommandModule } from 'yargs';
import { RecordingSource } from '../sources/recording-source.js';
import { Pipeline } from '../session/pipeline.js';
import type { Event } from '../model/events.js';
import { EXIT_ERROR, EXIT_OK } from '../model/exit-codes.js';

interface InspectArgs {
  file: string;
  json: boolean;
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
  frames: number;
  rejected: number;
  lost: number;
  truncatedBytes: number;
  runs: RunSummary[];
}

export function summarizeRecording(file: string): RecordingSummary {
  const { recording } = new RecordingSource(file, { speed: 0 });
  const runs = new Map<string, RunSummary>();
  const epochOf = (r: RunSummary, epoch: number) => {
    let e = r.epochs.find((x) => x.epoch === epoch);
    if (!e) {
      e = { epoch, train: 0, test: 0, metrics: {} };
      r.epochs.push(e);
    }
    return e;
  };
  const sink = (e: Event): void => {
    if (e.event === 'hello') {
      const r = runs.get(e.run) ?? { run: e.run, layer: e.layer, dim: e.dim, producers: [], epochs: [], ended: false };
      if (!r.producers.includes(e.producer)) r.producers.push(e.producer);
      if (e.classes) r.classes = e.classes;
      if (e.model) r.model = e.model;
      runs.set(e.run, r);
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
  const pipeline = new Pipeline({ sink, silenceMs: Infinity });
  for (const { frame, time } of recording.frames) pipeline.receive(frame, time);
  pipeline.flush();
  for (const r of runs.values()) r.epochs.sort((a, b) => a.epoch - b.epoch);
  const s = pipeline.stats;
  return { file, frames: s.frames, rejected: s.rejected, lost: s.lost, truncatedBytes: recording.truncatedBytes, runs: [...runs.values()] };
}

export function formatSummary(s: RecordingSummary): string {
  const lines = [`${s.file}: ${s.frames} frames, ${s.rejected} rejected, ${s.lost} lost${s.truncatedBytes ? `, ${s.truncatedBytes} bytes of a cut-off frame at the end` : ''}`];
  for (const r of s.runs) {
    lines.push('');
    lines.push(`run       ${r.run}${r.ended ? '' : ' (no end frame)'}`);
    lines.push(`layer     ${r.layer}${r.model ? ` of ${r.model}` : ''}`);
    lines.push(`D         ${r.dim}`);
    lines.push(`producers ${r.producers.join(', ')}`);
    lines.push(`classes   ${r.classes ? `${r.classes.length}: ${r.classes.join(', ')}` : '(not named)'}`);
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

export function inspectCommand(setExit: (code: number) => void): CommandModule<object, InspectArgs> {
  return {
    command: 'inspect <file>',
    describe: 'Summarise a recording: run, layer, D, classes, epochs, samples per epoch, metrics',
    builder: (y: Argv) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Recording (.scamrec)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' }) as unknown as Argv<InspectArgs>,
    handler: (a) => {
      try {
        const s = summarizeRecording(a.file);
        process.stdout.write(`${a.json ? JSON.stringify(s) : formatSummary(s)}\n`);
        setExit(EXIT_OK);
      } catch (err) {
        process.stderr.write(`sentrycam inspect: ${(err as Error).message}\n`);
        setExit(EXIT_ERROR);
      }
    },
  };
}
