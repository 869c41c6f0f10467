import test from 'ava';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import type { AlertEvent, EndEvent, LostEvent, MetricsEvent, RejectEvent, SilenceEvent } from '../../src/model/events.js';
import type { EpochData } from '../../src/model/epoch-data.js';
import { Auditor } from '../../src/audit/auditor.js';
import { Ingest } from '../../src/ingest/ingest.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame, type OutTensor } from '../../src/protocol/encode.js';
import { AUDIT_DEFAULTS, resolveAuditOptions, type AuditOptions } from '../../src/audit/options.js';

/** The paper's rule (causal trigger) on the layout's D and V; the defaults run a change detector on activation drift instead (docs/alerts.md). */
const METHOD_DV = { geometryDetector: 'trigger', geometryMetrics: ['D', 'V'], stdMargin: 0.2 } as const;

const METRICS = { sample_rate: 1, rel_density: 1, update_ms: 0, train_steps: 0, loss: 0, nn15: 0, trust15: 0 };

/**
 * A layout of 4 classes, 12 points each: class centres on a circle of radius `c`, each class a
 * ring of radius `h` around its centre. Separation grows with c/h. `scale` multiplies everything.
 */
function layout(run: string, epoch: number, c: number, h: number, scale = 1): EpochLayout {
  const pos: number[] = [];
  const labels: number[] = [];
  for (let k = 0; k < 4; k++) {
    const cx = c * Math.cos((k * Math.PI) / 2);
    const cy = c * Math.sin((k * Math.PI) / 2);
    for (let j = 0; j < 12; j++) {
      pos.push(scale * (cx + h * Math.cos((j * Math.PI) / 6)), scale * (cy + h * Math.sin((j * Math.PI) / 6)));
      labels.push(k);
    }
  }
  const n = labels.length;
  return {
    run,
    epoch,
    n,
    ids: Float64Array.from(labels, (_, i) => i),
    positions: Float32Array.from(pos),
    split: new Uint8Array(n),
    labels: Int32Array.from(labels),
    metrics: METRICS,
  };
}

function metrics(run: string, epoch: number, values: Record<string, number>): MetricsEvent {
  return { event: 'metrics', run, epoch, values };
}

function end(run: string): EndEvent {
  return { event: 'end', run };
}

function silence(run: string, producer: string, seconds: number): SilenceEvent {
  return { event: 'silence', run, producer, seconds };
}

/** Healthy: classes pull apart and tighten; unstable from `breakAt`: they spread and merge. */
function h(epoch: number, breakAt: number | null): number {
  const base = 2 / (1 + 0.1 * epoch);
  return breakAt === null || epoch < breakAt ? base : base * (1 + 0.5 * (epoch - breakAt + 1));
}
function valLoss(epoch: number, breakAt: number | null): number {
  const base = 2 / (1 + 0.3 * epoch);
  return breakAt === null || epoch < breakAt ? base : base + 0.3 * (epoch - breakAt + 1);
}

/** Feeds one synthetic run (layouts at every epoch, val_loss delayed by `lossDelay`). */
function feed(a: Auditor, run: string, epochs: number, geoBreak: number | null, lossBreak: number | null, scale = 1): AlertEvent[] {
  const out: AlertEvent[] = [];
  for (let e = 0; e < epochs; e++) {
    out.push(...a.onLayout(layout(run, e, 10, h(e, geoBreak), scale * (1 + e))));
    out.push(...a.onEvent(metrics(run, e, { train_loss: 1 / (1 + e), val_loss: valLoss(e, lossBreak) })));
  }
  out.push(...a.onEvent(end(run)));
  return out;
}

test('healthy run: no alert at all, at any layout scale', (t) => {
  for (const scale of [0.01, 1, 1000]) {
    const a = new Auditor(METHOD_DV);
    t.deepEqual(feed(a, 'ok', 30, null, null, scale), [], `scale ${scale}`);
  }
});

