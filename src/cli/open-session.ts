/** Builds a MonitorSession from the shared command-line options (watch, replay, demo). */
import { MonitorSession } from '../session/monitor-session.js';
import { createPresenter } from './presenter.js';
import { createEngine } from '../engine-thread/engine-factory.js';
import { severityOf, toAuditOptions, toReceiveLimits, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';

/** What differs between the commands. */
export interface SessionPlace {
  /** Recording folder, if any. */
  readonly recordDir?: string;
  readonly exitOnEnd: boolean;
  /** Live input checks producers for silence; a replay does not. */
  readonly watchSilence: boolean;
}

/** Opens the presenter (dashboard or lines) and the session; q on the dashboard stops it. */
export async function openSession(a: OutputArgs & EngineArgs & AuditArgs & LimitArgs, place: SessionPlace): Promise<MonitorSession> {
  let session: MonitorSession | undefined;
  const presenter = await createPresenter(a, () => void session?.stop());
  session = new MonitorSession({
    presenter,
    recordDir: place.recordDir,
    engine: a.engine ? createEngine({ seed: a.seed, budgetMs: a['budget-ms'], reproducible: a.reproducible }) : undefined,
    audit: toAuditOptions(a),
    silenceS: a['silence-s'],
    limits: toReceiveLimits(a),
    onAlert: a['on-alert'],
    exitOnAlert: severityOf(a['exit-on-alert']),
    exitOnEnd: place.exitOnEnd,
    watchSilence: place.watchSilence,
  });
  return session;
}
