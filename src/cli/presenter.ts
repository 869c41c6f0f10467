/** Chooses how a session shows events: the dashboard on a terminal, lines otherwise. */
import type { Presenter } from '../session/monitor-session.js';
import { headlessPresenter } from '../headless/headless-presenter.js';
import { isHeadless, type OutputArgs } from './common-options.js';

export async function createPresenter(a: OutputArgs, onQuit: () => void): Promise<Presenter> {
  if (isHeadless(a)) return headlessPresenter(a.json, a['alerts-only'], onQuit);
  const { dashboardPresenter } = await import('../ui/dashboard-presenter.js');
  return dashboardPresenter(a, onQuit);
}
