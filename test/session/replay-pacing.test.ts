/**
 * Replay on the dashboard lays out every epoch (issue 14: at --speed 1 the recording played faster
 * than the engine and only epochs 0 and 29 of 30 got layouts). A real recording through the real
 * engine worker, paced as `replay` paces the dashboard, at a speed far above what the engine keeps
 * up with: every epoch of the run must arrive as a layout, in order.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { MonitorSession } from '../../src/session/monitor-session.js';
import { runSession } from '../../src/session/run-session.js';
import { RecordingSource } from '../../src/sources/recording-source.js';
import { createEngine } from '../../src/engine-thread/engine-factory.js';
import { replayPacesToEngine } from '../../src/cli/replay.js';
import type { Event } from '../../src/model/events.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/runs/torch-mlp-digits-sgd-const-s1.scamrec.gz', import.meta.url));

test('replay pacing: the dashboard always waits for the engine, headless only at --speed 0', (t) => {
  t.true(replayPacesToEngine(false, 1));
  t.true(replayPacesToEngine(false, 50));
  t.true(replayPacesToEngine(true, 0));
  t.false(replayPacesToEngine(true, 1), 'headless --speed 1 keeps the recorded clock, as documented');
});

test('dashboard replay at a speed the engine cannot follow lays out every epoch (only 0 and 29 of 30 did)', async (t) => {
  const events: Event[] = [];
  const session = new MonitorSession({
    presenter: { sink: (e) => events.push(e), close: () => {} },
    engine: createEngine({ seed: 1, budgetMs: 100 }),
    audit: {},
    silenceS: 3600,
    exitOnEnd: false,
    watchSilence: false,
  });
  // 1000x the recorded pace: frames of a 30-epoch run come within a fraction of a second.
  const speed = 1000;
  const source = await RecordingSource.open(FIXTURE, { speed });
  const done = runSession(session, source, { command: 'replay', stopWhenDrained: true, paceToEngine: replayPacesToEngine(false, speed) });
  t.is(await done, 0);
  const epochs = [...new Set(events.flatMap((e) => (e.event === 'epoch' ? [e.epoch] : [])))];
  const layouts = events.flatMap((e) => (e.event === 'layout' ? [e.layout.epoch] : []));
  t.true(epochs.length >= 30, `the run has ${epochs.length} epochs`);
  t.deepEqual(layouts, epochs, 'one layout per epoch, in order');
  t.false(events.some((e) => e.event === 'epoch' && e.engine === 'skipped'), 'no epoch skipped');
});
