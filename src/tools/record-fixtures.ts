/**
 * Record demo training runs straight to recording files (.scamrec, optionally gzipped), without a
 * monitor: the frames are exactly those the trainer would send, appended verbatim by the
 * monitor's own Recorder, so `sentrycam replay` / `inspect` / `eval` read them like live recordings.
 *
 *   node --import tsx src/tools/record-fixtures.ts --out fixtures/runs [--seeds 1,2,3]
 *        [--variants stable,unstable] [--epochs 30] [--gzip] [--ramp-from N] [--ramp-factor X]
 *        [--suffix TEXT (appended to run names)]
 *
 * Runs one after another in this process (about a minute per 30-epoch run on this machine).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { initTf } from '../tf/backend.js';
import { Recorder } from '../record/recorder.js';
import { batchFrame, endFrame, epochEndFrame, helloFrame, metricsFrame, type FrameIdentity } from '../producer/frame-builders.js';
import type { BatchArgs, EpochEndArgs, HelloArgs, MetricsArgs } from '../producer/producer.js';
import { trainAndStream, type FrameSink } from '../demo/train-run.js';
import { trainerOptions } from '../demo/run-demo.js';
import { defaultRunName } from '../demo/trainer-options.js';

/** A FrameSink that numbers frames like a Producer and appends them to a Recorder. */
export class RecordingSink implements FrameSink {
  private seq = 0;
  constructor(
    private readonly recorder: Recorder,
    readonly run: string,
    readonly producer = '0',
  ) {}

  hello(a: HelloArgs): void {
    this.append(helloFrame(this.id(), a));
  }
  batch(a: BatchArgs): void {
    this.append(batchFrame(this.id(), a));
  }
  metrics(a: MetricsArgs): void {
    this.append(metricsFrame(this.id(), a));
  }
  epochEnd(a: EpochEndArgs): void {
    this.append(epochEndFrame(this.id(), a));
    void this.recorder.sync(this.run);
  }
  end(): void {
    this.append(endFrame(this.id()));
  }

  private id(): FrameIdentity {
    return { run: this.run, producer: this.producer, seq: this.seq };
  }

  private append(frame: Buffer): void {
    this.seq++;
    this.recorder.append(this.run, frame, Date.now());
  }
}

/** What to record. */
export interface RecordOptions {
  readonly seed: number;
  readonly unstable: boolean;
  readonly epochs: number;
  /** Compress to .scamrec.gz (the reader accepts both). */
  readonly gzip: boolean;
  /** Override the unstable ramp (defaults: lr-schedule.ts). */
  readonly rampFrom?: number;
  readonly rampFactor?: number;
  /** Default: the demo's run name. */
  readonly run?: string;
}

/** Train one demo run and record it into `dir`; resolves with the file written. */
export async function recordRun(dir: string, opts: RecordOptions, onLine: (line: string) => void = () => {}): Promise<string> {
  const { tf } = await initTf();
  const trainer = trainerOptions({ epochs: opts.epochs, seed: opts.seed, unstable: opts.unstable, rampFrom: opts.rampFrom, rampFactor: opts.rampFactor, run: opts.run });
  let failure: Error | undefined;
  const recorder = new Recorder(dir, (err) => (failure ??= err));
  await trainAndStream(tf, trainer, new RecordingSink(recorder, trainer.run), (r) =>
    onLine(`${trainer.run} epoch ${r.epoch} lr=${r.lr.toPrecision(3)} val_loss=${r.valLoss.toFixed(4)} val_acc=${r.valAcc.toFixed(4)} ${r.seconds.toFixed(2)}s`),
  );
  await recorder.close();
  if (failure) throw failure;
  const file = recorder.paths.get(trainer.run);
  if (!file) throw new Error(`record-fixtures: nothing was recorded for ${trainer.run}`);
  if (!opts.gzip) return file;
  const gz = `${file}.gz`;
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
  fs.unlinkSync(file);
  return gz;
}

function parseList(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${name} must list at least one value`);
  return items;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string' },
      seeds: { type: 'string', default: '1' },
      variants: { type: 'string', default: 'stable,unstable' },
      epochs: { type: 'string', default: '30' },
      gzip: { type: 'boolean', default: false },
      'ramp-from': { type: 'string' },
      'ramp-factor': { type: 'string' },
      suffix: { type: 'string', default: '' },
    },
  });
  if (!values.out) throw new Error('record-fixtures: --out DIR is required');
  const seeds = parseList('seeds', values.seeds!).map((s) => {
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--seeds: '${s}' is not an integer >= 0`);
    return v;
  });
  const variants = parseList('variants', values.variants!);
  for (const v of variants) if (v !== 'stable' && v !== 'unstable') throw new Error(`--variants: '${v}' is neither 'stable' nor 'unstable'`);
  const epochs = Number(values.epochs);
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new Error(`--epochs must be an integer >= 1, got '${values.epochs}'`);
  const rampFrom = values['ramp-from'] === undefined ? undefined : Number(values['ramp-from']);
  const rampFactor = values['ramp-factor'] === undefined ? undefined : Number(values['ramp-factor']);
  if (rampFrom !== undefined && !(Number.isSafeInteger(rampFrom) && rampFrom >= 0)) throw new Error(`--ramp-from must be an integer >= 0, got '${values['ramp-from']}'`);
  if (rampFactor !== undefined && !(rampFactor > 1 && Number.isFinite(rampFactor))) throw new Error(`--ramp-factor must be a number > 1, got '${values['ramp-factor']}'`);
  for (const seed of seeds) {
    for (const variant of variants) {
      const unstable = variant === 'unstable';
      // --suffix tells experimental recordings apart from the standard ones.
      const run = values.suffix ? `${defaultRunName(seed, unstable)}${values.suffix}` : undefined;
      const file = await recordRun(values.out, { seed, unstable, epochs, gzip: values.gzip!, rampFrom, rampFactor, run }, (l) => process.stdout.write(`${l}\n`));
      process.stdout.write(`wrote ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)\n`);
    }
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
