import test from 'ava';
import { EngineClient, type EngineHandlers } from '../../src/engine-thread/engine-client.js';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import type { EngineOptions } from '../../src/engine/engine.js';

const fast: EngineOptions = { seed: 1, fixedWork: { steps: 2, coldSteps: 3, refineEpochs: 5, coldRefineEpochs: 20 } };

function recorder() {
  const events: string[] = [];
  const layouts: EpochLayout[] = [];
  const errors: Error[] = [];
  const handlers: EngineHandlers = {
    onLayout: (l) => {
      layouts.push(l);
      events.push(`layout ${l.run}:${l.epoch}`);
    },
    onSkipped: (run, epoch) => events.push(`skipped ${run}:${epoch}`),
    onState: (s, run, epoch) => events.push(s === 'idle' ? 'idle' : `training ${run}:${epoch}`),
    onError: (err, run, epoch) => {
      errors.push(err);
      events.push(`error ${run}:${epoch}`);
    },
  };
  return { events, layouts, errors, handlers };
}

test('a real worker projects epochs; sets arriving while busy keep only the newest per run', async (t) => {
  const r = recorder();
  const client = new EngineClient(fast, r.handlers);
  const a = new SyntheticStream({ n: 300, dim: 20, clusters: 3, rank: 4, seed: 1, run: 'a' });
  const b = new SyntheticStream({ n: 200, dim: 20, clusters: 3, rank: 4, seed: 2, run: 'b' });
  const first = a.next();
  const x0 = first[0].x;
  client.submit({ run: 'a', epoch: 0, splits: first });
  // Transferred, not copied: the caller's buffer is detached.
  t.is(x0.length, 0);
  // While epoch 0 trains: a1, a2, b0 arrive; a1 is replaced by a2.
  client.submit({ run: 'a', epoch: 1, splits: a.next() });
  client.submit({ run: 'b', epoch: 0, splits: b.next() });
  client.submit({ run: 'a', epoch: 2, splits: a.next() });
  await client.idle();
  await client.close();
  t.deepEqual(r.errors, []);
  t.deepEqual(r.events, ['training a:0', 'skipped a:1', 'layout a:0', 'training b:0', 'layout b:0', 'training a:2', 'layout a:2', 'idle']);
  const l = r.layouts[2];
  t.is(l.n, 300);
  t.is(l.positions.length, 600);
  t.true([...l.positions].every(Number.isFinite));
  t.is(typeof l.metrics.nn15, 'number');
  t.true(l.metrics.stability !== undefined);
});

test('an update that fails is reported with its run and epoch, and the worker carries on', async (t) => {
  const r = recorder();
  const client = new EngineClient(fast, r.handlers);
  const s = new SyntheticStream({ n: 100, dim: 8, clusters: 2, rank: 2, seed: 3, run: 'r' });
  const good = s.next();
  const bad = s.next();
  // A dimension change within a run is refused by the engine.
  const broken = { ...bad[0], dim: 4, x: new Float32Array(100 * 4) };
  client.submit({ run: 'r', epoch: 0, splits: good });
  await client.idle();
  client.submit({ run: 'r', epoch: 1, splits: [broken] });
  await client.idle();
  client.submit({ run: 'r', epoch: 2, splits: s.next() });
  await client.idle();
  await client.close();
  t.is(r.errors.length, 1);
  t.regex(r.errors[0].message, /changed dimension from 8 to 4/);
  t.deepEqual(r.layouts.map((l) => l.epoch), [0, 2]);
  t.throws(() => client.submit({ run: 'r', epoch: 3, splits: s.next() }), { message: /closed/ });
});

test('bad engine options surface as errors of the submitted sets', async (t) => {
  const r = recorder();
  const client = new EngineClient({ budgetMs: -5 }, r.handlers);
  const s = new SyntheticStream({ n: 50, dim: 4, clusters: 2, rank: 2, seed: 4, run: 'x' });
  client.submit({ run: 'x', epoch: 0, splits: s.next() });
  await client.idle();
  await client.close();
  t.is(r.errors.length, 1);
  t.regex(r.errors[0].message, /budgetMs must be a positive number/);
});

test('a view into a larger buffer is copied, never detached from under its other users', async (t) => {
  const r = recorder();
  const client = new EngineClient(fast, r.handlers);
  const [split] = new SyntheticStream({ n: 120, dim: 6, clusters: 2, rank: 2, seed: 6, run: 'v' }).next();
  // x lives in the middle of a bigger buffer that something else still uses.
  const big = new Float32Array(split.x.length + 20);
  big.set(split.x, 10);
  big[0] = 42;
  const view = big.subarray(10, 10 + split.x.length);
  client.submit({ run: 'v', epoch: 0, splits: [{ ...split, x: view }] });
  await client.idle();
  await client.close();
  t.is(big.length, split.x.length + 20);
  t.is(big[0], 42);
  t.is(view.length, split.x.length);
  t.is(r.layouts.length, 1);
  t.is(r.layouts[0].n, 120);
});

test('engine worker out of its heap: the epoch fails, a new worker is started with a growing backoff, the client never throws', async (t) => {
  const r = recorder();
  const restarts: { delay: number; message: string }[] = [];
  // 16 MB cannot even load the engine: every worker dies at start, a real crash each time.
  const client = new EngineClient(fast, { ...r.handlers, onRestart: (err, delay) => restarts.push({ delay, message: err.message }) }, { maxHeapMb: 16, restartDelayMs: 100 });
  const a = new SyntheticStream({ n: 100, dim: 8, clusters: 2, rank: 2, seed: 1, run: 'a' });
  client.submit({ run: 'a', epoch: 0, splits: a.next() });
  const deadline = Date.now() + 60_000;
  while (restarts.length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  await client.close();
  t.true(restarts.length >= 3, `restarts: ${restarts.length}`);
  t.deepEqual(restarts.slice(0, 3).map((x) => x.delay), [100, 200, 400]);
  t.regex(restarts[0]!.message, /memory limit|exited unexpectedly/);
  // The epoch is reported once, as failed: nothing waits on it through the backoff.
  t.deepEqual(r.events.filter((e) => e.startsWith('error')), ['error a:0']);
  t.deepEqual(r.layouts, []);
});

test('leftover epochs (completed for silent or forgotten producers) wait until no live epoch does: many runs left behind cannot starve a live one', async (t) => {
  const r = recorder();
  const client = new EngineClient(fast, r.handlers);
  const stream = (run: string, seed: number) => new SyntheticStream({ n: 60, dim: 8, clusters: 2, rank: 2, seed, run });
  const live = stream('live', 1);
  client.submit({ run: 'live', epoch: 0, splits: live.next() });
  // While the live run's epoch 0 trains: three runs left behind hand in leftovers, then the live run its next epoch.
  for (const [i, run] of ['gone-1', 'gone-2', 'gone-3'].entries()) client.submit({ run, epoch: 0, splits: stream(run, 10 + i).next(), leftover: true });
  client.submit({ run: 'live', epoch: 1, splits: live.next() });
  await client.idle();
  await client.close();
  t.deepEqual(r.errors, []);
  t.deepEqual(r.layouts.map((l) => `${l.run}:${l.epoch}`), ['live:0', 'live:1', 'gone-1:0', 'gone-2:0', 'gone-3:0']);
});
