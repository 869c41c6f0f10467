/**
 * The forgetting signal (continual learning, opt-in with --alert-forgetting; docs/alerts.md#forgetting).
 * When the trained task changes (metrics' `task`, protocol 1.1), the task that ended keeps a
 * snapshot of its samples' representations from its last epoch. Every later epoch measures, on the
 * train split's rows (a fixed subset by id):
 * - drift: how far those samples moved since, in units of their spread at the task's end;
 * - mix: the share of their k nearest neighbours (raw activations) that belong to another task,
 *   against the same share at the task's end.
 * A task whose samples drifted and whose neighbourhoods filled with other tasks' samples is being
 * forgotten: the new task took its place in the representation. Both must hold, so the drift of a
 * network that keeps learning (rehearsal, joint training) without mixing stays quiet.
 */
import type { AlertEvent } from '../model/events.js';
import type { EpochData } from '../model/epoch-data.js';
import type { AlertDraft } from './messages.js';
import type { ResolvedAuditOptions } from './options.js';
import { onceFor } from './rate-limit.js';
import type { AuditRunState } from './run-state.js';

/** Neighbours per sample for the mix share. */
export const FORGETTING_K = 10;
/** Ended tasks whose snapshots are kept per run (the oldest is dropped beyond it). */
export const MAX_ENDED_TASKS = 16;

/** The sampled rows of one epoch's train split. */
interface Snapshot {
  readonly epoch: number;
  readonly dim: number;
  /** Ids in ascending order, and the rows' activations / tasks in that order. */
  readonly ids: Float64Array;
  readonly x: Float32Array;
  readonly tasks: Int32Array;
  /** Mix share per task at this epoch. */
  readonly mix: ReadonlyMap<number, number>;
}

/** An ended task: its samples at its last epoch. */
interface EndedTask {
  readonly task: number;
  /** Last epoch trained on it. */
  readonly endedEpoch: number;
  readonly dim: number;
  /** id -> row of `x`. */
  readonly rows: ReadonlyMap<number, number>;
  readonly x: Float32Array;
  /** RMS distance of its samples from their centroid at the end. */
  readonly spread: number;
  readonly mixBefore: number;
}

/** What the forgetting signal remembers of one run. */
export class ForgettingState {
  /** Task being trained per the latest metrics, and the epoch it started. */
  task: number | undefined;
  /** The last two snapshots, newest last (a switch may be announced before or after its epoch's data). */
  readonly snapshots: Snapshot[] = [];
  readonly ended: EndedTask[] = [];
  /** Latest measurement per ended task (tests, evidence). */
  readonly latest = new Map<number, { epoch: number; drift: number; mix: number }>();
}

/** The measured signal of one ended task at one epoch. */
export interface ForgettingReading {
  readonly task: number;
  readonly epoch: number;
  readonly endedEpoch: number;
  readonly drift: number;
  readonly mix: number;
  readonly mixBefore: number;
  readonly rows: number;
}

/** Rows kept: every ceil(n / maxRows)-th in id order, so the same samples are kept every epoch. */
function sample(data: EpochData, maxRows: number): { ids: Float64Array; x: Float32Array; tasks: Int32Array } | null {
  if (!data.tasks) return null;
  const order = Array.from({ length: data.n }, (_, i) => i).sort((a, b) => data.ids[a]! - data.ids[b]!);
  const stride = Math.max(1, Math.ceil(data.n / maxRows));
  const keep = order.filter((_, k) => k % stride === 0 && data.tasks![order[k]!]! >= 0);
  const ids = new Float64Array(keep.length);
  const x = new Float32Array(keep.length * data.dim);
  const tasks = new Int32Array(keep.length);
  keep.forEach((r, k) => {
    ids[k] = data.ids[r]!;
    tasks[k] = data.tasks![r]!;
    x.set(data.x.subarray(r * data.dim, (r + 1) * data.dim), k * data.dim);
  });
  return { ids, x, tasks };
}

function dist2(x: Float32Array, i: number, j: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const v = x[i * dim + d]! - x[j * dim + d]!;
    s += v * v;
  }
  return s;
}

/** Per task: the mean share of its rows' k nearest neighbours (exact, raw space) from other tasks. */
export function mixShares(x: Float32Array, tasks: Int32Array, dim: number, k = FORGETTING_K): Map<number, number> {
  const n = tasks.length;
  const sums = new Map<number, { other: number; rows: number }>();
  const kk = Math.min(k, n - 1);
  if (kk < 1) return new Map();
  // The kk best so far, ascending by distance (ties: the lower index, as it is seen first).
  const bestD = new Float64Array(kk);
  const bestJ = new Int32Array(kk);
  for (let i = 0; i < n; i++) {
    bestD.fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dj = dist2(x, i, j, dim);
      if (dj >= bestD[kk - 1]!) continue;
      let m = kk - 1;
      while (m > 0 && bestD[m - 1]! > dj) {
        bestD[m] = bestD[m - 1]!;
        bestJ[m] = bestJ[m - 1]!;
        m--;
      }
      bestD[m] = dj;
      bestJ[m] = j;
    }
    let other = 0;
    for (let m = 0; m < kk; m++) if (tasks[bestJ[m]!] !== tasks[i]) other++;
    const s = sums.get(tasks[i]!) ?? { other: 0, rows: 0 };
    s.other += other / kk;
    s.rows++;
    sums.set(tasks[i]!, s);
  }
  return new Map([...sums].map(([t, s]) => [t, s.other / s.rows]));
}