test('geometry fires before the loss alert; the loss alert reports the lead', (t) => {
  const a = new Auditor(METHOD_DV);
  const alerts = feed(a, 'bad', 30, 10, 16);
  const geo = alerts.filter((x) => x.kind === 'geometry');
  const loss = alerts.filter((x) => x.kind === 'loss');
  t.is(geo.length, 1);
  t.is(loss.length, 1);
  // Classes start spreading at epoch 10: V rises 10 vs 9 and 11 vs 10, so the rule fires at 11.
  t.is(geo[0]!.epoch, 11);
  t.is(geo[0]!.severity, 'warning');
  // D (relative to the growing radius) and V both fire at 11; the first listed metric names it.
  t.is(geo[0]!.evidence['metric'], 'layout:D');
  t.deepEqual(geo[0]!.evidence['epochs'], [9, 10, 11]);
  t.is((geo[0]!.evidence['values'] as number[]).length, 3);
  t.false('lead_epochs' in geo[0]!.evidence);
  t.regex(geo[0]!.message, /validation-loss alert has not fired/);
  // val_loss rises from 16: fires at 17.
  t.is(loss[0]!.epoch, 17);
  t.is(loss[0]!.evidence['metric'], 'val_loss');
  t.is(loss[0]!.evidence['geometry_alert_epoch'], 11);
  t.is(loss[0]!.evidence['lead_epochs'], 6);
  t.regex(loss[0]!.message, /6 epochs earlier, at epoch 11/);
  t.deepEqual(a.alertEpochs('bad'), { geometry: 11, loss: 17 });
});

test('when the loss alert came first, the geometry alert says so with a negative lead', (t) => {
  const a = new Auditor(METHOD_DV);
  const alerts = feed(a, 'late', 30, 15, 8);
  const geo = alerts.find((x) => x.kind === 'geometry')!;
  const loss = alerts.find((x) => x.kind === 'loss')!;
  t.is(loss.epoch, 9);
  t.false('geometry_alert_epoch' in loss.evidence);
  t.is(geo.epoch, 16);
  t.is(geo.evidence['val_loss_alert_epoch'], 9);
  t.is(geo.evidence['lead_epochs'], -7);
});

test('the geometry alert can watch the separation ratio instead', (t) => {
  const a = new Auditor({ ...METHOD_DV, geometryMetrics: ['sep'] });
  const geo = feed(a, 'r', 30, 10, null).filter((x) => x.kind === 'geometry');
  t.is(geo.length, 1);
  t.is(geo[0]!.evidence['metric'], 'layout:sep');
  t.is(geo[0]!.evidence['direction'], 'down');
  t.is(geo[0]!.epoch, 11);
});

test('runs are independent and each kind fires once per run', (t) => {
  const a = new Auditor(METHOD_DV);
  const out: AlertEvent[] = [];
  for (let e = 0; e < 30; e++) {
    out.push(...a.onLayout(layout('A', e, 10, h(e, 10))));
    out.push(...a.onLayout(layout('B', e, 10, h(e, null))));
    out.push(...a.onLayout(layout('C', e, 10, h(e, 20))));
  }
  const geo = out.filter((x) => x.kind === 'geometry').map((x) => [x.run, x.epoch]);
  t.deepEqual(geo, [['A', 11], ['C', 21]]);
});

test('metrics: the first val_loss of an epoch counts, NaN metrics give a nan alert', (t) => {
  const a = new Auditor({ burnIn: 2 });
  t.deepEqual(a.onEvent(metrics('r', 0, { val_loss: 1 })), []);
  t.deepEqual(a.onEvent(metrics('r', 1, { val_loss: 0.5 })), []);
  t.deepEqual(a.onEvent(metrics('r', 1, { val_loss: 0.1 })), []); // same epoch: ignored
  t.deepEqual(a.onEvent(metrics('r', 2, { val_loss: 0.6 })), []);
  const fired = a.onEvent(metrics('r', 3, { val_loss: 0.9 }));
  t.is(fired.length, 1);
  t.deepEqual(fired[0]!.evidence['values'], [0.5, 0.6, 0.9]);
  const nan = a.onEvent(metrics('r', 4, { train_loss: Number.NaN, val_loss: 1 }));
  t.is(nan.length, 1);
  t.is(nan[0]!.kind, 'nan');
  t.is(nan[0]!.severity, 'critical');
  t.is(nan[0]!.evidence['metric'], 'train_loss');
  t.regex(nan[0]!.message, /train_loss = NaN/);
});

