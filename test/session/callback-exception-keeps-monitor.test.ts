/**
 * Fault: an exception thrown from a timer or event callback (the once-a-second silence check, the
 * engine worker's answer, a dashboard redraw) escaped to the event loop and ended the monitor with
 * no summary and no synced recording. Each now becomes an internal_error notice (an alert-log
 * line, a headless line) and the monitor carries on.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { MonitorSession, type Presenter } from '../../src/session/monitor-session.js';
import { createEngine } from '../../src/engine-thread/engine-factory.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { Dashboard } from '../../src/ui/dashboard.js';
import { OffscreenInput, OffscreenOutput } from '../helpers/offscreen-terminal.js';
import type { Event } from '../../src/model/events.js';

/** A presenter that keeps every event and throws on those `failOn` picks (once each, or always). */
function throwingPresenter(failOn: (e: Event) => boolean): Presenter & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    sink: (e) => {
      events.push(e);
      if (failOn(e)) throw new Error(`presenter choked on ${e.event}`);
    },
    close: () => {},
  };
}

function frames(run: string, epochs: number, n = 40, dim = 4): Buffer[] {
  let seq = 0;
  const id = () => ({ run, seq: seq++ });
  const out = [encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim, classes: ['a', 'b'] })];
  for (let e = 0; e < epochs; e++) {
    out.push(encodeFrame({ type: 'batch', ...id(), epoch: e }, {
      x: { dtype: 'float32', shape: [n, dim], data: Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 0.37 + e)) },
      id: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i) },
      label: { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, (_, i) => i % 2) },
    }));
    out.push(encodeFrame({ type: 'epoch_end', ...id(), epoch: e }));
  }
  return out;
}

const internalErrors = (events: readonly Event[]) => events.filter((e) => e.event === 'notice' && e.topic === 'internal_error').map((e) => (e as { message: string }).message);

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('a presenter that throws on the silence event, raised from the once-a-second timer, does not end the monitor', async (t) => {
  const presenter = throwingPresenter((e) => e.event === 'silence' || e.event === 'hello');
  const session = new MonitorSession({ presenter, audit: {}, silenceS: 1, exitOnEnd: false, watchSilence: true });
  for (const f of frames('quiet', 1)) session.receive(f, Date.now());
  // The producer now stays silent: the tick timer reports it (and the presenter throws there).
  await until('the silence event', () => presenter.events.some((e) => e.event === 'silence'), 10_000);
  await until('its internal_error notice', () => internalErrors(presenter.events).length >= 2, 5_000);
  const messages = internalErrors(presenter.events);
  t.regex(messages[0]!, /^internal error in the presenter \(the monitor goes on\): Error: presenter choked on hello$/);
  t.regex(messages[1]!, /^internal error in the presenter \(the monitor goes on\): Error: presenter choked on silence$/);
  // Still taking frames and stopping in order.
  session.receive(encodeFrame({ type: 'end', run: 'quiet', seq: 3 }), Date.now());
  t.is(await session.stop(), 0);
  t.like(presenter.events.at(-1), { event: 'summary', frames: 4, rejected: 0 });
  t.true(presenter.events.some((e) => e.event === 'end'));
});

test("an exception while handling the engine worker's answer does not end the monitor; later epochs are still projected", async (t) => {
  // Every layout event throws in the presenter: it is delivered from the worker's message handler.
  const presenter = throwingPresenter((e) => e.event === 'layout');
  const session = new MonitorSession({ presenter, audit: {}, silenceS: 300, exitOnEnd: false, watchSilence: false, engine: createEngine({ seed: 7, budgetMs: 200 }) });
  const all = frames('proj', 2);
  for (const f of all) session.receive(f, Date.now());
  await until('both epochs reported', () => presenter.events.filter((e) => e.event === 'epoch').length >= 2);
  t.is(await session.stop(), 0);
  const epochs = presenter.events.filter((e) => e.event === 'epoch') as { engine?: string }[];
  t.deepEqual(epochs.map((e) => e.engine === 'projected' || e.engine === 'skipped'), [true, true]);
  t.true(epochs.some((e) => e.engine === 'projected'));
  t.true(internalErrors(presenter.events).every((m) => /^internal error in the presenter .*choked on layout/.test(m)));
  t.true(internalErrors(presenter.events).length >= 1);
  t.is(presenter.events.at(-1)!.event, 'summary');
});

test('a dashboard redraw that throws becomes a line in the alert log; the dashboard keeps drawing', async (t) => {
  const output = new OffscreenOutput(120, 40);
  const dash = new Dashboard({ input: new OffscreenInput(), output, terminal: 'xterm-256color', env: {}, ascii: true });
  t.teardown(() => dash.close());
  await until('the first frame', () => dash.paints >= 1, 10_000);
  // Fault injection: the scatter panel fails on one frame (as a bug in a painter would).
  const paint = dash.scatter.paint.bind(dash.scatter);
  let failures = 0;
  dash.scatter.paint = () => {
    failures++;
    throw new RangeError('painter broke');
  };
  dash.handle({ event: 'hello', run: 'r', producer: '0', layer: 'fc', dim: 4 } as Event);
  await until('the failing redraw', () => failures >= 1, 10_000);
  dash.scatter.paint = paint;
  const before = dash.paints;
  dash.handle({ event: 'metrics', run: 'r', epoch: 0, values: { loss: 1 } } as Event);
  await until('the next frame', () => dash.paints > before, 10_000);
  dash.renderNow(true);
  t.true(dash.snapshot().join('\n').includes('internal error in the dashboard redraw'), dash.snapshot().join('\n'));
});
