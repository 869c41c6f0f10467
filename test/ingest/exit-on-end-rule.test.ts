/**
 * Fault: `watch --exit-on-end` waited for every run that ever said hello to end, so a client that
 * said hello under a run name of its own and never finished (a crashed job, or a hostile one)
 * kept the monitor from ever exiting after the real run's end. The rule now: a run has ended, and
 * every other run held has ended or gone quiet (each of its producers ended or reported silent).
 */
import test from 'ava';
import { batch, end, epochEnd, harness, hello } from './ingest-helpers.js';

test('exit-on-end: a run left open by its producer holds the exit only until the producer is reported silent', (t) => {
  const h = harness(2000);
  h.ingest.accept(hello({ run: 'real', seq: 0 }), 0);
  // Another client says hello, opens an epoch that never ends, and stops sending.
  h.ingest.accept(hello({ run: 'left', seq: 0 }), 0);
  h.ingest.accept(batch({ run: 'left', seq: 1 }, { epoch: 0, ids: [1, 2] }), 100);
  h.ingest.accept(batch({ run: 'real', seq: 1 }, { epoch: 0, ids: [1, 2] }), 500);
  h.ingest.accept(epochEnd({ run: 'real', seq: 2 }, 0), 600);
  h.ingest.accept(end({ run: 'real', seq: 3 }), 700);
  t.false(h.ingest.allEndedOrQuiet, '"left" was heard from 0.6 s ago: it may still be going');
  h.ingest.tick(1500);
  t.false(h.ingest.allEndedOrQuiet);
  h.ingest.tick(2200);
  t.deepEqual(h.of('silence').map((e) => e.run), ['left']);
  t.true(h.ingest.allEndedOrQuiet, 'once "left" is reported silent, only the ended run counts');
  // "left" talks again: it is going again, and the exit waits for it.
  h.ingest.accept(batch({ run: 'left', seq: 2 }, { epoch: 1, ids: [1] }), 2300);
  t.false(h.ingest.allEndedOrQuiet);
});

test('exit-on-end: frames that were refused hold nothing; a run going quiet before any run ended is not an end', (t) => {
  const h = harness(1000);
  h.ingest.accept(hello({ run: 'real', seq: 0 }), 0);
  // Refused: no hello for this run, and a stray producer in the real one.
  t.like(h.ingest.accept(batch({ run: 'never-said-hello', seq: 0 }, { epoch: 0, ids: [1] }), 10), { code: 'no_hello' });
  t.like(h.ingest.accept(epochEnd({ run: 'real', producer: 'stray', seq: 0 }, 0), 10), { code: 'no_hello' });
  h.ingest.tick(5000);
  t.false(h.ingest.allEndedOrQuiet, 'the only run is quiet but has not ended');
  h.ingest.accept(end({ run: 'real', seq: 1 }), 5100);
  t.true(h.ingest.allEndedOrQuiet);
});