function reject(run: string, code: string, reason: string): RejectEvent {
  return { event: 'reject', run, producer: '0', seq: 3, code, reason };
}

test('a non_finite reject is a nan alert, other rejects are not alerts', (t) => {
  const a = new Auditor();
  t.deepEqual(a.onEvent(reject('r', 'bad_magic', 'bad magic')), []);
  const out = a.onEvent(reject('r', 'non_finite', 'metrics value val_loss is NaN'));
  t.is(out.length, 1);
  t.is(out[0]!.kind, 'nan');
  t.is(out[0]!.epoch, null);
  t.regex(out[0]!.message, /val_loss is NaN/);
  t.is(out[0]!.evidence['reason'], 'metrics value val_loss is NaN');
});

test('nan alerts repeat at most once per epoch and at most maxRepeats times', (t) => {
  const a = new Auditor({ maxRepeats: 3 });
  const count = (): number => a.onEvent(reject('r', 'non_finite', 'x has NaN')).length;
  a.onEvent(metrics('r', 0, { loss: 1 }));
  t.is(count(), 1);
  t.is(count(), 0); // same epoch
  t.is(count(), 0);
  a.onEvent(metrics('r', 1, { loss: 1 }));
  const next = a.onEvent(reject('r', 'non_finite', 'x has NaN'));
  t.is(next.length, 1);
  t.is(next[0]!.evidence['suppressed_since_last'], 2);
  a.onEvent(metrics('r', 2, { loss: 1 }));
  const third = a.onEvent(reject('r', 'non_finite', 'x has NaN'));
  t.regex(third[0]!.message, /limit of 3 reached/);
  a.onEvent(metrics('r', 3, { loss: 1 }));
  t.is(count(), 0);
  // Another run is not limited by this one.
  t.is(a.onEvent(reject('s', 'non_finite', 'x has NaN')).length, 1);
});

function epochData(run: string, epoch: number, rows: number[][]): EpochData {
  const n = rows.length;
  const dim = rows[0]!.length;
  return { run, epoch, split: 'train', n, dim, x: Float32Array.from(rows.flat()), ids: Float64Array.from(rows, (_, i) => i) };
}

/** Rows spanning `rank` of `dim` axes, `n` rows (deterministic). */
function spanning(n: number, dim: number, rank: number, dead = 0): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: dim }, (_, d) => (d >= dim - dead ? 0 : d < rank ? Math.sin(1.7 * i * (d + 1) + d) : 0)),
  );
}

test('dead units: one info per run when the share reaches the threshold', (t) => {
  const a = new Auditor();
  t.deepEqual(a.onEpochData(epochData('r', 0, spanning(30, 8, 6, 2))), []); // 25% dead
  const out = a.onEpochData(epochData('r', 1, spanning(30, 8, 4, 4))); // 50% dead
  const dead = out.filter((x) => x.kind === 'dead_units');
  t.is(dead.length, 1);
  // A large dead share alone asks for a look, not for action: nothing says it is getting worse.
  t.is(dead[0]!.severity, 'info');
  t.is(dead[0]!.evidence['dead_units'], 4);
  t.is(dead[0]!.evidence['dim'], 8);
  t.regex(dead[0]!.message, /4 of 8 dimensions \(50%\)/);
  t.deepEqual(a.onEpochData(epochData('r', 2, spanning(30, 8, 2, 6))).filter((x) => x.kind === 'dead_units'), []);
});

test('dead units: a warning when the share rises well above its recent median (units dying), a critical when all are dead', (t) => {
  const a = new Auditor();
  const dead = (e: number, k: number): AlertEvent[] => a.onEpochData(epochData('r', e, spanning(30, 20, 20 - k, k))).filter((x) => x.kind === 'dead_units');
  // Burn-in (5 epochs) at 2 of 20 dead, with a wobble to 3 that is no rise worth a warning.
  for (let e = 0; e < 5; e++) t.deepEqual(dead(e, 2), []);
  t.deepEqual(dead(5, 3), []);
  // 2 -> 4 dead is +10%, under deadUnitRise (15%).
  t.deepEqual(dead(6, 4), []);
  const rise = dead(7, 6); // median of the last 5 is 2 of 20 (10%); now 30%
  t.is(rise.length, 1);
  t.is(rise[0]!.severity, 'warning');
  t.deepEqual(rise[0]!.evidence['values'], [0.1, 0.3]);
  t.regex(rise[0]!.message, /units dying at epoch 7: 6 of 20 dimensions \(30%\).*up from 10%/);
  // 60% dead: the share's own info; no second warning (one per run).
  t.deepEqual(dead(8, 12).map((x) => x.severity), ['info']);
  const all = dead(9, 20);
  t.deepEqual(all.map((x) => x.severity), ['critical']);
});

