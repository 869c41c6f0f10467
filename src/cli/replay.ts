/** `sentrycam replay FILE`: feed a recording through the same session as live input. */
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

export function replayCommand(setExit: (code: number) => void): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <file>',
    describe: 'Replay a recording (.scamrec) as if it were live',
    builder: (y: Argv) =>
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
        }) as unknown as Argv<ReplayArgs>,
    handler: async (a) => setExit(await replay(a)),
  };
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
  const code = await runSession(session, source, { command: 'replay', stopWhenDrained: headless, paceToEngine: speed === 0 });
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
