/**
 * `sentrycam demo`: a real training run streaming into the monitor. This file starts the trainer
 * child process; the CLI command pairs it with a listening pipeline.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCHEDULE } from './lr-schedule.js';
import { DEFAULT_TRAINER_ADDRESS, defaultRunName, trainerArgv, type ContinualMode, type TrainerOptions } from './trainer-options.js';
import { runsFromSource, siblingModule } from '../util/own-module.js';

/** Options of the demo (all optional). */
export interface DemoOptions {
  /** Default 30. */
  readonly epochs?: number;
  /** Default 1. */
  readonly seed?: number;
  /** The learning-rate ramp that breaks training part-way. */
  readonly unstable?: boolean;
  /** Where the monitor listens. Default tcp://127.0.0.1:5555. */
  readonly address?: string;
  /** Default: demo-mnist[-unstable]-s<seed>. */
  readonly run?: string;
  /** First epoch of the unstable ramp and its growth per epoch (defaults: DEFAULT_SCHEDULE). */
  readonly rampFrom?: number;
  readonly rampFactor?: number;
  /** Split-MNIST continual learning ('split'), or its joint-training control ('joint'). */
  readonly continual?: ContinualMode;
  /** Suppress the child's per-epoch lines. */
  readonly quiet?: boolean;
  /** The child's stdio. Default ['ignore', 'pipe', 'pipe'] (a dashboard owns the terminal). */
  readonly stdio?: StdioOptions;
}

/** Fill in the defaults. */
export function trainerOptions(opts: DemoOptions = {}): TrainerOptions {
  const seed = opts.seed ?? 1;
  const unstable = opts.unstable ?? false;
  return {
    epochs: opts.epochs ?? 30,
    seed,
    unstable,
    address: opts.address ?? DEFAULT_TRAINER_ADDRESS,
    run: opts.run ?? defaultRunName(seed, unstable, opts.continual),
    rampFrom: opts.rampFrom ?? DEFAULT_SCHEDULE.rampFrom,
    rampFactor: opts.rampFactor ?? DEFAULT_SCHEDULE.rampFactor,
    quiet: opts.quiet ?? false,
    ...(opts.continual ? { continual: opts.continual } : {}),
  };
}

/** The trainer's entry file: train-child.ts from source, train-child.js compiled. */
export const TRAINER_SCRIPT = fileURLToPath(siblingModule(import.meta.url, 'train-child'));

/**
 * Start the trainer child: `node train-child.js ...`, or from source `node --import <tsx>
 * train-child.ts ...` (tsx resolved from this package, an absolute URL, so the child works whatever
 * the current folder is; tsx is a development dependency, needed only then).
 */
export function spawnTrainer(opts: DemoOptions = {}): ChildProcess {
  const loader = runsFromSource(import.meta.url) ? ['--import', import.meta.resolve('tsx')] : [];
  const args = [...loader, TRAINER_SCRIPT, ...trainerArgv(trainerOptions(opts))];
  return spawn(process.execPath, args, { stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
}

/** Resolve with the child's exit code (128 + signal number when a signal ended it). */
export function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15)));
  });
}
