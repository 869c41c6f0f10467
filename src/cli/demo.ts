/**
 * `sentrycam demo` (= `npm start`): a real training run streaming into the monitor. A child process
 * trains a small MLP on MNIST with tfjs and sends through a real socket to this process's pipeline.
 */
import os from 'node:os';
import path from 'node:path';
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { DemoSource } from '../demo/demo-source.js';
import { runSession } from '../session/run-session.js';
import { openSession, recordDirProblem } from './open-session.js';
import { auditOptions, engineOptions, isHeadless, limitOptions, outputOptions, recordMaxOption, type RecordMaxArgs, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';
import { EXIT_USAGE } from '../model/exit-codes.js';

interface DemoArgs extends OutputArgs, EngineArgs, AuditArgs, LimitArgs, RecordMaxArgs {
  epochs: number;
  unstable: boolean;
  continual: boolean;
  joint: boolean;
  listen?: string;
  record?: string;
}

const DEMO_EXAMPLES = [
  ['sentrycam demo', '30 epochs of MNIST on the dashboard'],
  ['sentrycam demo --unstable --epochs 20', 'a run that breaks, to see the alerts'],
  ['sentrycam demo --json --record demo-runs', 'headless, recorded'],
] as const;

export function demoCommand(setExit: (code: number) => void): CommandModule<object, DemoArgs> {
  return {
    command: 'demo',
    describe: 'Real training (a tfjs MLP on MNIST digits) streaming into the monitor',
    builder: (y: Argv) =>
      helpLayout(
        recordMaxOption(limitOptions(auditOptions(engineOptions(outputOptions(y)))))
          .option('epochs', { type: 'number', default: 30, describe: 'Training epochs' })
          .option('unstable', { type: 'boolean', default: false, describe: 'Ramp the learning rate up part-way so that training breaks (the alert demo)' })
          .option('continual', { type: 'boolean', default: false, describe: 'Continual learning: digits 0-4 (task 0) for half the epochs, then 5-9 (task 1); tasks tagged, forgetting alert on' })
          .option('joint', { type: 'boolean', default: false, describe: 'With --continual: train task 1 on all ten digits (the control that does not forget)' })
          .option('listen', { type: 'string', describe: 'Address the monitor binds and the trainer connects to (default: a private ipc:// socket)' })
          .option('record', { type: 'string', describe: 'Also record the run into this folder' }),
        DEMO_EXAMPLES,
      ) as unknown as Argv<DemoArgs>,
    handler: async (a) => setExit(await demo(a)),
  };
}

async function demo(a: DemoArgs): Promise<number> {
  if (!Number.isInteger(a.epochs) || a.epochs < 1) {
    process.stderr.write(`sentrycam demo: --epochs must be an integer >= 1, got ${a.epochs}\n`);
    return EXIT_USAGE;
  }
  if (a.joint && !a.continual) {
    process.stderr.write('sentrycam demo: --joint goes with --continual\n');
    return EXIT_USAGE;
  }
  if (a.continual && a.unstable) {
    process.stderr.write('sentrycam demo: --continual and --unstable do not go together\n');
    return EXIT_USAGE;
  }
  if (a.continual && a.epochs < 2) {
    process.stderr.write(`sentrycam demo: --continual needs --epochs >= 2 (two tasks), got ${a.epochs}\n`);
    return EXIT_USAGE;
  }
  // The continual demo is there to show forgetting: it turns the (opt-in) alert on.
  const alertForgetting = a.continual || a['alert-forgetting'];
  // A private socket by default: the demo never collides with a real `watch` on port 5555.
  const listen = a.listen ?? `ipc://${path.join(os.tmpdir(), `sentrycam-demo-${process.pid}.sock`)}`;
  const headless = isHeadless(a);
  // Headless, the demo ends with the run; on the dashboard it stays up for browsing until q.
  const recordDir = a.record === undefined ? undefined : path.resolve(a.record);
  const problem = recordDir === undefined ? undefined : recordDirProblem(recordDir);
  if (problem) {
    process.stderr.write(`sentrycam demo: ${problem}\n`);
    return EXIT_USAGE;
  }
  const session = await openSession({ ...a, 'alert-forgetting': alertForgetting }, { recordDir, recordMax: a['record-max'], exitOnEnd: headless, watchSilence: true });
  const continual = a.continual ? (a.joint ? 'joint' : 'split') : undefined;
  const source = new DemoSource({ epochs: a.epochs, seed: a.seed, unstable: a.unstable, continual, address: listen, quiet: true }, (err) =>
    process.stderr.write(`sentrycam demo: socket: ${err.message}\n`),
  );
  return runSession(session, source, { command: 'demo', stopWhenDrained: false, paceToEngine: false });
}
