/** `sentrycam replay FILE`: feed a recording through the same pipeline as live input. */
import type { Argv, CommandModule } from 'yargs';
import { readRecording, type Recording } from '../record/reader.js';
import { openSession } from './open-session.js';
import type { MonitorSession } from '../session/monitor-session.js';
import { auditOptions, engineOptions, isHeadless, outputOptions, type AuditArgs, type EngineArgs, type OutputArgs } from './common-options.js';
import { EXIT_ERROR, EXIT_USAGE } from './exit-codes.js';
import { onStopSignals } from './signals.js';

interface ReplayArgs extends OutputArgs, EngineArgs, AuditArgs {
  file: string;
  speed?: number;
}

export function replayCommand(setExit: (code: number) => void): CommandModule<object, ReplayArgs> {
  return {
    command: 'replay <file>',
    describe: 'Replay a recording (.scamrec) as if it were live',
    builder: (y: Argv) =>
      auditOptions(engineOptions(outputOptions(y)))
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
  let recording: Recording;
  try {
    recording = readRecording(a.file);
  } catch (err) {
    process.stderr.write(`sentrycam replay: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  if (recording.truncatedBytes > 0) {
    process.stderr.write(`sentrycam replay: ${a.file}: the last ${recording.truncatedBytes} bytes are a cut-off frame (the recorder stopped mid-write); replaying the ${recording.frames.length} whole frames\n`);
  }
  const headless = isHeadless(a);
  const speed = a.speed ?? (headless ? 0 : 1);
  const s = await openSession(a, { exitOnEnd: false, watchSilence: false });
  const off = onStopSignals(() => void s.stop());
  s.pipeline.announce(a.file);
  await feed(s, recording, speed);
  // Headless replays end with the file; the dashboard stays up for browsing until q.
  if (headless) void s.stop();
  const code = await s.done;
  off();
  return code;
}

async function feed(s: MonitorSession, recording: Recording, speed: number): Promise<void> {
  const t0 = recording.frames[0]?.time ?? 0;
  const start = Date.now();
  for (const { frame, time } of recording.frames) {
    if (s.stopped) return;
    if (speed > 0) {
      const due = start + (time - t0) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } else {
      // Let the dashboard and the engine's messages in between frames.
      await new Promise((r) => setImmediate(r));
    }
    const epochsBefore = s.pipeline.stats.epochs;
    s.receive(frame, time);
    // As fast as possible means every epoch projected, in order: wait for the engine instead of skipping.
    if (speed === 0 && s.pipeline.stats.epochs > epochsBefore) await s.pipeline.whenIdle();
  }
}
