/** The exporter's run table and its exposition: what enters, the caps, eviction with the series. */
import test from 'ava';
import { ALERT_KINDS, RunTable } from '../../src/metrics/run-table.js';
import { buildRegistry } from '../../src/metrics/exposition.js';
import { geometrySignals } from '../../src/audit/geometry-signals.js';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import type { Event } from '../../src/model/events.js';
import { createRng } from '../../src/util/random.js';

const hello = (run: string): Event => ({ event: 'hello', run, producer: '0', layer: 'fc', dim: 8, model: 'mlp' });

function exposition(table: RunTable): Promise<string> {
  return buildRegistry(table, { stats: () => ({ frames: 10, rejected: 1, lost: 0, epochs: 2 }), recordedBytes: (run) => (run === 'a' ? 1234 : undefined), bytesReceived: () => 999 }).metrics();
}

/** Sample lines of one family, e.g. 'sentrycam_epoch{run="a"} 3'. */
function samples(text: string, family: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${family}{`) || l.startsWith(`${family} `));
}

/** Three labelled clusters in 2-D, seeded; `spread` scales them apart. */
function layout(run: string, epoch: number, spread: number, seed: number): EpochLayout {
  const rng = createRng(seed);
  const n = 60;
  const positions = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    positions[2 * i] = labels[i]! * spread + rng.normal() * 0.3;
    positions[2 * i + 1] = rng.normal() * 0.3;
  }
  return {
    run,
    epoch,
    n,
    ids: Float64Array.from({ length: n }, (_, i) => i),
    positions,
    split: new Uint8Array(n),
    labels,
    metrics: { sample_rate: 1, rel_density: 1, update_ms: 250, train_steps: 2, loss: 1, nn15: 0.8, trust15: 0.95, stability: 0.01 },
  };
}

test('a run enters with its hello only: events naming unknown runs count process-wide, never as runs', async (t) => {
  const table = new RunTable();
  table.onEvent({ event: 'metrics', run: 'ghost', epoch: 0, values: { loss: 1 } });
  table.onEvent({ event: 'reject', run: 'ghost', producer: '0', seq: 3, code: 'no_hello', reason: 'no hello' });
  table.onEvent({ event: 'lost', run: 'ghost', producer: '0', count: 2, expected: 1, got: 3 });
  t.deepEqual(table.list(), []);
  const text = await exposition(table);
  t.deepEqual(samples(text, 'sentrycam_frames_rejected_total'), ['sentrycam_frames_rejected_total{code="no_hello"} 1']);
  t.deepEqual(samples(text, 'sentrycam_frames_lost_total'), ['sentrycam_frames_lost_total 2']);
  t.deepEqual(samples(text, 'sentrycam_frames_received_total'), ['sentrycam_frames_received_total 10']);
  t.deepEqual(samples(text, 'sentrycam_received_bytes_total'), ['sentrycam_received_bytes_total 999']);
  t.deepEqual(samples(text, 'sentrycam_training_metric'), []);
  t.true(text.trimEnd().endsWith('# EOF'), 'OpenMetrics text ends with # EOF');
});

test('per-run series: epoch, samples, engine measures, training metrics, alerts by kind and severity, geometry alert', async (t) => {
  const table = new RunTable();
  table.onEvent(hello('a'));
  table.onEvent({ event: 'epoch', run: 'a', epoch: 3, split: 'train', n: 100, dim: 8, engine: 'projected', nn15: 0.5, trust15: 0.9, update_ms: 120, sample_rate: 0.5, stability: 0.02 });
  table.onEvent({ event: 'epoch', run: 'a', epoch: 3, split: 'test', n: 20, dim: 8, engine: 'projected', nn15: 0.5, trust15: 0.9, update_ms: 120, sample_rate: 0.5, stability: 0.02 });
  table.onEvent({ event: 'epoch', run: 'a', epoch: 4, split: 'train', n: 100, dim: 8, engine: 'skipped' });
  table.onEvent({ event: 'metrics', run: 'a', epoch: 4, values: { val_loss: 0.25, lr: 0.1 } });
  table.onEvent({ event: 'alert', run: 'a', epoch: 4, kind: 'geometry', severity: 'warning', message: 'm', evidence: { metric: 'activations:drift', values: [0.1, 0.2, 0.4] } });
  table.onEvent({ event: 'alert', run: 'a', epoch: 4, kind: 'nan', severity: 'critical', message: 'm', evidence: {} });
  table.onEvent({ event: 'alert', run: 'a', epoch: 5, kind: 'nan', severity: 'critical', message: 'm', evidence: {}, suppressed: 3 });
  const text = await exposition(table);
  t.deepEqual(samples(text, 'sentrycam_alerts_suppressed_total'), ['sentrycam_alerts_suppressed_total{kind="nan"} 3']);
  t.deepEqual(samples(text, 'sentrycam_monitor_alerts_total'), []);
  table.onEvent({ event: 'alert', run: '', epoch: null, kind: 'engine', severity: 'warning', message: 'worker died', evidence: {} });
  t.deepEqual(samples(await exposition(table), 'sentrycam_monitor_alerts_total'), ['sentrycam_monitor_alerts_total{kind="engine",severity="warning"} 1']);
  t.deepEqual(samples(text, 'sentrycam_epoch'), ['sentrycam_epoch{run="a"} 4']);
  t.deepEqual(samples(text, 'sentrycam_projected_epoch'), ['sentrycam_projected_epoch{run="a"} 3']);
  t.deepEqual(samples(text, 'sentrycam_epochs_total'), ['projected', 'skipped', 'off', 'failed'].map((s) => `sentrycam_epochs_total{run="a",engine="${s}"} ${s === 'projected' || s === 'skipped' ? 1 : 0}`));
  t.deepEqual(samples(text, 'sentrycam_epoch_samples'), ['sentrycam_epoch_samples{run="a",split="train"} 100', 'sentrycam_epoch_samples{run="a",split="test"} 20']);
  t.deepEqual(samples(text, 'sentrycam_nn15'), ['sentrycam_nn15{run="a"} 0.5']);
  t.deepEqual(samples(text, 'sentrycam_engine_update_seconds'), ['sentrycam_engine_update_seconds{run="a"} 0.12']);
  t.deepEqual(samples(text, 'sentrycam_training_metric'), ['sentrycam_training_metric{run="a",name="val_loss"} 0.25', 'sentrycam_training_metric{run="a",name="lr"} 0.1']);
  const alerts = samples(text, 'sentrycam_alerts_total');
  t.is(alerts.length, ALERT_KINDS.length * 3, 'every kind x severity from the start, at 0 unless raised');
  t.true(ALERT_KINDS.includes('engine'));
  t.true(alerts.includes('sentrycam_alerts_total{run="a",kind="geometry",severity="warning"} 1'));
  t.true(alerts.includes('sentrycam_alerts_total{run="a",kind="nan",severity="critical"} 2'));
  t.true(alerts.includes('sentrycam_alerts_total{run="a",kind="loss",severity="warning"} 0'));
  t.deepEqual(samples(text, 'sentrycam_geometry_alert_epoch'), ['sentrycam_geometry_alert_epoch{run="a",metric="activations:drift"} 4']);
  t.deepEqual(samples(text, 'sentrycam_geometry_alert_value'), ['sentrycam_geometry_alert_value{run="a",metric="activations:drift"} 0.4']);
  t.deepEqual(samples(text, 'sentrycam_recorded_bytes'), ['sentrycam_recorded_bytes{run="a"} 1234']);
  t.deepEqual(samples(text, 'sentrycam_run_info'), ['sentrycam_run_info{run="a",layer="fc",model="mlp"} 1']);
});

test('layout geometry: the auditor\'s class geometry of the train points, and drift from the second layout on', async (t) => {
  const table = new RunTable();
  table.onEvent(hello('g'));
  const l0 = layout('g', 0, 3, 1);
  table.onEvent({ event: 'layout', layout: l0 });
  const g0 = geometrySignals(l0)!;
  t.deepEqual([...table.get('g')!.geometry], [['D', g0.D], ['V', g0.V], ['sep', g0.sep]]);
  table.onEvent({ event: 'layout', layout: layout('g', 1, 3, 2) });
  const drift = table.get('g')!.geometry.get('drift')!;
  // Same ids, fresh noise of std 0.3 on a radius of ~3: they moved, by a fraction of the radius.
  t.true(drift > 0.05 && drift < 0.5, `drift ${drift}`);
});

test('cap on runs: the least recently active run is evicted, its series with it', async (t) => {
  const table = new RunTable({ maxRuns: 2 });
  table.onEvent(hello('a'));
  table.onEvent(hello('b'));
  table.onEvent({ event: 'metrics', run: 'a', epoch: 0, values: { loss: 1 } });
  table.onEvent({ event: 'metrics', run: 'b', epoch: 0, values: { loss: 2 } });
  // a is active again after b: b is now the oldest.
  table.onEvent({ event: 'epoch', run: 'a', epoch: 0, split: 'train', n: 5, dim: 8 });
  table.onEvent(hello('c'));
  t.deepEqual(table.list().map((r) => r.run), ['a', 'c']);
  const text = await exposition(table);
  t.false(text.includes('run="b"'), 'no series of the evicted run');
  t.deepEqual(samples(text, 'sentrycam_runs_evicted_total'), ['sentrycam_runs_evicted_total 1']);
  t.deepEqual(samples(text, 'sentrycam_runs'), ['sentrycam_runs 2']);
});

test('cap on training-metric names per run: new names past it are dropped and counted, known names still update', async (t) => {
  const table = new RunTable({ maxMetricNames: 2 });
  table.onEvent(hello('a'));
  table.onEvent({ event: 'metrics', run: 'a', epoch: 0, values: { m1: 1, m2: 2, m3: 3 } });
  table.onEvent({ event: 'metrics', run: 'a', epoch: 1, values: { m1: 10, m4: 4 } });
  const text = await exposition(table);
  t.deepEqual(samples(text, 'sentrycam_training_metric'), ['sentrycam_training_metric{run="a",name="m1"} 10', 'sentrycam_training_metric{run="a",name="m2"} 2']);
  t.deepEqual(samples(text, 'sentrycam_metric_names_dropped_total'), ['sentrycam_metric_names_dropped_total 2']);
});

test('an ended run is evicted endedTtlMs after its end', (t) => {
  let now = 1_000;
  const table = new RunTable({ endedTtlMs: 500, now: () => now });
  table.onEvent(hello('a'));
  table.onEvent(hello('b'));
  table.onEvent({ event: 'end', run: 'a' });
  now = 1_499;
  t.deepEqual(table.list().map((r) => r.run), ['b', 'a']);
  now = 1_500;
  t.deepEqual(table.list().map((r) => r.run), ['b']);
  t.is(table.totals.runsEvicted, 1);
});

test('label values are capped at 128 characters', async (t) => {
  const table = new RunTable();
  table.onEvent({ event: 'hello', run: 'r', producer: '0', layer: 'fc', dim: 2, model: 'x'.repeat(300) });
  const line = samples(await exposition(table), 'sentrycam_run_info')[0]!;
  const model = /model="([^"]*)"/.exec(line)![1]!;
  t.is([...model].length, 128);
  t.true(model.endsWith('…'));
});

test('bad caps are refused', (t) => {
  t.throws(() => new RunTable({ maxRuns: 0 }), { message: /maxRuns must be an integer >= 1/ });
  t.throws(() => new RunTable({ maxMetricNames: 1.5 }), { message: /maxMetricNames/ });
  t.throws(() => new RunTable({ endedTtlMs: -1 }), { message: /endedTtlMs/ });
});
