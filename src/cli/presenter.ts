/** Chooses how a session shows events: the dashboard on a terminal, lines otherwise. */
import type { Presenter } from '../session/monitor-session.js';
import { headlessPresenter } from '../headless/headless-presenter.js';
import { colorAllowed, isHeadless, type OutputArgs } from './common-options.js';
import { textColor } from '../util/color-env.js';

export async function createPresenter(a: OutputArgs, onQuit: () => void): Promise<Presenter> {
  const color = colorAllowed(a);
  if (isHeadless(a)) return headlessPresenter({ json: a.json, alertsOnly: a['alerts-only'], color: !a.json && textColor(process.env, process.stdout.isTTY === true, color) }, onQuit);
  const { dashboardPresenter } = await import('../ui/dashboard-presenter.js');
  return dashboardPresenter({ ascii: a.ascii, fps: a.fps, color }, onQuit);
}
