/**
 * Design aid: why some developing failures get less than 2 epochs of lead (docs/alerts.md#why-three-ramps-fall-short).
 * Replays the design runs once (held-out ones instead with --held-out, to study them after the rule
 * is fixed), then replays the drift series of each through the change detector alone, per setting:
 *
 * - `--trace RUN...`: the drift detector's state epoch by epoch on those runs (level, reference, noise,
 *   z, S), with rescale beside it;
 * - the separation table: per setting and signal (drift; rescale, |ln| of the radius ratio between
 *   epochs; knn, the share of each sample's 10 nearest neighbours that changed; the class spread V,
 *   the separation sep, the effective rank), the largest S any healthy run reaches where a warning could
 *   fire (past the burn-in, rising), against the S each failing run has reached by two epochs before
 *   its val-loss baseline. A threshold between the two exists only when the failing value is larger;
 * - the grid: k x refWindow x targetArl with the threshold from the target run length, the settings
 *   under which no healthy run warns and no failing run is warned after its baseline.
 *
 *   npx tsx test/audit/corpus/lead-limits.ts [--held-out] [--trace RUN ...]
 */
import fs from 'node:fs';
import path from 'node:path';
import { Auditor } from '../../../src/audit/auditor.js';
import { ChangeDetector, cusumThreshold } from '../../../src/audit/cusum.js';
import { DriftTracker, idSubset } from '../../../src/audit/drift.js';
import { activationSignals } from '../../../src/audit/activation-signals.js';
import { activationGeometry } from '../../../src/audit/geometry-signals.js';
import { evidenceRow, REPRESENTATION_KINDS, type CorpusEntry } from '../../../src/audit/evidence-summary.js';
import { AUDIT_DEFAULTS } from '../../../src/audit/options.js';
import type { AlertEvent, Event } from '../../../src/model/events.js';
import { Pipeline } from '../../../src/session/pipeline.js';
import { readRecording } from '../../../src/sources/recording-reader.js';
import { CORPUS_MANIFEST, readManifest } from '../../../src/tools/evidence-table.js';

/** Per-epoch signals the study compares: drift (the default), rescale, kNN change, class spread V, separation, effective rank. */
type Signal = 'drift' | 'rescale' | 'knn' | 'V' | 'sep' | 'rank';
/** The direction each signal moves when training goes wrong. */
const BAD: Readonly<Record<Signal, 'up' | 'down'>> = { drift: 'up', rescale: 'up', knn: 'up', V: 'up', sep: 'down', rank: 'down' };
type Series = ReadonlyArray<readonly [number, number]>;

/** What the study needs of one run: its signal series, its baseline, and the non-drift representation warnings. */
interface Study {
  readonly truth: CorpusEntry;
  readonly series: Readonly<Record<Signal, Series>>;
  readonly loss: number | null;
  /** First dead-units or collapse alert at warning or above (they count as the geometry warning too). */
  readonly other: number | null;
  readonly metrics: ReadonlyMap<number, Record<string, number>>;
}

/** Detector settings varied here (the rest are the defaults). */
interface Setting {
  readonly k: number;
  readonly refWindow: number;
  readonly minNoise: number;
  readonly winsor: number;
  readonly floor: number;
  readonly warnWhileRising: boolean;
}

const D = AUDIT_DEFAULTS;
const DEFAULT: Setting = { k: D.cusumK, refWindow: D.refWindow, minNoise: D.minNoise, winsor: D.winsor, floor: D.logFloor, warnWhileRising: D.warnWhileRising };

function study(dir: string, truth: CorpusEntry): Study {
  const alerts: AlertEvent[] = [];
  const metrics = new Map<number, Record<string, number>>();
  const series: Record<Signal, Array<[number, number]>> = { drift: [], rescale: [], knn: [], V: [], sep: [], rank: [] };
  const tracker = new DriftTracker({ percentile: D.radiusPercentile });
  let neighbours: { ids: Float64Array; sets: Array<Set<number>> } | null = null;
  const epochs: number[] = [];
  const pipeline = new Pipeline({
    sink: (e: Event) => {
      if (e.event === 'alert') alerts.push(e);
      if (e.event === 'metrics') metrics.set(e.epoch, { ...e.values, ...metrics.get(e.epoch) });
    },
    onEpochSet: (s) => {
      epochs.push(s.epoch);
      const t = s.splits.find((x) => x.split === 'train');
      if (!t) return;
      const v = tracker.push(t.x, t.dim, t.n, t.ids, idSubset(t.ids, D.maxDriftRows));
      if (v !== null) series.drift.push([s.epoch, v]);
      if (tracker.rescale !== null) series.rescale.push([s.epoch, tracker.rescale]);
      const g = activationGeometry(t, { percentile: D.radiusPercentile });
      if (g) series.V.push([s.epoch, g.V]);
      if (g && Number.isFinite(g.sep)) series.sep.push([s.epoch, g.sep]);
      series.rank.push([s.epoch, activationSignals(t, { maxRankRows: D.maxRankRows }).effectiveRank]);
      const sets = nearest(t.x, t.dim, t.n, KNN);
      const same = neighbours !== null && neighbours.ids.length === t.n && neighbours.ids.every((id, i) => id === t.ids[i]);
      if (same) series.knn.push([s.epoch, 1 - sets.reduce((a, nb, i) => a + [...nb].filter((j) => neighbours!.sets[i]!.has(j)).length, 0) / (KNN * t.n)]);
      neighbours = { ids: t.ids, sets };
    },
    auditor: new Auditor(),
    silenceMs: Infinity,
  });
  for (const { frame, time } of readRecording(path.join(dir, truth.file)).frames) pipeline.receive(frame, time);
  pipeline.flush();
  const row = evidenceRow(truth.file, { run: truth.run, alerts, epochs }, truth);
  const loud = alerts.filter((a) => a.kind !== 'geometry' && REPRESENTATION_KINDS.has(a.kind) && a.severity !== 'info' && a.epoch !== null);
  return { truth, series, loss: row.loss, other: loud.length ? Math.min(...loud.map((a) => a.epoch!)) : null, metrics };
}

