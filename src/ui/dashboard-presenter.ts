/** The dashboard as a session presenter (loaded only on a terminal: blessed is not needed headless). */
import type { Presenter } from '../session/monitor-session.js';
import { Dashboard } from './dashboard.js';
import { peekRun } from '../protocol/peek-run.js';

/** What the command line decides about the dashboard. */
export interface DashboardChoice {
  /** ASCII dots instead of braille. */
  readonly ascii: boolean;
  /** Redraws per second at most. */
  readonly fps: number;
  /** false: no colour at all (--no-color, --monochrome). */
  readonly color: boolean;
}

export function dashboardPresenter(a: DashboardChoice, onQuit: () => void): Presenter {
  const dashboard = new Dashboard({ ascii: a.ascii ? true : undefined, fps: a.fps, colors: a.color ? undefined : 0 });
  dashboard.onQuit(onQuit);
  if (dashboard.fallbackReason) process.stderr.write(`sentrycam: ${dashboard.fallbackReason}\n`);
  return {
    sink: (e) => dashboard.handle(e),
    noteFrame: (frame) => dashboard.noteFrames(1, peekRun(frame)),
    noteEpochSet: (set) => dashboard.noteEpochSet(set),
    close: () => dashboard.close(),
  };
}
