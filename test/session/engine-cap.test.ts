/**
 * The cap on engine states (one per run and layer): beyond it the stream that ended first, else
 * the one idle longest, is dropped in the real worker, with a notice; the engine itself forgets.
 */
import test from 'ava';
import { Pipeline } from '../../src/session/pipeline.js';
import { EngineClient } from '../../src/engine-thread/engine-client.js';
import { ProjectionEngine, type EngineOptions } from '../../src/engine/engine.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { Event } from '../../src/model/events.js';
import { SyntheticStream } from '../../bench/synthetic-stream.js';

const fast: EngineOptions = { seed: 1, fixedWork: { steps: 2, coldSteps: 3, refineEpochs: 5, coldRefineEpochs: 20 } };

/** One epoch of a run (30 rows of 4 columns), optionally followed by its end. */
function oneEpoch(run: string, end: boolean): Buffer[] {
  const n = 30;
  const dim = 4;
  let seq = 0;
  const out = [encodeFrame({ type: 'hello', run, seq: seq++, layer: 'fc', dim })];
  out.push(encodeFrame({ type: 'batch', run, seq: seq++, epoch: 0 }, {
    x: { dtype: 'float32', shape: [n, dim], data: Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7)) },
    id: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
  }));
  out.push(encodeFrame({ type: 'epoch_end', run, seq: seq++, epoch: 0 }));
  if (end) out.push(encodeFrame({ type: 'end', run, seq: seq++ }));
  return out;
}

test('at the cap, the ended stream is dropped first, with a notice naming it and the cap', async (t) => {
  const events: Event[] = [];
  const p = new Pipeline({ sink: (e) => events.push(e), silenceMs: Infinity, maxEngineStreams: 2, engine: (h) => new EngineClient(fast, h) });
  let at = 0;
  for (const f of [...oneEpoch('live', false), ...oneEpoch('done', true), ...oneEpoch('new', false)]) p.receive(f, at++);
  await p.whenIdle();
  await p.close();
  const notices = events.filter((e) => e.event === 'notice');
  t.deepEqual(notices, [
    {
      event: 'notice',
      level: 'info',
      topic: 'engine',
      message: 'projection state of "done" dropped: the engine keeps 2 runs and layers (ended ones first, then the idlest); if it sends again, its layout starts afresh',
    },
  ]);
  t.deepEqual(events.filter((e) => e.event === 'epoch').map((e) => e.event === 'epoch' && [e.run, e.engine]).sort(), [['done', 'projected'], ['live', 'projected'], ['new', 'projected']]);
});

test('ProjectionEngine.forget drops the run state', async (t) => {
  const engine = new ProjectionEngine(fast);
  const s = new SyntheticStream({ n: 40, dim: 6, clusters: 2, rank: 2, seed: 3, run: 'a' });
  await engine.update({ run: 'a', epoch: 0, splits: s.next() });
  t.is(engine.runCount, 1);
  engine.forget('a');
  t.is(engine.runCount, 0);
});
