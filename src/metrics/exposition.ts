/**
 * The metric families served on /metrics (OpenMetrics text, through prom-client). Every value is
 * read from the RunTable when scraped (collect callbacks), so a run evicted from the table takes
 * its series with it and nothing here keeps state of its own. Names and labels are a public
 * contract (docs/integrations.md lists them): extend, never rename.
 */
import client from 'prom-client';
import { VERSION } from '../version.js';
import type { IngestStats } from '../ingest/ingest.js';
import { ALERT_KINDS, ENGINE_STATES, SEVERITIES, type RunRecord, type RunTable } from './run-table.js';

/** What the session can tell at scrape time, beyond the events. */
export interface SessionFacts {
  /** Frame counts of the pipeline (undefined before the session exists). */
  stats(): Readonly<IngestStats> | undefined;
  /** Bytes recorded so far, by run (only runs being recorded). */
  recordedBytes(run: string): number | undefined;
  /** Bytes of every frame received. */
  bytesReceived(): number;
}

/** Label values are capped: model descriptions can be long, and Prometheus stores every label of every sample. */
const MAX_LABEL_CHARS = 128;
const label = (s: string): string => (s.length > MAX_LABEL_CHARS ? `${s.slice(0, MAX_LABEL_CHARS - 1)}…` : s);

type Sample = readonly [labels: Readonly<Record<string, string>>, value: number];

/** A gauge whose samples are recomputed from `read` at every scrape. */
function gauge(register: client.Registry<client.OpenMetricsContentType>, name: string, help: string, labelNames: readonly string[], read: () => Iterable<Sample>): void {
  new client.Gauge({
    name,
    help,
    labelNames,
    registers: [register],
    collect() {
      this.reset();
      for (const [labels, v] of read()) if (Number.isFinite(v)) this.set(labels, v);
    },
  });
}

/** A counter whose totals are read from `read` at every scrape (they only grow while a run is kept). */
function counter(register: client.Registry<client.OpenMetricsContentType>, name: string, help: string, labelNames: readonly string[], read: () => Iterable<Sample>): void {
  new client.Counter({
    name,
    help,
    labelNames,
    registers: [register],
    collect() {
      this.reset();
      for (const [labels, v] of read()) this.inc(labels, v);
    },
  });
}

function* perRun(table: RunTable, f: (r: RunRecord) => Iterable<Sample>): Iterable<Sample> {
  for (const r of table.list()) yield* f(r);
}