test('dying units are judged on the train split only', (t) => {
  const a = new Auditor();
  const test = (e: number, k: number): AlertEvent[] => a.onEpochData({ ...epochData('r', e, spanning(12, 20, 20 - k, k)), split: 'test' }).filter((x) => x.kind === 'dead_units');
  for (let e = 0; e < 6; e++) t.deepEqual(test(e, 2), []);
  t.deepEqual(test(6, 8), []);
});

test('collapse: effective rank falling below a share of classes - 1, after the burn-in', (t) => {
  const a = new Auditor();
  const labelled = (e: number, rank: number): EpochData => ({ ...epochData('r', e, spanning(64, 16, rank)), labels: Int32Array.from({ length: 64 }, (_, i) => i % 10) });
  const collapse = (e: number, rank: number): AlertEvent[] => a.onEpochData(labelled(e, rank)).filter((x) => x.kind === 'collapse');
  // A rank-1 epoch inside the burn-in (an early loss spike) is no collapse.
  t.deepEqual(collapse(0, 1), []);
  for (let e = 1; e < 5; e++) t.deepEqual(collapse(e, 12), []);
  // Neural collapse: the rank falls towards classes - 1 = 9 and below; still fine above 0.2 * 9 = 1.8.
  t.deepEqual(collapse(5, 3), []);
  const out = collapse(6, 1);
  t.is(out.length, 1);
  t.is(out[0]!.severity, 'critical');
  t.is(out[0]!.evidence['classes'], 10);
  t.is(out[0]!.evidence['threshold'], 1.8);
  t.regex(out[0]!.message, /can no longer keep 10 classes apart/);
});

test('collapse: effective rank falling below a share of its best, when that check is switched on', (t) => {
  const a = new Auditor({ collapseRankRatio: 0.3 });
  const collapse = (rows: number[][], e: number): AlertEvent[] => a.onEpochData(epochData('r', e, rows)).filter((x) => x.kind === 'collapse');
  t.deepEqual(collapse(spanning(64, 16, 12), 0), []);
  t.deepEqual(collapse(spanning(64, 16, 8), 1), []);
  const out = collapse(spanning(64, 16, 1), 2);
  t.is(out.length, 1);
  t.is(out[0]!.kind, 'collapse');
  t.is(out[0]!.severity, 'critical');
  t.deepEqual(out[0]!.evidence['epochs'], [0, 2]);
  t.is(out[0]!.evidence['metric'], 'effective_rank');
});

test('collapse: identical activations, a degenerate layout, or centroids that coincide', (t) => {
  const same = new Auditor();
  const out = same.onEpochData(epochData('r', 0, Array.from({ length: 5 }, () => [1, 2, 3])));
  t.is(out[0]!.kind, 'collapse');
  t.regex(out[0]!.message, /same representation/);

  const degen = new Auditor();
  const l = layout('r', 3, 10, 1, 0); // scale 0: every point at the origin
  const d = degen.onLayout(l);
  t.is(d.length, 1);
  t.is(d[0]!.kind, 'collapse');
  t.deepEqual(degen.onLayout({ ...layout('r', 4, 10, 1), metrics: { ...METRICS, degenerate: true } }), []); // once per run

  const merge = new Auditor();
  const alerts: AlertEvent[] = [];
  for (let e = 0; e < 8; e++) alerts.push(...merge.onLayout(layout('r', e, e < 6 ? 10 : 0.01, 1)));
  const c = alerts.filter((x) => x.kind === 'collapse');
  t.is(c.length, 1);
  t.is(c[0]!.epoch, 6);
  t.is(c[0]!.evidence['metric'], 'D');
});

