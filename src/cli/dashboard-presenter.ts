/** The dashboard as a session presenter (loaded only on a terminal: blessed is not needed headless). */
import type { Presenter } from './monitor-session.js';
import type { OutputArgs } from './common-options.js';
import { headlessPresenter } from './monitor-session.js';

export function dashboardPresenter(a: OutputArgs, _onQuit: () => void): Presenter {
  // Placeholder until the dashboard lands: text lines.
  return headlessPresenter(a.json, a['alerts-only']);
}