/** Neighbours counted by the kNN-change signal. */
const KNN = 10;

/** Each row's KNN nearest rows (squared Euclidean; non-finite rows end up with arbitrary neighbours). */
function nearest(x: ArrayLike<number>, dim: number, n: number, k: number): Array<Set<number>> {
  const out: Array<Set<number>> = [];
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < dim; c++) {
        const v = x[i * dim + c]! - x[j * dim + c]!;
        acc += v * v;
      }
      d2[j] = i === j || !Number.isFinite(acc) ? Infinity : acc;
    }
    out.push(new Set(Array.from(d2.keys()).sort((a, b) => d2[a]! - d2[b]!).slice(0, k)));
  }
  return out;
}

/** S after each value, and whether a warning could fire there (past the burn-in, rising). */
function statistics(s: Study, set: Setting, signal: Signal = 'drift'): Array<{ epoch: number; S: number; eligible: boolean; det: ChangeDetector }> {
  const det = new ChangeDetector({ bad: BAD[signal], k: set.k, h: 1e9, hInfo: 1e9, burnIn: D.burnIn, refWindow: set.refWindow, minNoise: set.minNoise, winsor: set.winsor, floor: set.floor, warnWhileRising: set.warnWhileRising });
  return s.series[signal].map(([epoch, v], i) => {
    det.push(epoch, v);
    const st = det.last?.epoch === epoch ? det.last : null;
    return { epoch, S: det.value, eligible: i + 1 > D.burnIn && st !== null && (st.rising || !set.warnWhileRising), det };
  });
}

const f = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

function trace(s: Study): void {
  const h = cusumThreshold(D.targetArl, DEFAULT.k);
  process.stdout.write(`\n${s.truth.run} (${s.truth.part}, onset ${s.truth.onset ?? '-'}, val-loss baseline ${s.loss ?? 'none'}, warning threshold h ${f(h)})\n`);
  process.stdout.write('| epoch | drift | level | reference | noise | z | S | rescale | val_loss | lr |\n|---|---|---|---|---|---|---|---|---|---|\n');
  const rescale = new Map(s.series.rescale);
  const det = new ChangeDetector({ bad: 'up', k: DEFAULT.k, h, hInfo: cusumThreshold(D.infoArl, DEFAULT.k), burnIn: D.burnIn, refWindow: DEFAULT.refWindow, minNoise: DEFAULT.minNoise, winsor: DEFAULT.winsor, floor: DEFAULT.floor, warnWhileRising: DEFAULT.warnWhileRising });
  for (const [epoch, v] of s.series.drift) {
    const fired = det.push(epoch, v).map((x) => x.severity).join('+');
    const st = det.last?.epoch === epoch ? det.last : null;
    const m = s.metrics.get(epoch) ?? {};
    const cells = [epoch, f(v, 3), st ? f(st.level) : '-', st ? f(st.reference) : '-', st ? f(st.noise, 3) : '-', st ? f(st.z) : '-', `${f(det.value)}${fired ? ` ${fired}` : ''}`, f(rescale.get(epoch) ?? NaN, 3), f(m['val_loss'] ?? NaN, 3), f(m['lr'] ?? NaN, 4)];
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
  }
}

/** The S a developing failure reaches by two epochs before its baseline (the latest a warning may come). */
function byDeadline(s: Study, set: Setting, signal: Signal): number {
  if (s.loss === null) return Infinity;
  return Math.max(0, ...statistics(s, set, signal).filter((x) => x.eligible && x.epoch <= s.loss! - 2).map((x) => x.S));
}

