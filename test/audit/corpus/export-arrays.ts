/**
 * Design aid: writes each design-part corpus recording's train split as plain arrays for offline
 * study (OUT/RUN.json: epochs, n, dim, ids, labels, metrics; OUT/RUN.f32: epochs x n x dim float32,
 * rows in the first epoch's id order). Held-out runs only with --held-out.
 *
 *   npx tsx test/audit/corpus/export-arrays.ts OUT [--held-out] [RUN ...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecording } from '../../../src/sources/recording-reader.js';
import { Pipeline } from '../../../src/session/pipeline.js';
import type { EpochData } from '../../../src/model/epoch-data.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'runs');
const [out, ...rest] = process.argv.slice(2);
if (!out) throw new Error('usage: export-arrays.ts OUT [--held-out] [RUN ...]');
const heldOut = rest.includes('--held-out');
const only = rest.filter((a) => !a.startsWith('--'));
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'corpus.json'), 'utf8')) as { runs: { run: string; file: string; part: string }[] };
fs.mkdirSync(out, { recursive: true });
for (const e of manifest.runs) {
  if (only.length && !only.includes(e.run)) continue;
  if (e.part !== 'design' && !heldOut) continue;
  const file = path.join(DIR, e.file);
  if (!fs.existsSync(file)) continue;
  const metrics: Record<number, Record<string, number>> = {};
  const train: EpochData[] = [];
  const pipeline = new Pipeline({
    sink: (ev) => {
      if (ev.event === 'metrics') metrics[ev.epoch] = { ...metrics[ev.epoch], ...ev.values };
    },
    onEpochSet: (s) => {
      const t = s.splits.find((x) => x.split === 'train');
      if (t) train.push(t);
    },
    silenceMs: Infinity,
  });
  for (const { frame, time } of readRecording(file).frames) pipeline.receive(frame, time);
  pipeline.flush();
  const first = train[0]!;
  const row = new Map(Array.from(first.ids, (id, i) => [id, i]));
  const n = first.n;
  const dim = first.dim;
  const buf = new Float32Array(train.length * n * dim).fill(NaN);
  train.forEach((t, k) => {
    for (let i = 0; i < t.n; i++) {
      const r = row.get(t.ids[i]!);
      if (r !== undefined) buf.set(t.x.subarray(i * dim, (i + 1) * dim), (k * n + r) * dim);
    }
  });
  fs.writeFileSync(path.join(out, `${e.run}.f32`), Buffer.from(buf.buffer));
  fs.writeFileSync(
    path.join(out, `${e.run}.json`),
    JSON.stringify({ run: e.run, epochs: train.map((t) => t.epoch), n, dim, ids: Array.from(first.ids), labels: first.labels ? Array.from(first.labels) : null, metrics }),
  );
  process.stdout.write(`${e.run}: ${train.length} epochs x ${n} x ${dim}\n`);
}
