/** Builds a MonitorSession from the shared command-line options (watch, replay, demo). */
import fs from 'node:fs';
import { MonitorSession } from '../session/monitor-session.js';
import { createPresenter } from './presenter.js';
import { createEngine } from '../engine-thread/engine-factory.js';
import { MetricsExporter } from '../metrics/metrics-exporter.js';
import { parseMetricsAddress } from '../metrics/metrics-server.js';
import { severityOf, toAuditOptions, toReceiveLimits, type AuditArgs, type EngineArgs, type LimitArgs, type OutputArgs } from './common-options.js';

/** What differs between the commands. */
export interface SessionPlace {
  /** Recording folder, if any. */
  readonly recordDir?: string;
  /** --record-max, bytes. */
  readonly recordMax?: number;
  readonly exitOnEnd: boolean;
  /** Live input checks producers for silence; a replay does not. */
  readonly watchSilence: boolean;
  /** --metrics-listen HOST:PORT: serve Prometheus/OpenMetrics there. */
  readonly metricsListen?: string;
}

/**
 * Opens the metrics endpoint (if asked), the presenter (dashboard or lines) and the session; q on
 * the dashboard stops it. Throws, before the terminal is taken, when the metrics address cannot be bound.
 */
export async function openSession(a: OutputArgs & EngineArgs & AuditArgs & LimitArgs, place: SessionPlace): Promise<MonitorSession> {
  let session: MonitorSession | undefined;
  const metrics = place.metricsListen === undefined ? undefined : await startMetrics(place.metricsListen, () => session);
  const presenter = await createPresenter(a, () => void session?.stop());
  session = new MonitorSession({
    presenter,
    consumers: metrics ? [metrics] : [],
    startNotices: metrics ? metricsNotices(place.metricsListen!, metrics.url) : [],
    recordDir: place.recordDir,
    recordMax: place.recordMax,
    engine: a.engine ? createEngine({ seed: a.seed, budgetMs: a['budget-ms'], reproducible: a.reproducible, maxHeapMb: a['engine-heap-mb'] }) : undefined,
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

async function startMetrics(listen: string, session: () => MonitorSession | undefined): Promise<MetricsExporter> {
  const address = parseMetricsAddress(listen);
  try {
    return await MetricsExporter.start({
      address,
      session: { stats: () => session()?.pipeline.stats, recordings: () => session()?.pipeline.recordings ?? new Map() },
    });
  } catch (err) {
    throw new Error(`--metrics-listen ${listen} cannot be used: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use' : (err as Error).message}`);
  }
}

function metricsNotices(listen: string, url: string): { topic: string; message: string }[] {
  const out = [{ topic: 'metrics', message: `serving OpenMetrics at ${url}` }];
  if (!parseMetricsAddress(listen).loopback) out.push({ topic: 'metrics', message: `${listen} is reachable from the network; /metrics has no authentication (run names and metrics are readable by anyone who can connect)` });
  return out;
}

/**
 * Why a recording folder cannot be used (created if missing, then writable), or undefined when it
 * can: checked before anything starts, so a bad --record is a clear exit 2, not a stack trace.
 */
export function recordDirProblem(dir: string): string | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.statSync(dir).isDirectory()) return `--record ${dir} is not a folder`;
    fs.accessSync(dir, fs.constants.W_OK);
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `--record ${dir} cannot be used: ${e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : e.code === 'EACCES' ? 'permission denied' : e.message}`;
  }
}
