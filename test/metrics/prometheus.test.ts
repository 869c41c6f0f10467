/**
 * `watch --metrics-listen` scraped by a real Prometheus server (Debian's `prometheus`), started on
 * loopback with a 1 s scrape interval and the rules of docs/prometheus-rules.yml: after a real
 * recorded PyTorch run is streamed into the monitor over a real socket, Prometheus's HTTP query API
 * returns the series the monitor's own JSON events say it should, and the geometry rule fires.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readRecording } from '../../src/sources/recording-reader.js';
import { RawPush } from '../sources/raw-push.js';
import { ipcAddress } from '../producer/pull-helper.js';
import { eventsOf, runCli, tempDir, ROOT } from '../cli/cli-process.js';
import { freePort } from '../helpers/processes.js';
import { ALERT_KINDS } from '../../src/metrics/run-table.js';
import { requireSystem } from '../helpers/system.js';

requireSystem(['prometheus']);

const PROMETHEUS = '/usr/bin/prometheus';
/** Two real runs (a PyTorch CNN through the Python client, recorded): 152 frames and 30 epochs each. */
const STABLE = 'torch-cnn-digits-s1';
const UNSTABLE = 'torch-cnn-digits-unstable-s1';
const fixture = (run: string) => path.join(ROOT, `fixtures/runs/${run}.scamrec.gz`);

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function query(port: number, expr: string): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus: ${expr}: ${body.error}`);
  return body.data!.result;
}

/** The single value of a query that must return one series. */
async function one(port: number, expr: string): Promise<number> {
  const r = await query(port, expr);
  if (r.length !== 1) throw new Error(`prometheus: ${expr} returned ${r.length} series: ${JSON.stringify(r)}`);
  return Number(r[0]!.value[1]);
}

/** Polls until check() holds (Prometheus scrapes every second); rejects with the last state after timeoutMs. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`test: ${what} did not happen in ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

