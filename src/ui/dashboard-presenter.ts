/** The dashboard as a session presenter (loaded only on a terminal: blessed is not needed headless). */
import type { Presenter } from '../session/monitor-session.js';
import type { OutputArgs } from '../cli/common-options.js';
import { Dashboard } from './dashboard.js';

export function dashboardPresenter(a: OutputArgs, onQuit: () => void): Presenter {
  const dashboard = new Dashboard({ ascii: a.ascii ? true : undefined, fps: a.fps });
  dashboard.onQuit(onQuit);
  if (dashboard.fallbackReason) process.stderr.write(`sentrycam: ${dashboard.fallbackReason}\n`);
  return {
    sink: (e) => dashboard.handle(e),
    noteFrame: () => dashboard.noteFrames(1),
    close: () => dashboard.close(),
  };
}