test('non-finite activations are refused at decode in every float dtype, and the refusal is the nan alert', (t) => {
  // The auditor has no NaN check on epoch data: this is the path that raises it.
  const id: OutTensor = { dtype: 'int32', shape: [1], data: Int32Array.of(0) };
  const xs: Record<string, OutTensor> = {
    float16: { dtype: 'float16', shape: [1, 3], data: Uint16Array.of(0x3c00, 0x7c00, 0x3c00) }, // 1, +Inf, 1
    float32: { dtype: 'float32', shape: [1, 3], data: Float32Array.of(1, Number.NaN, 2) },
    // Finite as float64, +Inf once narrowed to float32: the check runs after the narrowing.
    float64: { dtype: 'float64', shape: [1, 3], data: Float64Array.of(1, 1e39, 2) },
  };
  for (const [dtype, x] of Object.entries(xs)) {
    const a = new Auditor();
    const alerts: AlertEvent[] = [];
    const ingest = new Ingest({
      sink: (e) => alerts.push(...a.onEvent(e)),
      onEpoch: (set) => set.splits.forEach((d) => alerts.push(...a.onEpochData(d))),
      silenceMs: Infinity,
    });
    const decoded = decodeFrame(encodeFrame({ type: 'batch', run: 'r', producer: '0', seq: 1, epoch: 0 }, { x, id }));
    if (decoded.ok) {
      t.fail(`${dtype}: a batch with a non-finite x was accepted`);
      continue;
    }
    ingest.rejected(decoded.reject, 0);
    t.is(alerts.length, 1, dtype);
    t.like(alerts[0], { run: 'r', kind: 'nan', severity: 'critical' }, dtype);
    const reason = String(alerts[0]!.evidence['reason']);
    t.regex(reason, /: x has 1 NaN\/Inf values \(first at row 0, column 1\)/, dtype);
    // A finite float64 value is named for what it is: beyond float32, not NaN.
    if (dtype === 'float64') t.regex(reason, /1 of them finite float64 values beyond float32's/);
    else t.notRegex(reason, /float64/, dtype);
  }
});

function lost(run: string, count: number): LostEvent {
  return { event: 'lost', run, producer: '1', count, expected: 10, got: 10 + count };
}

test('lost frames: alert, rate limited per epoch, the rest reported at the end', (t) => {
  const a = new Auditor();
  a.onEvent(metrics('r', 0, { loss: 1 }));
  const first = a.onEvent(lost('r', 2));
  t.is(first.length, 1);
  t.is(first[0]!.kind, 'lost_frames');
  t.is(first[0]!.evidence['values'] && (first[0]!.evidence['values'] as number[])[0], 2);
  t.regex(first[0]!.message, /2 frames lost from producer 1/);
  t.deepEqual(a.onEvent(lost('r', 3)), []);
  t.deepEqual(a.onEvent(lost('r', 1)), []);
  const atEnd = a.onEvent(end('r'));
  t.is(atEnd.length, 1);
  t.deepEqual(atEnd[0]!.evidence['values'], [4]);
  t.is(atEnd[0]!.evidence['total'], 6);
  t.regex(atEnd[0]!.message, /before the run ended/);
  t.deepEqual(a.onEvent(end('r')), []);
  t.deepEqual(a.onEvent(end('never-seen')), []);
});

test('lost frames below the threshold accumulate', (t) => {
  const a = new Auditor({ lostFrames: 5 });
  t.deepEqual(a.onEvent(lost('r', 2)), []);
  t.deepEqual(a.onEvent(lost('r', 2)), []);
  t.deepEqual(a.onEvent(lost('r', 1))[0]!.evidence['values'], [5]);
});

test('silence: threshold, once per silent stretch, again after the producer spoke', (t) => {
  const a = new Auditor({ silenceSeconds: 30 });
  t.deepEqual(a.onEvent(silence('r', '0', 10)), []);
  const s = a.onEvent(silence('r', '0', 31));
  t.is(s.length, 1);
  t.is(s[0]!.kind, 'silence');
  t.is(s[0]!.evidence['producer'], '0');
  t.deepEqual(a.onEvent(silence('r', '0', 60)), []); // same stretch
  t.is(a.onEvent(silence('r', '1', 45)).length, 1); // another producer
  a.onEvent(metrics('r', 1, { loss: 1 }));
  t.is(a.onEvent(silence('r', '0', 31)).length, 1);
});

test('onEvent: events without a rule give no alert and do not end a silent stretch', (t) => {
  const a = new Auditor({ silenceSeconds: 30 });
  t.is(a.onEvent(silence('r', '0', 31)).length, 1);
  t.deepEqual(a.onEvent({ event: 'hello', run: 'r', producer: '0', layer: 'fc', dim: 4 }), []);
  t.deepEqual(a.onEvent({ event: 'epoch', run: 'r', epoch: 0, split: 'train', n: 4, dim: 4 }), []);
  t.deepEqual(a.onEvent(silence('r', '0', 40)), []); // still the same stretch
});

test('options: the documented defaults, bad values refused by name', (t) => {
  const o = resolveAuditOptions();
  t.is(o.burnIn, 5);
  t.is(o.consecutive, 2);
  t.is(o.window, 10);
  t.is(o.loss.burnIn, AUDIT_DEFAULTS.burnIn);
  t.is(resolveAuditOptions({ loss: { stdMargin: 3 } }).loss.stdMargin, 3);
  t.is(resolveAuditOptions({ burnIn: undefined }).burnIn, 5);
  t.throws(() => new Auditor({ burnIn: -1 }), { message: /burnIn/ });
  t.throws(() => new Auditor({ geometryMetrics: [] }), { message: /geometryMetrics/ });
  t.throws(() => new Auditor({ geometryMetrics: ['X' as 'D'] }), { message: /unknown geometry metric "X"/ });
  t.throws(() => new Auditor({ geometryMetrics: ['pixels:D' as 'D'] }), { message: /unknown geometry metric "pixels:D"/ });
  t.deepEqual(resolveAuditOptions({ geometryMetrics: ['D', 'layout:D', 'activations:drift'] }).geometryMetrics, ['layout:D', 'activations:drift']);
  t.deepEqual(resolveAuditOptions({ geometrySource: 'activations', geometryMetrics: ['sep'] }).geometryMetrics, ['activations:sep']);
  t.throws(() => new Auditor({ deadUnitShare: 1.5 }), { message: /deadUnitShare/ });
  t.throws(() => new Auditor({ loss: { window: 0 } }), { message: /loss.*window/ });
  t.throws(() => new Auditor({ maxRepeats: 0 }), { message: /maxRepeats/ });
});

test('geometry from raw activations when no projection runs', (t) => {
  // 4 classes in 6-D: centres c*e_k, each class 8 points at +-h on two other axes. From epoch 12
  // the classes spread (h grows) while the activations' overall scale keeps growing.
  const make = (epoch: number): EpochData => {
    const hh = h(epoch, 12);
    const s = 1 + epoch;
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 8; j++) {
        const r = [0, 0, 0, 0, 0, 0];
        r[k] = 10 * s;
        r[4 + (j % 2)] = (j < 4 ? 1 : -1) * hh * s * (1 + j / 8);
        rows.push(r);
        labels.push(k);
      }
    }
    return { ...epochData('r', epoch, rows), labels: Int32Array.from(labels) };
  };
  const layoutOnly = new Auditor(METHOD_DV);
  const fromData = new Auditor({ ...METHOD_DV, geometrySource: 'activations' });
  const got: AlertEvent[] = [];
  for (let e = 0; e < 25; e++) {
    t.deepEqual(layoutOnly.onEpochData(make(e)).filter((x) => x.kind === 'geometry'), []);
    got.push(...fromData.onEpochData(make(e)));
    // With source 'activations', layouts do not feed the geometry trigger.
    got.push(...fromData.onLayout(layout('r', e, 10, h(e, 3))));
  }
  const geo = got.filter((x) => x.kind === 'geometry');
  t.is(geo.length, 1);
  t.is(geo[0]!.epoch, 13);
  t.is(geo[0]!.evidence['source'], 'activations');
  t.throws(() => new Auditor({ geometrySource: 'pixels' as 'layout' }), { message: /geometrySource/ });
});

