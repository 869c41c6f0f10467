/**
 * --record-max: the oldest finished recordings go first, each reported; files being written, files
 * written to recently (another monitor's) and files that are not recordings are never removed.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { pruneFolder } from '../../src/record/folder-cap.js';
import { encodeFrame } from '../../src/protocol/encode.js';
import { RawPush } from '../sources/raw-push.js';
import { startWatch, tempDir } from '../cli/cli-process.js';
import { rawEvents, schemaProblems } from '../helpers/event-schema.js';

const HOUR = 3_600_000;

/** A file of `bytes` zero bytes last modified `ageMs` ago. */
function put(dir: string, name: string, bytes: number, ageMs: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.alloc(bytes));
  const t = (Date.now() - ageMs) / 1000;
  fs.utimesSync(file, t, t);
  return file;
}

test('pruneFolder removes oldest first and spares busy, recent and foreign files', (t) => {
  const dir = tempDir('prune');
  const busy = put(dir, 'live.scamrec', 3000, 5 * HOUR); // oldest of all, but being written
  const a = put(dir, 'a.scamrec.gz', 1000, 4 * HOUR);
  const b = put(dir, 'b.scamrec.incomplete', 1000, 3 * HOUR);
  put(dir, 'c.1.scamrec', 1000, 2 * HOUR);
  put(dir, 'fresh.scamrec', 1000, 1000); // another monitor may be writing it
  put(dir, 'notes.txt', 50_000, 9 * HOUR); // not a recording: neither counted nor removed
  const pruned = pruneFolder(dir, 5000, new Set([busy]));
  t.deepEqual(pruned, [
    { file: a, bytes: 1000, folderBytes: 6000, maxBytes: 5000 },
    { file: b, bytes: 1000, folderBytes: 5000, maxBytes: 5000 },
  ]);
  t.deepEqual(fs.readdirSync(dir).sort(), ['c.1.scamrec', 'fresh.scamrec', 'live.scamrec', 'notes.txt']);
  t.deepEqual(pruneFolder(dir, 1, new Set([busy])).map((p) => path.basename(p.file)), ['c.1.scamrec'], 'only protected files left');
  t.true(fs.existsSync(busy) && fs.existsSync(path.join(dir, 'fresh.scamrec')));
});

test('watch --record-max 1M: old runs pruned at start and as the live run grows, never the live file', async (t) => {
  const cwd = tempDir('recmax');
  const runs = path.join(cwd, 'sentrycam-runs');
  fs.mkdirSync(runs);
  const old = [0, 1, 2].map((i) => put(runs, `old-${i}.scamrec`, 400 * 1024, (5 - i) * HOUR));
  const address = 'tcp://127.0.0.1:58060';
  const watch = await startWatch(['--listen', address, '--record-max', '1M', '--exit-on-end'], cwd);
  const first = await watch.waitFor((e) => e.event === 'record_pruned', 60_000, 'pruned at start');
  t.deepEqual(first, { event: 'record_pruned', file: old[0], bytes: 400 * 1024, folder_bytes: 800 * 1024, max_bytes: 1024 * 1024 });
  const push = new RawPush(address);
  let seq = 0;
  const id = () => ({ run: 'big', producer: 'p', seq: seq++ });
  const n = 1000;
  const dim = 125; // 500 kB of float32 per epoch
  const frames = [encodeFrame({ type: 'hello', ...id(), layer: 'fc', dim })];
  for (let epoch = 0; epoch < 3; epoch++) {
    frames.push(
      encodeFrame({ type: 'batch', ...id(), epoch }, { x: { dtype: 'float32', shape: [n, dim], data: new Float32Array(n * dim).fill(epoch) }, id: { dtype: 'uint32', shape: [n], data: Uint32Array.from({ length: n }, (_, i) => i) } }),
      encodeFrame({ type: 'epoch_end', ...id(), epoch }),
    );
  }
  frames.push(encodeFrame({ type: 'end', ...id() }));
  await push.send(...frames);
  await push.close();
  t.is(await watch.exit(120_000), 0, watch.stderr());
  const pruned = watch.events.filter((e) => e.event === 'record_pruned');
  t.deepEqual(pruned.map((e) => e.file), old, 'oldest first, every old run; the live one never');
  t.true(pruned.every((e) => e.bytes === 400 * 1024 && e.max_bytes === 1024 * 1024));
  t.deepEqual(schemaProblems(rawEvents(watch.stdout())), [], 'record_pruned as docs/events.schema.json says');
  t.deepEqual(fs.readdirSync(runs), ['big.scamrec'], 'the run just recorded stays, over the cap or not');
  t.true(fs.statSync(path.join(runs, 'big.scamrec')).size > 1024 * 1024);
});
