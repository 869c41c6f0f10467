/** Chooses how a session shows events: the dashboard on a terminal, lines otherwise. */
import { headlessPresenter, type Presenter } from './monitor-session.js';
import { isHeadless, type OutputArgs } from './common-options.js';

export async function createPresenter(a: OutputArgs, onQuit: () => void): Promise<Presenter> {
  if (isHeadless(a)) return headlessPresenter(a.json, a['alerts-only'], onQuit);
  const { dashboardPresenter } = await import('./dashboard-presenter.js');
  return dashboardPresenter(a, onQuit);
}
