/**
 * Regression tests for the pipeline's epoch reporting when the engine skips epochs:
 * epoch events of a run come out in epoch order, and `finished` is true on the last one.
 */
import test from 'ava';
import { Pipeline } from '../../src/session/pipeline.js';
import type { EngineLike } from '../../src/engine-thread/engine-client.js';
import type { EngineHandlers } from '../../src/engine-thread/engine-client.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import type { EpochSet } from '../../src/model/epoch-data.js';
import type { Event } from '../../src/model/events.js';

const DIM = 3;

function batch(seq: number, epoch: number): Buffer {
  return encodeFrame(
    { type: 'batch', run: 'r', seq, epoch },
    { x: { dtype: 'float32', shape: [2, DIM], data: new Float32Array(2 * DIM).fill(epoch + 1) }, id: { dtype: 'int32', shape: [2], data: new Int32Array([0, 1]) } },
  );
}

/** An engine that holds every set until the test releases it, like a busy worker. */
class HeldEngine implements EngineLike {
  readonly held: EpochSet[] = [];
  constructor(readonly h: EngineHandlers) {}
  submit(set: EpochSet): void {
    this.held.push(set);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

test('skipped epochs are reported after the older epoch still being projected, in order; finished holds on the last event', (t) => {
  const events: Event[] = [];
  let engine!: HeldEngine;
  let finishedAtLastEpoch: boolean | undefined;
  const pipeline: Pipeline = new Pipeline({
    silenceMs: Infinity,
    engine: (h) => (engine = new HeldEngine(h)),
    sink: (e) => {
      events.push(e);
      if (e.event === 'epoch' && e.epoch === 2) finishedAtLastEpoch = pipeline.finished;
    },
  });
  pipeline.receive(encodeFrame({ type: 'hello', run: 'r', seq: 0, layer: 'l', dim: DIM }), 0);
  for (let e = 0; e < 3; e++) {
    pipeline.receive(batch(1 + 2 * e, e), 0);
    pipeline.receive(encodeFrame({ type: 'epoch_end', run: 'r', seq: 2 + 2 * e, epoch: e }), 0);
  }
  pipeline.receive(encodeFrame({ type: 'end', run: 'r', seq: 7 }), 0);
  t.deepEqual(engine.held.map((s) => s.epoch), [0, 1, 2]);
  // The engine, busy with 0, skips 1; then finishes 2 before 0.
  engine.h.onSkipped('r', 1);
  t.false(events.some((e) => e.event === 'epoch'), 'nothing is reported while epoch 0 is still open');
  const layout = (epoch: number) => ({ run: 'r', epoch, n: 0, ids: new Float64Array(), positions: new Float32Array(), split: new Uint8Array(), metrics: { sample_rate: 1, rel_density: 1, update_ms: 1, train_steps: 1, loss: 0, nn15: 1, trust15: 1 } });
  engine.h.onLayout(layout(2));
  t.false(events.some((e) => e.event === 'epoch'));
  engine.h.onLayout(layout(0));
  const epochs = events.filter((e): e is Extract<Event, { event: 'epoch' }> => e.event === 'epoch');
  t.deepEqual(epochs.map((e) => [e.epoch, e.engine]), [[0, 'projected'], [1, 'skipped'], [2, 'projected']]);
  t.true(finishedAtLastEpoch);
});
