/** Command-line options of the demo trainer child (src/demo/train-child.ts), and their inverse. */
import { parseArgs } from 'node:util';
import { DEFAULT_SCHEDULE } from './lr-schedule.js';

/** What the trainer does. */
export interface TrainerOptions {
  readonly epochs: number;
  readonly seed: number;
  /** Apply the learning-rate ramp that breaks training part-way. */
  readonly unstable: boolean;
  /** Where the monitor listens. */
  readonly address: string;
  readonly run: string;
  /** First epoch of the unstable ramp. */
  readonly rampFrom: number;
  /** Learning-rate growth per epoch during the ramp. */
  readonly rampFactor: number;
  /** Print one line per epoch on stdout. */
  readonly quiet: boolean;
  /**
   * Continual learning (split MNIST): digits 0-4 (task 0) for the first half of the epochs, then
   * 5-9 (task 1, 'split': the forgetting run) or all ten ('joint': the control that rehearses
   * task 0); samples are tagged with their task (protocol 1.1). Undefined: the plain demo.
   */
  readonly continual?: ContinualMode;
}

/** How the second task is trained in the continual demo. */
export type ContinualMode = 'split' | 'joint';

export const DEFAULT_TRAINER_ADDRESS = 'tcp://127.0.0.1:5555';

/** The run name used when none is given: tells seed and stability apart in the monitor. */
export function defaultRunName(seed: number, unstable: boolean, continual?: ContinualMode): string {
  if (continual) return `demo-continual${continual === 'joint' ? '-joint' : ''}-s${seed}`;
  return `demo-mnist${unstable ? '-unstable' : ''}-s${seed}`;
}

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

/** Parse the trainer's argv (without node and script). Throws with a message naming a bad option. */
export function parseTrainerArgs(argv: readonly string[]): TrainerOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string' },
        seed: { type: 'string' },
        unstable: { type: 'boolean' },
        address: { type: 'string' },
        run: { type: 'string' },
        'ramp-from': { type: 'string' },
        'ramp-factor': { type: 'string' },
        quiet: { type: 'boolean' },
        continual: { type: 'string' },
      },
    });
  } catch (err) {
    throw new Error(`train-child: ${(err as Error).message}`);
  }
  const v = parsed.values;
  const seed = intOption('seed', v.seed, 1, 0);
  const unstable = v.unstable ?? false;
  const continual = v.continual;
  if (continual !== undefined && continual !== 'split' && continual !== 'joint') throw new Error(`--continual must be split or joint, got '${continual}'`);
  const rampFactor = v['ramp-factor'] === undefined ? DEFAULT_SCHEDULE.rampFactor : Number(v['ramp-factor']);
  if (!(rampFactor > 1) || !Number.isFinite(rampFactor)) throw new Error(`--ramp-factor must be a number > 1, got '${v['ramp-factor']}'`);
  return {
    epochs: intOption('epochs', v.epochs, 30, 1),
    seed,
    unstable,
    address: v.address ?? DEFAULT_TRAINER_ADDRESS,
    run: v.run ?? defaultRunName(seed, unstable, continual),
    rampFrom: intOption('ramp-from', v['ramp-from'], DEFAULT_SCHEDULE.rampFrom, 0),
    rampFactor,
    quiet: v.quiet ?? false,
    ...(continual ? { continual } : {}),
  };
}

/** The argv that `parseTrainerArgs` reads back as `opts` (only what differs from the defaults is needed, but all is written). */
export function trainerArgv(opts: TrainerOptions): string[] {
  const argv = ['--epochs', String(opts.epochs), '--seed', String(opts.seed), '--address', opts.address, '--run', opts.run];
  argv.push('--ramp-from', String(opts.rampFrom), '--ramp-factor', String(opts.rampFactor));
  if (opts.unstable) argv.push('--unstable');
  if (opts.quiet) argv.push('--quiet');
  if (opts.continual) argv.push('--continual', opts.continual);
  return argv;
}