/** A registry with every SentryCam family and Node's process metrics. */
export function buildRegistry(table: RunTable, facts: SessionFacts): client.Registry<client.OpenMetricsContentType> {
  const register = new client.Registry<client.OpenMetricsContentType>();
  register.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  client.collectDefaultMetrics({ register });
  const run = (r: RunRecord) => ({ run: label(r.run) });

  gauge(register, 'sentrycam_build_info', 'SentryCam version', ['version'], () => [[{ version: VERSION }, 1]]);
  gauge(register, 'sentrycam_runs', 'Runs the exporter keeps series for', [], () => [[{}, table.list().length]]);
  counter(register, 'sentrycam_runs_evicted', 'Runs dropped with their series (over the run cap, or ended long enough ago)', [], () => [[{}, table.totals.runsEvicted]]);
  counter(register, 'sentrycam_metric_names_dropped', 'Training-metric values refused because their run had too many metric names', [], () => [[{}, table.totals.namesDropped]]);
  counter(register, 'sentrycam_frames_received', 'Frames received (accepted and rejected)', [], () => [[{}, facts.stats()?.frames ?? 0]]);
  counter(register, 'sentrycam_received_bytes', 'Bytes of frames received', [], () => [[{}, facts.bytesReceived()]]);
  counter(register, 'sentrycam_frames_rejected', 'Frames rejected, by reason code', ['code'], () => [...table.totals.rejectedByCode].map(([code, v]) => [{ code }, v] as const));
  counter(register, 'sentrycam_frames_lost', 'Frames missing from producers\' seq numbers', [], () => [[{}, table.totals.lost]]);
  counter(register, 'sentrycam_monitor_alerts', 'Alerts tied to no kept run: the monitor\'s own (e.g. an engine restart) or of an evicted run', ['kind', 'severity'], () =>
    [...table.totals.otherAlerts].map(([key, v]) => {
      const [kind, severity] = key.split(' ');
      return [{ kind: kind!, severity: severity! }, v] as const;
    }),
  );
  counter(register, 'sentrycam_alerts_suppressed', 'Alerts dropped by the monitor\'s rate limit, by kind', ['kind'], () => [...table.totals.alertsSuppressed].map(([kind, v]) => [{ kind }, v] as const));
  counter(register, 'sentrycam_notices', 'Operator notices (on-alert failures, listen warnings, ...)', ['topic', 'level'], () =>
    [...table.totals.notices].map(([key, v]) => {
      const [topic, level] = key.split(' ');
      return [{ topic: topic!, level: level! }, v] as const;
    }),
  );

  gauge(register, 'sentrycam_run_info', 'A run: its watched layer, model and width (value 1)', ['run', 'layer', 'model'], () =>
    perRun(table, (r) => [[{ ...run(r), layer: label(r.layer), model: label(r.model) }, 1]]),
  );
  gauge(register, 'sentrycam_run_dim', 'Width D of the watched layer', ['run'], () => perRun(table, (r) => [[run(r), r.dim]]));
  gauge(register, 'sentrycam_run_ended', '1 once the run sent end', ['run'], () => perRun(table, (r) => [[run(r), r.ended ? 1 : 0]]));
  gauge(register, 'sentrycam_run_last_event_timestamp_seconds', 'When the run last did anything (for stalled-run alerts)', ['run'], () =>
    perRun(table, (r) => [[run(r), r.lastEventAt / 1000]]),
  );
  gauge(register, 'sentrycam_epoch', 'Latest epoch reported', ['run'], () => perRun(table, (r) => (r.epoch >= 0 ? [[run(r), r.epoch]] : [])));
  gauge(register, 'sentrycam_projected_epoch', 'Latest epoch the engine projected', ['run'], () =>
    perRun(table, (r) => (r.projectedEpoch >= 0 ? [[run(r), r.projectedEpoch]] : [])),
  );
  counter(register, 'sentrycam_epochs', 'Epochs reported, by engine state (projected, skipped: a newer epoch overtook it, off, failed)', ['run', 'engine'], () =>
    perRun(table, (r) => ENGINE_STATES.map((s) => [{ ...run(r), engine: s }, r.epochs.get(s) ?? 0] as const)),
  );
  gauge(register, 'sentrycam_epoch_samples', 'Samples in the latest epoch, by split', ['run', 'split'], () =>
    perRun(table, (r) => [...r.samples].map(([split, n]) => [{ ...run(r), split }, n] as const)),
  );
  gauge(register, 'sentrycam_training_metric', 'Latest value of each training metric the producer sent (loss, val_loss, lr, ...)', ['run', 'name'], () =>
    perRun(table, (r) => [...r.training].map(([name, v]) => [{ ...run(r), name: label(name) }, v] as const)),
  );

  const engine = (name: string, key: 'nn15' | 'trust15' | 'ppr' | 'stability' | 'sample_rate', help: string): void =>
    gauge(register, name, help, ['run'], () => perRun(table, (r) => (r.engine.has(key) ? [[run(r), r.engine.get(key)!]] : [])));
  engine('sentrycam_nn15', 'nn15', 'Neighbour preservation @15 of the latest layout (0-1)');
  engine('sentrycam_trust15', 'trust15', 'Trustworthiness @15 of the latest layout (0-1)');
  engine('sentrycam_ppr', 'ppr', 'Prediction-preserving rate of the latest layout (0-1; needs the head)');
  engine('sentrycam_stability', 'stability', 'Mean displacement of the same samples since the previous layout, over its diameter');
  engine('sentrycam_sample_rate', 'sample_rate', 'Share of points sampled for the layout graph');
  gauge(register, 'sentrycam_layout_degenerate', '1 when the latest layout put every point on one spot (a dead network; nn15, trust15 and the geometry are then absent)', ['run'], () =>
    perRun(table, (r) => (r.projectedEpoch >= 0 ? [[run(r), r.degenerate ? 1 : 0]] : [])),
  );
  gauge(register, 'sentrycam_engine_update_seconds', 'Wall time of the latest layout update', ['run'], () =>
    perRun(table, (r) => (r.engine.has('update_ms') ? [[run(r), r.engine.get('update_ms')! / 1000]] : [])),
  );
  gauge(register, 'sentrycam_layout_geometry', 'Class geometry of the latest layout: D (centroid distance), V (class spread), sep (D/sqrt V), drift (movement of the same samples); docs/alerts.md', ['run', 'signal'], () =>
    perRun(table, (r) => [...r.geometry].map(([signal, v]) => [{ ...run(r), signal }, v] as const)),
  );

  counter(register, 'sentrycam_alerts', 'Alerts raised, by kind and severity (those the rate limit dropped are in sentrycam_alerts_suppressed_total)', ['run', 'kind', 'severity'], () =>
    // Every kind and severity from the run's start at 0, so increase() sees the first alert.
    perRun(table, (r) => ALERT_KINDS.flatMap((kind) => SEVERITIES.map((severity) => [{ ...run(r), kind, severity }, r.alerts.get(`${kind} ${severity}`) ?? 0] as const))),
  );
  gauge(register, 'sentrycam_geometry_alert_epoch', 'Epoch at which the run\'s geometry alert fired (absent until it does)', ['run', 'metric'], () =>
    perRun(table, (r) => (r.geometryAlert ? [[{ ...run(r), metric: r.geometryAlert.metric }, r.geometryAlert.epoch]] : [])),
  );
  gauge(register, 'sentrycam_geometry_alert_value', 'The watched geometry signal\'s value when the geometry alert fired', ['run', 'metric'], () =>
    perRun(table, (r) => (r.geometryAlert ? [[{ ...run(r), metric: r.geometryAlert.metric }, r.geometryAlert.value]] : [])),
  );
  counter(register, 'sentrycam_run_frames_rejected', 'Frames of the run rejected', ['run'], () => perRun(table, (r) => [[run(r), r.rejected]]));
  counter(register, 'sentrycam_run_frames_lost', 'Frames of the run lost (gaps in seq)', ['run'], () => perRun(table, (r) => [[run(r), r.lost]]));
  gauge(register, 'sentrycam_recorded_bytes', 'Size of the run\'s recording file', ['run'], () =>
    perRun(table, (r) => {
      const b = facts.recordedBytes(r.run);
      return b === undefined ? [] : [[run(r), b]];
    }),
  );
  return register;
}