test('drift: a layout whose points churn more every epoch fires; a settling one does not', (t) => {
  // 48 points on a ring, rotated by a per-epoch angle: settling (shrinking steps) vs churning
  // (steps growing from epoch 8). Labels are irrelevant to drift.
  const ring = (run: string, epoch: number, angle: number): EpochLayout => {
    const base = layout(run, epoch, 10, 1);
    const pos = base.positions.slice();
    for (let i = 0; i < base.n; i++) {
      const x = pos[2 * i]!;
      const y = pos[2 * i + 1]!;
      pos[2 * i] = Math.cos(angle) * x - Math.sin(angle) * y;
      pos[2 * i + 1] = Math.sin(angle) * x + Math.cos(angle) * y;
    }
    return { ...base, positions: pos };
  };
  const settle = new Auditor({ geometryDetector: 'trigger', geometryMetrics: ['drift'], stdMargin: 0.2 });
  const churn = new Auditor({ geometryDetector: 'trigger', geometryMetrics: ['drift'], stdMargin: 0.2 });
  let a1 = 0;
  let a2 = 0;
  const alerts: AlertEvent[] = [];
  for (let e = 0; e < 20; e++) {
    a1 += 0.5 / (1 + e);
    a2 += e < 8 ? 0.5 / (1 + e) : 0.05 * 1.5 ** (e - 7);
    t.deepEqual(settle.onLayout(ring('s', e, a1)), []);
    alerts.push(...churn.onLayout(ring('c', e, a2)));
  }
  t.is(alerts.length, 1);
  t.is(alerts[0]!.kind, 'geometry');
  t.is(alerts[0]!.evidence['metric'], 'layout:drift');
  t.is(alerts[0]!.evidence['direction'], 'up');
  // Steps: ..., 0.5/8 = 0.0625 (e=7), 0.075 (e=8), 0.1125 (e=9): up at 8 and 9.
  t.is(alerts[0]!.epoch, 9);
});