test('a real Prometheus scrapes two runs: epoch, training metrics, engine and geometry gauges, alerts, frames, recorded bytes, process metrics; the geometry rule fires', async (t) => {
  t.true(fs.existsSync(PROMETHEUS), `${PROMETHEUS} is missing: apt-get install prometheus (.ci/run does)`);
  const dir = tempDir('prometheus');
  const metricsPort = await freePort();
  const promPort = await freePort();
  const address = ipcAddress('prom');
  const watch = runCli(['watch', '--headless', '--json', '--listen', address, '--record', 'rec', '--metrics-listen', `127.0.0.1:${metricsPort}`], dir);
  t.teardown(() => watch.child.kill('SIGKILL'));
  await watch.waitFor((e) => e.event === 'listening', 30_000, 'listening event');
  const notice = await watch.waitFor((e) => e.event === 'notice' && e.topic === 'metrics', 5_000, 'metrics notice');
  t.is(notice.message, `serving OpenMetrics at http://127.0.0.1:${metricsPort}/metrics`);

  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(path.join(ROOT, 'docs/prometheus-rules.yml'))}]`,
      'scrape_configs:',
      '  - job_name: sentrycam',
      `    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]`,
      '',
    ].join('\n'),
  );
  const prom = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let promLog = '';
  prom.stderr.on('data', (c: Buffer) => (promLog += c.toString()));
  const promExited = new Promise<number | null>((resolve) => prom.on('close', (code) => resolve(code)));
  t.teardown(() => prom.kill('SIGKILL'));
  await eventually('prometheus ready', async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${promLog}`);
  });
  await eventually('first scrape', async () => (await one(promPort, 'up{job="sentrycam"}')) === 1);

  // Both runs at once, each over its own connection, as two trainers would.
  const frames = [STABLE, UNSTABLE].map((run) => readRecording(fixture(run)).frames.map((f) => f.frame));
  const pushes = [new RawPush(address), new RawPush(address)];
  // The hellos first, then a scrape, then the rest: a counter is only seen to change (the dashboard's
  // alert annotation uses changes()) when Prometheus scraped it before the alert, as it does in a live
  // run; a recording sent in one burst would raise every alert before the run's first scrape.
  await Promise.all(pushes.map((p, i) => p.send(frames[i]![0]!)));
  await eventually('runs scraped before their alerts', async () => (await query(promPort, `sentrycam_alerts_total{run="${UNSTABLE}"}`)).length > 0);
  await Promise.all(pushes.map((p, i) => p.send(...frames[i]!.slice(1))));
  await watch.waitForCount((e) => e.event === 'end', 2, 120_000);
  await watch.waitForCount((e) => e.event === 'epoch' && e.epoch === 29 && e.split === 'test', 2, 120_000);
  for (const run of [STABLE, UNSTABLE]) {
    const s = `{job="sentrycam",run="${run}"}`;
    const size = fs.statSync(path.join(dir, 'rec', `${run}.scamrec`)).size;
    await eventually(`final values of ${run} scraped`, async () => (await one(promPort, `sentrycam_epoch${s}`)) === 29 && (await one(promPort, `sentrycam_run_ended${s}`)) === 1 && (await one(promPort, `sentrycam_recorded_bytes${s}`)) === size);
  }

  // What the monitor said on stdout is what Prometheus holds.
  const of = (run: string, kind: string) => eventsOf(watch, kind).filter((e) => e.run === run);
  t.is((await query(promPort, 'sentrycam_run_info')).length, 2);
  t.is(await one(promPort, 'sentrycam_runs{job="sentrycam"}'), 2);

  // The stable run: the engine's measures and the layout geometry of its last projected epoch.
  {
    const sel = `{job="sentrycam",run="${STABLE}"}`;
    const last = of(STABLE, 'epoch').filter((e) => e.engine === 'projected').at(-1)!;
    t.is(await one(promPort, `sentrycam_projected_epoch${sel}`), last.epoch as number);
    t.is(await one(promPort, `sentrycam_layout_degenerate${sel}`), 0);
    t.is(await one(promPort, `sentrycam_nn15${sel}`), last.nn15 as number);
    t.is(await one(promPort, `sentrycam_trust15${sel}`), last.trust15 as number);
    t.is(await one(promPort, `sentrycam_ppr${sel}`), last.ppr as number);
    t.is(await one(promPort, `sentrycam_stability${sel}`), last.stability as number);
    t.is(await one(promPort, `sentrycam_sample_rate${sel}`), last.sample_rate as number);
    t.is(await one(promPort, `sentrycam_engine_update_seconds${sel}`), (last.update_ms as number) / 1000);
    const geo = await query(promPort, `sentrycam_layout_geometry${sel}`);
    t.deepEqual(geo.map((s) => s.metric.signal).sort(), ['D', 'V', 'drift', 'sep']);
    t.true(geo.every((s) => Number(s.value[1]) > 0));
    t.deepEqual(await query(promPort, `sentrycam_geometry_alert_epoch${sel}`), []);
  }

  const RUN = UNSTABLE;
  const sel = `{job="sentrycam",run="${RUN}"}`;
  const lastValues = of(RUN, 'metrics').at(-1)!.values as Record<string, number>;
  const alerts = of(RUN, 'alert');
  const geometry = alerts.find((a) => a.kind === 'geometry')!;
  t.truthy(geometry, 'the unstable run raises the geometry alert');
  t.is(geometry.epoch, 11);
  // It collapsed (epoch 15 on): its last layout is one spot, so nn15 and the geometry are absent, not stale.
  t.is(await one(promPort, `sentrycam_layout_degenerate${sel}`), 1);
  t.deepEqual(await query(promPort, `sentrycam_nn15${sel}`), []);

  t.like((await query(promPort, `sentrycam_run_info${sel}`))[0]!.metric, { layer: 'fc_act', model: 'SmallCnn' });
  t.is(await one(promPort, `sentrycam_run_dim${sel}`), 64);
  t.is(await one(promPort, `sum(sentrycam_epochs_total${sel})`), 30);
  t.is(await one(promPort, `sentrycam_epoch_samples{job="sentrycam",run="${RUN}",split="train"}`), 310);
  t.is(await one(promPort, `sentrycam_epoch_samples{job="sentrycam",run="${RUN}",split="test"}`), 103);
  const training = await query(promPort, `sentrycam_training_metric${sel}`);
  t.deepEqual(training.map((s) => s.metric.name).sort(), Object.keys(lastValues).sort());
  for (const s of training) t.is(Number(s.value[1]), lastValues[s.metric.name!], `training metric ${s.metric.name}`);

  // Alerts by kind and severity: every (kind, severity) series equals the count of alert events.
  const alertSeries = await query(promPort, `sentrycam_alerts_total${sel}`);
  t.is(alertSeries.length, ALERT_KINDS.length * 3);
  for (const s of alertSeries) {
    const n = alerts.filter((a) => a.kind === s.metric.kind && a.severity === s.metric.severity).length;
    t.is(Number(s.value[1]), n, `alerts ${s.metric.kind}/${s.metric.severity}`);
  }
  t.is(await one(promPort, `sentrycam_geometry_alert_epoch{job="sentrycam",run="${RUN}",metric="activations:drift"}`), 11);
  t.is(await one(promPort, `sentrycam_geometry_alert_value${sel}`), ((geometry.evidence as { values: number[] }).values).at(-1)!);

  t.is(await one(promPort, 'sentrycam_frames_received_total{job="sentrycam"}'), 304);
  t.is(await one(promPort, 'sentrycam_received_bytes_total{job="sentrycam"}'), frames.flat().reduce((a, f) => a + f.length, 0));
  t.is(await one(promPort, 'sentrycam_frames_lost_total{job="sentrycam"}'), 0);
  t.is(await one(promPort, `sentrycam_run_frames_lost_total${sel}`), 0);
  t.is(await one(promPort, `sentrycam_run_frames_rejected_total${sel}`), 0);
  t.deepEqual(await query(promPort, 'sentrycam_frames_rejected_total'), []);
  t.true((await one(promPort, 'process_resident_memory_bytes{job="sentrycam"}')) > 0);

  // docs/prometheus-rules.yml: the geometry rule fires for this run.
  await eventually('geometry rule firing', async () => (await query(promPort, `ALERTS{alertname="SentryCamGeometryAlert",alertstate="firing",run="${RUN}"}`)).length === 1, 15_000);

  // docs/grafana-dashboard.json: every panel's query is valid PromQL with data behind it.
  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[]; annotations: { list: { expr: string }[] } };
  const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((q) => [p.title, q.expr] as const)), ...dashboard.annotations.list.map((a) => ['annotation', a.expr] as const)];
  t.true(exprs.length >= 15);
  for (const [title, expr] of exprs) {
    const concrete = expr.replaceAll('$run', '.*').replaceAll('$job', '.*').replaceAll('$__rate_interval', '1m');
    const result = await query(promPort, concrete);
    t.true(result.length > 0, `dashboard panel "${title}": ${concrete} returned no series`);
  }

  await Promise.all(pushes.map((p) => p.close()));
  watch.child.kill('SIGTERM');
  t.is(await watch.exit(30_000), 0, watch.stderr());
  prom.kill('SIGTERM');
  t.is(await promExited, 0, promLog);
});