function separation(runs: readonly Study[], name: string, set: Setting, signal: Signal = 'drift'): string {
  const healthy = runs.filter((s) => s.truth.health === 'healthy');
  let worst = { S: 0, run: '-' };
  for (const s of healthy) for (const x of statistics(s, set, signal)) if (x.eligible && x.S > worst.S) worst = { S: x.S, run: s.truth.run };
  // Developing failures the drift detector has to catch itself (no dead-units or collapse warning in time).
  const dev = runs.filter((s) => s.truth.tempo === 'developing' && s.loss !== null && !(s.other !== null && s.other <= s.loss - 2));
  const cells = dev.map((s) => byDeadline(s, set, signal));
  const caught = cells.filter((v) => v > worst.S).length;
  return `| ${name} | ${f(worst.S)} (${worst.run}) | ${cells.map((v) => f(v)).join(' | ')} | ${caught} of ${dev.length} |`;
}

function leadsAt(runs: readonly Study[], set: Setting, arl: number): { healthyWarned: number; late: number; early: number; dev: number; short: string[] } {
  const h = cusumThreshold(arl, set.k);
  const warnAt = (s: Study): number | null => statistics(s, set).find((x) => x.eligible && x.S >= h)?.epoch ?? null;
  let healthyWarned = 0;
  let late = 0;
  let early = 0;
  let dev = 0;
  const short: string[] = [];
  for (const s of runs) {
    const w = warnAt(s);
    if (s.truth.health === 'healthy') {
      if (w !== null) healthyWarned++;
      continue;
    }
    const g = [w, s.other].filter((v): v is number => v !== null);
    const first = g.length ? Math.min(...g) : null;
    const lead = first !== null && s.loss !== null ? s.loss - first : null;
    if (lead !== null && lead < 0) late++;
    if (s.truth.tempo !== 'developing') continue;
    dev++;
    if (first !== null && (lead === null || lead >= 2)) early++;
    else short.push(`${s.truth.run} ${lead ?? 'none'}`);
  }
  return { healthyWarned, late, early, dev, short };
}

function main(argv: readonly string[]): void {
  const heldOut = argv.includes('--held-out');
  const ti = argv.indexOf('--trace');
  const traced = ti < 0 ? [] : argv.slice(ti + 1).filter((a) => !a.startsWith('--'));
  const { dir, entries } = readManifest(CORPUS_MANIFEST);
  const part = heldOut ? 'held-out' : 'design';
  const runs = entries.filter((e) => e.part === part && fs.existsSync(path.join(dir, e.file))).map((e) => study(dir, e));
  for (const r of traced) {
    const s = runs.find((x) => x.truth.run === r);
    if (!s) throw new Error(`lead-limits: no ${part} run ${r} (held-out runs need --held-out)`);
    trace(s);
  }
  if (traced.length) return;

  const dev = runs.filter((s) => s.truth.tempo === 'developing' && s.loss !== null && !(s.other !== null && s.other <= s.loss - 2));
  process.stdout.write(`\n${part} part: largest healthy S vs failing S by baseline - 2\n\n| setting | largest healthy S | ${dev.map((s) => s.truth.run).join(' | ')} | separable |\n|${'---|'.repeat(dev.length + 3)}\n`);
  const variants: ReadonlyArray<readonly [string, Partial<Setting>]> = [
    ['defaults', {}],
    ['k 0.5', { k: 0.5 }],
    ['k 0.75', { k: 0.75 }],
    ['refWindow 3', { refWindow: 3 }],
    ['refWindow 7', { refWindow: 7 }],
    ['minNoise 0.05', { minNoise: 0.05 }],
    ['winsor 1', { winsor: 1 }],
    ['logFloor 0', { floor: 0 }],
    ['warnWhileRising off', { warnWhileRising: false }],
  ];
  for (const [name, v] of variants) process.stdout.write(`${separation(runs, name, { ...DEFAULT, ...v })}\n`);
  for (const signal of ['rescale', 'knn', 'V', 'sep', 'rank'] as const) {
    for (const [name, v] of variants.slice(0, 3)) process.stdout.write(`${separation(runs, `${signal}, ${name}`, { ...DEFAULT, ...v }, signal)}\n`);
  }

  process.stdout.write(`\n${part} part: k x refWindow x targetArl, threshold from the run length; rows with no healthy warning and none after the baseline\n\n| k | refWindow | targetArl | h | developing lead >= 2 | short |\n|---|---|---|---|---|---|\n`);
  let tried = 0;
  for (const k of [0.5, 0.75, 1, 1.25]) {
    for (const refWindow of [3, 4, 5, 6, 7]) {
      for (const arl of [300, 500, 1000, 2000]) {
        tried++;
        const r = leadsAt(runs, { ...DEFAULT, k, refWindow }, arl);
        if (r.healthyWarned === 0 && r.late === 0) process.stdout.write(`| ${k} | ${refWindow} | ${arl} | ${f(cusumThreshold(arl, k))} | ${r.early} of ${r.dev} | ${r.short.join(', ')} |\n`);
      }
    }
  }
  process.stdout.write(`\n(${tried} settings tried)\n`);
}

main(process.argv.slice(2));
