/** `sentrycam replay FILE`: feed a recording through the same session as live input. */
import { helpLayout } from './help-groups.js';
import type { Argv, CommandModule } from 'yargs';
import { RecordingSource } from '../sources/recording-source.js';
import { damageText } from '../sources/recording-damage.js';
import { runSession } from '../session/run-session.js';
import { openSession } from './open-session.js';
import { auditOptions, engineOptions, isHeadless, outputOptions, readOptions, type AuditArgs, type EngineArgs, type OutputArgs, type ReadArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_USAGE } from '../model/exit-codes.js';
import { FollowSource } from '../sources/follow-source.js';
import { metricsOptions, type MetricsArgs } from './metrics-options.js';

interface ReplayArgs extends OutputArgs, EngineArgs, AuditArgs, ReadArgs, MetricsArgs {
  file: string;
  speed?: number;
  follow: boolean;
}

const REPLAY_EXAMPLES = [
  ['sentrycam replay sentrycam-runs/RUN.scamrec', 'browse a recorded run on the dashboard'],
  ['sentrycam replay --json RUN.scamrec.gz', 'every event of a run, as fast as the engine goes'],
  ['sentrycam replay --follow sentrycam-runs/RUN.scamrec', 'follow a recording still being written (tail -f)'],
] as const;

export function replayCommand(setExit: (code: number) => void): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <file>',
    describe: 'Replay a recording (.scamrec) as if it were live',
    builder: (y: Argv) =>
      helpLayout(
        metricsOptions(readOptions(auditOptions(engineOptions(outputOptions(y)))))
          .option('follow', {
            type: 'boolean',
            default: false,
            describe: 'Follow a recording still being written (as tail -f): every epoch as it is appended; stops on q, a signal, or --exit-on-end',
          })
          .positional('file', { type: 'string', demandOption: true, describe: 'Recording to replay' })
          .option('speed', {
            type: 'number',
            describe: 'Times faster than recorded; 0 = as fast as possible, projecting every epoch (default: 1 on the dashboard, 0 headless)',
          }),
        REPLAY_EXAMPLES,
      ) as unknown as Argv<ReplayArgs>,
    handler: async (a) => setExit(await replay(a)),
  };
}

/**
 * Whether a replay waits for the engine after each completed epoch: always on the dashboard (every
 * epoch gets a layout to travel to), headless only as fast as possible (--speed 0).
 */
export function replayPacesToEngine(headless: boolean, speed: number): boolean {
  return speed === 0 || !headless;
}

async function replay(a: ReplayArgs): Promise<number> {
  if (a.follow) return follow(a);
  if (a.speed !== undefined && !(a.speed >= 0)) {
    process.stderr.write(`sentrycam replay: --speed must be a number >= 0, got ${a.speed}\n`);
    return EXIT_USAGE;
  }
  let source: RecordingSource;
  const headless = isHeadless(a);
  const speed = a.speed ?? (headless ? 0 : 1);
  try {
    source = await RecordingSource.open(a.file, { speed, maxFrameBytes: a['max-frame'] });
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  let session;
  try {
    session = await openSession(a, { exitOnEnd: false, watchSilence: false, metricsListen: a['metrics-listen'] });
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  // Headless replays end with the file; the dashboard stays up for browsing until q.
  // As fast as possible (speed 0) means every epoch projected, in order: the file waits for the engine.
  // On the dashboard the file also waits for the engine at any speed, so that every epoch gets a
  // layout to travel to (issue 14: at --speed 1 only the first and last of 30 did); headless
  // --speed N keeps the recorded clock and may skip epochs, as before.
  const paceToEngine = replayPacesToEngine(headless, speed);
  const code = await runSession(session, source, { command: 'replay', stopWhenDrained: headless, paceToEngine });
  // The file is streamed, so what it held is known at its end; said once the screen is back.
  const report = source.report();
  if (report.truncatedBytes > 0) {
    process.stderr.write(`sentrycam replay: ${a.file}: the last ${report.truncatedBytes} bytes are a cut-off frame (the recorder stopped mid-write); replayed the ${report.frames} whole frames\n`);
  }
  const damage = damageText(report.damage);
  if (damage) process.stderr.write(`sentrycam replay: warning: ${a.file}: ${damage}\n`);
  return code;
}

/**
 * `replay --follow`: the file as it grows. Every epoch is projected, in order (the file waits for
 * the engine, it cannot overflow); the recorded receive times are the frames' times.
 */
async function follow(a: ReplayArgs): Promise<number> {
  if (a.speed !== undefined) {
    process.stderr.write('sentrycam replay: --speed does not apply to --follow (frames come as they are written)\n');
    return EXIT_USAGE;
  }
  let source: FollowSource;
  try {
    source = new FollowSource(a.file);
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  let session;
  try {
    session = await openSession(a, { exitOnEnd: a['exit-on-end'], watchSilence: false, metricsListen: a['metrics-listen'] });
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  return runSession(session, source, { command: 'replay', stopWhenDrained: true, paceToEngine: true });
}
