/** `sentrycam replay FILE`: feed a recording through the same session as live input. */
import type { Argv, CommandModule } from 'yargs';
import { RecordingSource } from '../sources/recording-source.js';
import { damageText } from '../sources/recording-damage.js';
import { parseSize } from './parse-size.js';
import { runSession } from '../session/run-session.js';
import { openSession } from './open-session.js';
import { auditOptions, engineOptions, isHeadless, limitOptions, outputOptions, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_USAGE } from '../model/exit-codes.js';

interface ReplayArgs extends OutputArgs, EngineArgs, AuditArgs, LimitArgs {
  file: string;
  speed?: number;
  'max-frame': number;
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
        })
        .option('max-frame', { type: 'string', default: '256M', describe: 'Largest frame read (bytes; K/M/G suffixes); larger entries are skipped and reported', coerce: parseSize }) as unknown as Argv<ReplayArgs>,
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
    source = await RecordingSource.open(a.file, { speed, maxFrameBytes: a['max-frame'] });
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  const session = await openSession(a, { exitOnEnd: false, watchSilence: false });
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
