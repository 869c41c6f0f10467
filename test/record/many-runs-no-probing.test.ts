/**
 * Fault: with 4000 distinct run names every run kept its file open until exit, and each new run
 * found a free file name by probing with synchronous opens (quadratic: 32 ms on the main thread
 * per new run at 4000). Names now come from one listing plus memory: one open per run, the one
 * that creates its file; at most maxOpenFiles files open at once; every frame in its own run's file.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_OPEN_FILES, Recorder } from '../../src/record/recorder.js';
import { readRecording } from '../../src/sources/recording-reader.js';
import { decodeFrame } from '../../src/protocol/decode.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { Tracker } from './fs-wrappers.js';
import { fastFs, tempDir } from './helpers.js';

const RUNS = 4000;

const hello = (run: string) => encodeFrame({ type: 'hello', run, producer: '0', seq: 0, layer: 'l', dim: 1 });
const end = (run: string) => encodeFrame({ type: 'end', run, producer: '0', seq: 1 });

test('4000 distinct runs: unique names, one open per run, open files capped, each frame in its own run\'s file', async (t) => {
  const dir = tempDir(t, 'many', fastFs());
  // Names already taken, including one that two stems below collide on.
  for (const name of ['run-7.scamrec', 'run-7.1.scamrec', 'a_b.scamrec.incomplete']) fs.writeFileSync(path.join(dir, name), 'earlier');
  const tracker = new Tracker();
  const errors: Error[] = [];
  const rec = new Recorder(dir, (e) => errors.push(e), { fs: tracker.fs });
  const runs = [...Array.from({ length: RUNS - 2 }, (_, i) => `run-${i}`), 'a/b', 'a_b'];
  let mostOpen = 0;
  const ends: Promise<void>[] = [];
  for (const [i, run] of runs.entries()) {
    t.is(rec.append(run, hello(run), i), undefined);
    // Half the runs end at once (their files close); the others stay open-ended, as a stray producer's would.
    if (i % 2 === 0) {
      rec.append(run, end(run), i);
      ends.push(rec.endRun(run));
    }
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    mostOpen = Math.max(mostOpen, tracker.filesOpen(dir));
  }
  await Promise.all(ends);
  await rec.close();
  t.deepEqual(errors, []);
  t.deepEqual(tracker.violations, []);
  t.is(tracker.readdirs, 1, 'the folder is listed once, at start');
  const creates = tracker.opens.filter((o) => o.creates);
  t.is(creates.length, RUNS, 'one creating open per run: no probing, no retry');
  t.is(new Set(creates.map((o) => o.path)).size, RUNS);
  t.true(mostOpen <= DEFAULT_MAX_OPEN_FILES, `at most ${mostOpen} files open at once`);
  t.is(tracker.openNow.size, 0, 'all closed');

  const names = fs.readdirSync(dir);
  t.is(names.length, RUNS + 3);
  t.is(fs.readFileSync(path.join(dir, 'run-7.scamrec'), 'utf8'), 'earlier', 'nothing overwritten');
  t.deepEqual([rec.paths.get('run-7'), rec.paths.get('a/b'), rec.paths.get('a_b')].map((p) => path.basename(p!)), ['run-7.2.scamrec', 'a_b.1.scamrec', 'a_b.2.scamrec']);
  for (const [i, run] of runs.entries()) {
    const r = readRecording(rec.paths.get(run)!);
    const sent = i % 2 === 0 ? [hello(run), end(run)] : [hello(run)];
    t.is(r.frames.length, sent.length, run);
    for (const f of r.frames) {
      const d = decodeFrame(f.frame);
      if (!d.ok || d.frame.run !== run) t.fail(`${run}'s file holds a frame of ${d.ok ? d.frame.run : 'nothing valid'}`);
    }
  }
});