test('the loss baseline follows the trigger settings but not the geometry minRelChange guard', (t) => {
  const o = resolveAuditOptions({ burnIn: 3, consecutive: 3, minRelChange: 0.5 });
  t.deepEqual(o.loss, { burnIn: 3, consecutive: 3, stdMargin: AUDIT_DEFAULTS.stdMargin, window: AUDIT_DEFAULTS.window, minRelChange: 0 });
  t.is(resolveAuditOptions({ minRelChange: 0.5, loss: { minRelChange: 0.1 } }).loss.minRelChange, 0.1);
});

test('defaults: activation drift fires when steps grow, stays quiet while they shrink', (t) => {
  // 60 samples in 8-D around fixed class centres; every epoch each sample takes a step of size
  // step(e) in a pseudo-random direction and is pulled back halfway to its home (so the cloud keeps
  // its size). Settling: steps shrink. Churning: from epoch 8 the step doubles every epoch.
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const n = 60;
  const dim = 8;
  const home = Array.from({ length: n }, (_, i) => Array.from({ length: dim }, (_, d) => (d === i % 4 ? 3 : 0) + rand()));
  const simulate = (run: string, step: (e: number) => number, opts: AuditOptions = {}): AlertEvent[] => {
    const a = new Auditor(opts);
    const pos = home.map((r) => [...r]);
    const out: AlertEvent[] = [];
    for (let e = 0; e < 20; e++) {
      for (let i = 0; i < n; i++) {
        for (let d = 0; d < dim; d++) pos[i]![d] = home[i]![d]! + 0.5 * (pos[i]![d]! - home[i]![d]!) + step(e) * rand();
      }
      const data = { ...epochData(run, e, pos), labels: Int32Array.from({ length: n }, (_, i) => i % 4) };
      out.push(...a.onEpochData(data).filter((x) => x.kind === 'geometry'));
    }
    return out;
  };
  t.deepEqual(simulate('settle', (e) => 1 / (1 + e)), []);
  const churn = simulate('churn', (e) => (e < 8 ? 1 / (1 + e) : (1 / 8) * 2 ** (e - 7)));
  // Steps that double every epoch reach the warning threshold at once: no separate info.
  t.deepEqual(churn.map((x) => x.severity), ['warning']);
  const warning = churn[0]!;
  t.is(warning.evidence['metric'], 'activations:drift');
  t.is(warning.evidence['source'], 'activations');
  t.is(warning.evidence['detector'], 'cusum');
  // The steps double from epoch 8: the excursion starts no earlier and is a warning within two epochs.
  t.true((warning.evidence['epochs'] as number[])[0]! >= 8);
  t.true(warning.epoch! >= 8 && warning.epoch! <= 10, `warning at ${warning.epoch}`);
  t.true((warning.evidence['statistic'] as number) >= (warning.evidence['threshold'] as number));
  // Regression, info after the run's warning: with rescale watched too, its info came epochs after
  // drift's warning had said more.
  const two = simulate('churn', (e) => (e < 8 ? 1 / (1 + e) : (1 / 8) * 2 ** (e - 7)), { geometryMetrics: ['activations:drift', 'activations:rescale'] });
  t.deepEqual(two.map((x) => `${x.severity} ${String(x.evidence['metric'])}`), ['warning activations:drift']);
});

