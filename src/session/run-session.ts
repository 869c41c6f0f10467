/** Runs a session on a frame source until it stops: the one main loop of watch, replay and demo. */
import type { FrameSource } from '../sources/frame-source.js';
import type { MonitorSession } from './monitor-session.js';
import { onStopSignals } from './signals.js';
import { EXIT_ERROR } from '../model/exit-codes.js';

export interface RunOptions {
  /** Command name for error messages ("watch", "replay", ...). */
  readonly command: string;
  /** Stop the session once the source has nothing more to give (a headless replay). */
  readonly stopWhenDrained: boolean;
  /**
   * Hold the source after each frame that completes an epoch until the engine has reported it:
   * a recording replayed this way has every epoch projected, in order, none skipped.
   */
  readonly paceToEngine: boolean;
}

/** @returns the session's exit code. */
export async function runSession(session: MonitorSession, source: FrameSource, opts: RunOptions): Promise<number> {
  // Signal handlers first: a script may stop us the moment it reads the listening event.
  const off = onStopSignals(() => void session.stop());
  let drained: Promise<void>;
  try {
    drained = source.open((frame, at) => {
      if (session.stopped) return;
      const before = session.pipeline.stats.epochs;
      session.receive(frame, at);
      if (opts.paceToEngine && session.pipeline.stats.epochs > before) return session.pipeline.whenIdle();
    });
  } catch (err) {
    off();
    await session.stop(EXIT_ERROR);
    process.stderr.write(`sentrycam ${opts.command}: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
  session.pipeline.announce(source.name);
  for (const n of source.notices ?? []) session.notice('warning', 'listen', n);
  drained.then(
    () => {
      if (opts.stopWhenDrained) void session.stop();
    },
    (err: Error) => {
      if (session.stopped) return;
      process.stderr.write(`sentrycam ${opts.command}: ${err.message}\n`);
      void session.stop(EXIT_ERROR);
    },
  );
  const code = await session.done;
  off();
  source.close();
  return code;
}
