/**
 * Live, epochs skipped under load are laid out afterwards (issue 14): a real recording pushed into
 * the pipeline all at once (as a burst on a live socket would be, no pacing) through the real
 * engine worker. The engine skips most epochs at first; once idle it backfills them, and the
 * dashboard's history ends with a layout for every epoch. The epoch events still say "skipped":
 * that is what happened live; the audit saw every epoch's activations.
 */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../../src/session/pipeline.js';
import { createEngine } from '../../src/engine-thread/engine-factory.js';
import { RecordingReader } from '../../src/sources/recording-reader.js';
import { DashboardState } from '../../src/ui/dashboard-state.js';
import type { Event } from '../../src/model/events.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/runs/demo-continual-s1.scamrec.gz', import.meta.url));

test('a burst of 12 epochs: skipped ones are backfilled until the history holds every epoch (the guarded engine handlers dropped onBackfill)', async (t) => {
  const state = new DashboardState();
  const events: Event[] = [];
  const p = new Pipeline({
    sink: (e) => {
      events.push(e);
      state.handle(e);
    },
    engine: createEngine({ seed: 1, budgetMs: 100 }),
    silenceMs: Infinity,
  });
  const reader = await RecordingReader.open(FIXTURE);
  for await (const { frame, time } of reader.frames()) p.receive(frame, time);
  p.flush();
  await p.whenIdle();
  const skipped = events.filter((e) => e.event === 'epoch' && e.split === 'train' && e.engine === 'skipped').map((e) => (e as { epoch: number }).epoch);
  t.true(skipped.length > 0, 'the burst made the engine skip epochs');
  // Backfill runs in the engine's idle time after the live work: wait for it (a deadline, not a timing claim).
  const run = 'demo-continual-s1';
  const deadline = Date.now() + 300_000;
  while ((state.runs.get(run)?.layoutEpochs.length ?? 0) < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await p.close();
  t.deepEqual(state.runs.get(run)?.layoutEpochs, [...Array(12).keys()], 'every epoch has a layout');
  const backfilled = events.flatMap((e) => (e.event === 'layout' && e.backfill ? [e.layout.epoch] : []));
  t.deepEqual([...backfilled].sort((a, b) => a - b), [...skipped].sort((a, b) => a - b), 'exactly the skipped epochs were backfilled');
});