test('rescale: a layer whose scale starts to bounce warns, which drift cannot see', (t) => {
  // The same 40 points every epoch, only their size changes: drift is 0 throughout. The size grows
  // 2% an epoch with a little wobble (settling); from epoch 12 it jumps by 30% up and down in turn,
  // as a layer does when the steps are too large for it.
  const base = Array.from({ length: 40 }, (_, i) => [Math.cos(i), Math.sin(2 * i), (i % 5) - 2]);
  const size = (e: number): number => (1 + 0.02 * e) * (1 + 0.005 * Math.sin(3 * e)) * (e >= 12 && e % 2 === 1 ? 1.3 : 1);
  const run = (metrics: Array<'activations:drift' | 'activations:rescale'>): AlertEvent[] => {
    const a = new Auditor({ geometryMetrics: metrics });
    const out: AlertEvent[] = [];
    for (let e = 0; e < 20; e++) out.push(...a.onEpochData(epochData('s', e, base.map((r) => r.map((v) => v * size(e))))).filter((x) => x.kind === 'geometry'));
    return out;
  };
  t.deepEqual(run(['activations:drift']), [], 'drift is blind to a change of scale');
  const both = run(['activations:drift', 'activations:rescale']);
  // One warning per run whatever signal gives it, and no info after it.
  t.deepEqual(both.map((x) => x.severity), ['warning']);
  const warned = both;
  t.is(warned.length, 1);
  t.is(warned[0]!.evidence['metric'], 'activations:rescale');
  t.true(warned[0]!.epoch! >= 12 && warned[0]!.epoch! <= 14, `warning at ${warned[0]!.epoch}`);
  t.true((warned[0]!.evidence['rescale'] as number) > 0.2);
});

test('metrics from both sources: the first to fire names the alert, once', (t) => {
  // Layout D/V break at 15; the activations start churning at 8 (same construction as above, simpler):
  // rows move by a growing step along one axis.
  const a = new Auditor({ geometryDetector: 'trigger', geometryMetrics: ['layout:V', 'activations:drift'], stdMargin: 0.2 });
  const out: AlertEvent[] = [];
  for (let e = 0; e < 25; e++) {
    const step = e < 8 ? 1 / (1 + e) : 2 ** (e - 8) / 8;
    const rows = Array.from({ length: 12 }, (_, i) => [i % 3 === 0 ? 5 : 0, i % 3 === 1 ? 5 : 0, i + (e % 2 === 0 ? step : -step) * (i % 2 ? 1 : -1)]);
    out.push(...a.onEpochData({ ...epochData('m', e, rows), labels: Int32Array.from({ length: 12 }, (_, i) => i % 3) }));
    out.push(...a.onLayout(layout('m', e, 10, h(e, 15))));
  }
  const geo = out.filter((x) => x.kind === 'geometry');
  t.is(geo.length, 1);
  t.is(geo[0]!.evidence['metric'], 'activations:drift');
  // Steps: 1/8 at epochs 7 and 8, then 1/4 and 1/2: drift rises at 9 and 10 (k = 2), long before 15.
  t.is(geo[0]!.epoch, 10);
});