/** Freeze the task that ended at the newest snapshot before `switchEpoch`. */
function endTask(st: ForgettingState, task: number, switchEpoch: number): void {
  const snap = [...st.snapshots].reverse().find((s) => s.epoch < switchEpoch);
  if (!snap || st.ended.some((e) => e.task === task)) return;
  const rows = new Map<number, number>();
  const { dim } = snap;
  const centroid = new Float64Array(dim);
  for (let i = 0; i < snap.ids.length; i++) {
    if (snap.tasks[i] !== task) continue;
    rows.set(snap.ids[i]!, i);
    for (let d = 0; d < dim; d++) centroid[d]! += snap.x[i * dim + d]!;
  }
  if (rows.size < 2) return;
  for (let d = 0; d < dim; d++) centroid[d]! /= rows.size;
  let ss = 0;
  for (const i of rows.values()) for (let d = 0; d < dim; d++) ss += (snap.x[i * dim + d]! - centroid[d]!) ** 2;
  st.ended.push({ task, endedEpoch: snap.epoch, dim, rows, x: snap.x, spread: Math.sqrt(ss / rows.size), mixBefore: snap.mix.get(task) ?? 0 });
  if (st.ended.length > MAX_ENDED_TASKS) st.ended.shift();
}

/** metrics' `task`: a change ends the previous task. */
export function noteTask(st: ForgettingState, epoch: number, task: number | undefined): void {
  if (task === undefined || task === st.task) return;
  const previous = st.task;
  st.task = task;
  if (previous !== undefined) endTask(st, previous, epoch);
}

/** One epoch's train split: measure every ended task; returns the readings (and snapshots the epoch). */
export function forgettingReadings(st: ForgettingState, data: EpochData, maxRows: number): ForgettingReading[] {
  const s = sample(data, maxRows);
  if (!s || s.ids.length < 2) return [];
  const mix = mixShares(s.x, s.tasks, data.dim);
  st.snapshots.push({ epoch: data.epoch, dim: data.dim, ...s, mix });
  if (st.snapshots.length > 2) st.snapshots.shift();
  // A switch announced after its first epoch's data: the task ended at the snapshot before.
  const out: ForgettingReading[] = [];
  for (const e of st.ended) {
    if (data.epoch <= e.endedEpoch || e.dim !== data.dim || !(e.spread > 0)) continue;
    let moved = 0;
    let rows = 0;
    for (let i = 0; i < s.ids.length; i++) {
      const r = e.rows.get(s.ids[i]!);
      if (r === undefined) continue;
      let d2 = 0;
      for (let d = 0; d < data.dim; d++) d2 += (s.x[i * data.dim + d]! - e.x[r * data.dim + d]!) ** 2;
      moved += Math.sqrt(d2);
      rows++;
    }
    if (rows === 0) continue;
    const reading = { task: e.task, epoch: data.epoch, endedEpoch: e.endedEpoch, drift: moved / rows / e.spread, mix: mix.get(e.task) ?? 0, mixBefore: e.mixBefore, rows };
    st.latest.set(e.task, { epoch: reading.epoch, drift: reading.drift, mix: reading.mix });
    out.push(reading);
  }
  return out;
}

const pct = (v: number): string => `${Math.round(v * 100)}%`;

/** The alert of one reading. */
export function forgettingAlert(run: string, r: ForgettingReading, o: ResolvedAuditOptions): AlertDraft {
  return {
    run,
    epoch: r.epoch,
    kind: 'forgetting',
    severity: 'warning',
    message:
      `task ${r.task} is being forgotten: since it ended (epoch ${r.endedEpoch}) its samples moved ${r.drift.toFixed(2)} spreads ` +
      `and ${pct(r.mix)} of their ${FORGETTING_K} nearest neighbours are now other tasks' samples (${pct(r.mixBefore)} when it ended)`,
    evidence: {
      task: r.task,
      ended_epoch: r.endedEpoch,
      drift: Number(r.drift.toFixed(4)),
      mix: Number(r.mix.toFixed(4)),
      mix_before: Number(r.mixBefore.toFixed(4)),
      k: FORGETTING_K,
      rows: r.rows,
      thresholds: { drift: o.forgettingDrift, mix_rise: o.forgettingMix },
    },
  };
}

/** Checks one assembled split (train only) when --alert-forgetting is on; pushes its alerts. */
export function forgettingAlerts(o: ResolvedAuditOptions, s: AuditRunState, st: ForgettingState, data: EpochData, out: AlertEvent[]): void {
  if (!o.alertForgetting || data.split !== 'train') return;
  for (const r of forgettingReadings(st, data, o.maxForgettingRows)) {
    if (r.drift >= o.forgettingDrift && r.mix - r.mixBefore >= o.forgettingMix) onceFor(s, out, `forgetting:${r.task}`, forgettingAlert(data.run, r, o));
  }
}
