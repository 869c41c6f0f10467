/** `sentrycam replay FILE`: feed a recording through the same session as live input. */
import type { Argv, CommandModule } from 'yargs';
import { RecordingSource } from '../sources/recording-source.js';
import { runSession } from '../session/run-session.js';
import { openSession } from './open-session.js';
import { auditOptions, engineOptions, isHeadless, limitOptions, outputOptions, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_USAGE } from '../model/exit-codes.js';

interface ReplayArgs extends OutputArgs, EngineArgs, AuditArgs, LimitArgs {
  file: string;
  speed?: number;
}

export function replayCommand(setExit: (code: number) => void): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <file>',
    describe: 'Replay a recording (.scamrec) as if it were live',
    builder: (y: Argv) =>
      limitOptions(auditOptions(engineOptions(outputOptions(y))))
        .positional('file', { type: 'string', demandOption: true, describe: 'Recording to replay' })
        .option('speed', {
          type: 'number',
          describe: 'Times faster than recorded; 0 = as fast as possible, projecting every epoch (default: 1 on the dashboard, 0 headless)',
        }) as unknown as Argv<ReplayArgs>,
    handler: async (a) => setExit(await replay(a)),
  };
}

async function replay(a: ReplayArgs): Promise<number> {
  if (a.speed !== undefined && !(a.speed >= 0)) {
    process.stderr.write(`sentrycam replay: --speed must be a number >= 0, got ${a.speed}\n`);
    return EXIT_USAGE;
  }
  let source: RecordingSource;
  const headless = isHeadless(a);
  const speed = a.speed ?? (headless ? 0 : 1);
  try {
    source = new RecordingSource(a.file, { speed });
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  const { recording } = source;
  if (recording.truncatedBytes > 0) {
    process.stderr.write(`sentrycam replay: ${a.file}: the last ${recording.truncatedBytes} bytes are a cut-off frame (the recorder stopped mid-write); replaying the ${recording.frames.length} whole frames\n`);
  }
  const session = await openSession(a, { exitOnEnd: false, watchSilence: false });
  // Headless replays end with the file; the dashboard stays up for browsing until q.
  // As fast as possible (speed 0) means every epoch projected, in order: the file waits for the engine.
  return runSession(session, source, { command: 'replay', stopWhenDrained: headless, paceToEngine: speed === 0 });
}
