/**
 * The forgetting alert (docs/alerts.md#forgetting) on the continual demo's recordings, through the
 * real decoder, ingest and auditor: split MNIST (digits 0-4, then 5-9 from epoch 6) fires it for
 * task 0 after the switch; the joint-training control (0-4, then all ten) does not; off by default.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../../src/session/pipeline.js';
import { Auditor } from '../../src/audit/auditor.js';
import { RecordingReader } from '../../src/sources/recording-reader.js';
import { mixShares } from '../../src/audit/forgetting.js';
import { resolveAuditOptions } from '../../src/audit/options.js';
import type { AlertEvent, MetricsEvent } from '../../src/model/events.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/runs/${name}.scamrec.gz`, import.meta.url));

async function replay(name: string, alertForgetting: boolean): Promise<{ alerts: AlertEvent[]; switchEpoch: number | undefined }> {
  const alerts: AlertEvent[] = [];
  let switchEpoch: number | undefined;
  let task: number | undefined;
  const p = new Pipeline({
    sink: (e) => {
      if (e.event === 'alert' && e.kind === 'forgetting') alerts.push(e);
      const m = e as MetricsEvent;
      if (e.event === 'metrics' && m.task !== undefined) {
        if (task !== undefined && m.task !== task) switchEpoch ??= m.epoch;
        task = m.task;
      }
    },
    auditor: new Auditor({ alertForgetting }),
    silenceMs: Infinity,
  });
  const reader = await RecordingReader.open(fixture(name));
  for await (const { frame, time } of reader.frames()) p.receive(frame, time);
  p.flush();
  return { alerts, switchEpoch };
}

test('split MNIST: forgetting of task 0 is raised after the switch to task 1', async (t) => {
  const { alerts, switchEpoch } = await replay('demo-continual-s1', true);
  t.is(switchEpoch, 6, 'the recording switches task at epoch 6');
  t.is(alerts.length, 1, 'once per forgotten task');
  const a = alerts[0]!;
  t.true(a.epoch! >= 6, `raised at epoch ${a.epoch}, after the switch`);
  t.is(a.severity, 'warning');
  t.like(a.evidence, { task: 0, ended_epoch: 5, k: 10 });
  const ev = a.evidence as { drift: number; mix: number; mix_before: number };
  t.true(ev.drift >= 0.5 && ev.mix - ev.mix_before >= 0.05, JSON.stringify(ev));
  t.regex(a.message, /^task 0 is being forgotten: since it ended \(epoch 5\) its samples moved \d\.\d\d spreads and \d+% of their 10 nearest neighbours are now other tasks' samples \(\d+% when it ended\)$/);
});

test('the joint-training control (task 1 = all ten digits) raises no forgetting', async (t) => {
  const { alerts, switchEpoch } = await replay('demo-continual-joint-s1', true);
  t.is(switchEpoch, 6, 'the same task switch');
  t.deepEqual(alerts, []);
});

test('forgetting is off by default', async (t) => {
  t.false(resolveAuditOptions().alertForgetting);
  const { alerts } = await replay('demo-continual-s1', false);
  t.deepEqual(alerts, []);
});

test('mix share: the share of k nearest neighbours from another task, per task', (t) => {
  // Two tight groups on a line; task 1 has a row inside task 0's group.
  const x = Float32Array.of(0, 0.1, 0.2, 0.3, 10, 10.1, 10.2);
  const tasks = Int32Array.of(0, 0, 0, 1, 1, 1, 1);
  const mix = mixShares(x, tasks, 1, 2);
  // Task 0: rows 0, 1 have neighbours {1,2}/{0,2}: 0 other; row 2: {1,3} -> 1/2. Mean 1/6.
  t.is(mix.get(0), 1 / 6);
  // Task 1: row 3: {2,1} -> 2/2; rows 4-6: all task 1. Mean 1/4.
  t.is(mix.get(1), 1 / 4);
});

test('bad forgetting options are refused by name', (t) => {
  t.throws(() => resolveAuditOptions({ forgettingMix: 2 }), { message: /forgettingMix must be in \[0, 1\]/ });
  t.throws(() => resolveAuditOptions({ forgettingDrift: -1 }), { message: /forgettingDrift must be a finite number >= 0/ });
  t.throws(() => resolveAuditOptions({ maxForgettingRows: 1 }), { message: /maxForgettingRows must be an integer >= 2/ });
});

test("a further layer's data (RUN/LAYER) follows its run's task, announced in the run's metrics", (t) => {
  const auditor = new Auditor({ alertForgetting: true });
  // 20 rows in 2-D: task 0 around (0, 0), task 1 around (10, 10); after the switch task 0 moves in among task 1.
  const epochData = (epoch: number, forgotten: boolean) => {
    const n = 20;
    const x = new Float32Array(n * 2);
    const tasks = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      tasks[i] = i < 10 ? 0 : 1;
      const home = tasks[i] === 1 || forgotten ? 10 : 0;
      x[2 * i] = home + (i % 5) * 0.1;
      x[2 * i + 1] = home + Math.floor(i / 5) * 0.1;
    }
    return { run: 'r/fc2', epoch, split: 'train' as const, n, dim: 2, x, ids: Float64Array.from({ length: n }, (_, i) => i), tasks };
  };
  const alerts: AlertEvent[] = [];
  for (let epoch = 0; epoch < 4; epoch++) {
    alerts.push(...auditor.onEvent({ event: 'metrics', run: 'r', epoch, values: {}, task: epoch < 2 ? 0 : 1 }));
    alerts.push(...auditor.onEpochData(epochData(epoch, epoch >= 2)));
  }
  const forgetting = alerts.filter((a) => a.kind === 'forgetting');
  t.is(forgetting.length, 1);
  t.like(forgetting[0], { run: 'r/fc2', epoch: 2, evidence: { task: 0, ended_epoch: 1 } });
});
