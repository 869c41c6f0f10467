/**
 * Design aid: the per-epoch representation signals of corpus recordings, one TSV block per run
 * (drift of the train split, effective rank, dead-unit share, class geometry on the activations,
 * val_loss, lr). Only design-part runs unless --held-out is given, so that the held-out third stays
 * unseen while the rule is chosen.
 *
 *   npx tsx test/audit/corpus/dump-signals.ts [--held-out] [RUN ...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecording } from '../../../src/sources/recording-reader.js';
import { Pipeline } from '../../../src/session/pipeline.js';
import { DriftTracker } from '../../../src/audit/drift.js';
import { activationSignals } from '../../../src/audit/activation-signals.js';
import { activationGeometry } from '../../../src/audit/geometry-signals.js';
import type { EpochSet } from '../../../src/model/epoch-data.js';
import type { Event } from '../../../src/model/events.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'runs');

interface Entry {
  readonly run: string;
  readonly file: string;
  readonly part: string;
  readonly health: string;
  readonly failure: string | null;
  readonly onset: number | null;
}

const args = process.argv.slice(2);
const heldOut = args.includes('--held-out');
const only = args.filter((a) => !a.startsWith('--'));
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'corpus.json'), 'utf8')) as { runs: Entry[] };
const f = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '-' : Number(v.toPrecision(4)).toString());

for (const e of manifest.runs) {
  if (only.length && !only.includes(e.run)) continue;
  if (e.part !== 'design' && !heldOut) continue;
  const file = path.join(DIR, e.file);
  if (!fs.existsSync(file)) continue;
  const metrics = new Map<number, Record<string, number>>();
  const sets: EpochSet[] = [];
  const pipeline = new Pipeline({
    sink: (ev: Event) => {
      if (ev.event === 'metrics') metrics.set(ev.epoch, { ...metrics.get(ev.epoch), ...ev.values });
    },
    onEpochSet: (s) => sets.push(s),
    silenceMs: Infinity,
  });
  for (const { frame, time } of readRecording(file).frames) pipeline.receive(frame, time);
  pipeline.flush();
  const drift = new DriftTracker();
  process.stdout.write(`# ${e.run} ${e.health} ${e.failure ?? ''} onset=${e.onset ?? '-'} part=${e.part}\nepoch\tdrift\trank\tdead\tD\tV\tsep\tval_loss\tval_acc\tlr\n`);
  for (const s of sets) {
    const tr = s.splits.find((x) => x.split === 'train');
    if (!tr) continue;
    const d = drift.push(tr.x, tr.dim, tr.n, tr.ids);
    const a = activationSignals(tr, { maxRankRows: 128 });
    const g = activationGeometry(tr);
    const m = metrics.get(s.epoch) ?? {};
    process.stdout.write(
      [s.epoch, f(d ?? undefined), f(a.effectiveRank), f(a.deadShare), f(g?.D), f(g?.V), f(g?.sep), f(m['val_loss']), f(m['val_acc']), f(m['lr'])].join('\t') + '\n',
    );
  }
}
