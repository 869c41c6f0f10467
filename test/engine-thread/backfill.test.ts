/**
 * Live backfill (issue 14): epochs skipped while the engine was busy are laid out afterwards, in
 * idle time, by the real worker, so the run's history is complete; live epochs keep priority.
 */
import test from 'ava';
import { EngineClient, type EngineHandlers } from '../../src/engine-thread/engine-client.js';
import { BackfillQueue } from '../../src/engine-thread/backfill-queue.js';
import type { EpochLayout } from '../../src/model/epoch-layout.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';
import type { EngineOptions } from '../../src/engine/engine.js';

const fast: EngineOptions = { seed: 1, fixedWork: { steps: 2, coldSteps: 3, refineEpochs: 5, coldRefineEpochs: 20 } };

test('skipped epochs are laid out in idle time, after the live ones, under the run name', async (t) => {
  const events: string[] = [];
  const backfilled: EpochLayout[] = [];
  const handlers: EngineHandlers = {
    onLayout: (l) => events.push(`layout ${l.run}:${l.epoch}`),
    onSkipped: (run, epoch) => events.push(`skipped ${run}:${epoch}`),
    onState: (s, run, epoch) => events.push(s === 'idle' ? 'idle' : `training ${run}:${epoch}`),
    onError: (err) => events.push(`error ${err.message}`),
    onBackfill: (l) => {
      backfilled.push(l);
      events.push(`backfill ${l.run}:${l.epoch}`);
    },
  };
  const client = new EngineClient(fast, handlers);
  const a = new SyntheticStream({ n: 300, dim: 20, clusters: 3, rank: 4, seed: 1, run: 'a' });
  // Epochs 1, 2 and 3 arrive while 0 is projected: 1 and 2 are replaced (skipped), 3 waits.
  for (let e = 0; e < 4; e++) client.submit({ run: 'a', epoch: e, splits: a.next() });
  await client.idle();
  await client.close();
  t.deepEqual(events, [
    'training a:0',
    'skipped a:1',
    'skipped a:2',
    'layout a:0',
    'training a:3',
    'layout a:3',
    'training a:1',
    'backfill a:1',
    'training a:2',
    'backfill a:2',
    'idle',
  ]);
  for (const l of backfilled) {
    t.is(l.n, 300);
    t.true([...l.positions].every(Number.isFinite));
    t.is(l.regions, undefined, 'regions were drawn in the shadow frame');
  }
});

test('without an onBackfill handler nothing is kept; the queue holds at most its caps', (t) => {
  const q = new BackfillQueue({ maxSets: 2, maxBytes: Infinity });
  const s = new SyntheticStream({ n: 10, dim: 4, clusters: 2, rank: 2, seed: 1, run: 'r' });
  for (let e = 0; e < 3; e++) q.add({ run: 'r', epoch: e, splits: s.next() });
  t.is(q.size, 2);
  t.is(q.dropped, 1, 'the oldest dropped');
  const next = q.take()!;
  t.is(next.epoch, 1);
  t.is(BackfillQueue.runOf(next.run), 'r');
  t.not(next.run, 'r', 'laid out under a shadow run');
  q.dropRun('r');
  t.is(q.size, 0, 'a forgotten run takes its queued epochs with it');
  const small = new BackfillQueue({ maxSets: 10, maxBytes: 100 });
  small.add({ run: 'r', epoch: 0, splits: s.next() });
  t.is(small.size, 0, '10x4 float32 + ids is over 100 bytes');
});
