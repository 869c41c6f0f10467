/**
 * Quantitative validation (`sentrycam eval`): per epoch, SentryCam's layout and time beside a
 * umap-js fit of the same points. Both layouts are scored the same way: neighbour preservation and
 * trustworthiness @15 against the raw D-dimensional neighbours of a seeded query sample, and
 * stability (umap-js layouts first aligned to their predecessor by Procrustes, so that only real
 * change counts).
 */
import type { EngineOptions } from '../engine/engine.js';
import type { EpochSet } from '../model/epoch-data.js';
import { ProjectionEngine } from '../engine/engine.js';
import { initTf } from '../tf/backend.js';
import { matrix } from '../engine/knn.js';
import { faithfulness, layoutDiameter, stability } from '../engine/metrics.js';
import { alignToPrevious } from '../engine/procrustes.js';
import { umapFit } from './umap-baseline.js';
import { createRng, deriveSeed, sampleIndices } from '../util/random.js';
import type { EpochData } from '../model/epoch-data.js';

/** One row of the validation table. Absent umap fields: umap-js was not run on that epoch. */
export interface EvalRow {
  readonly run: string;
  readonly epoch: number;
  /** Train points (what both methods lay out and are scored on). */
  readonly n: number;
  readonly update_ms: number;
  readonly nn15: number;
  readonly trust15: number;
  readonly stability?: number;
  readonly umap_ms?: number;
  readonly umap_nn15?: number;
  readonly umap_trust15?: number;
  readonly umap_stability?: number;
}

/** Settings of an evaluation. */
export interface EvalOptions {
  /** Engine settings (seed, budget, ...). */
  readonly engine?: EngineOptions;
  /** Which epochs get a umap-js fit: all (default), none, or a predicate. */
  readonly umap?: 'all' | 'none' | ((epoch: number, index: number) => boolean);
  /** Query rows for the scores (all rows when n is smaller) [1000]. */
  readonly queries?: number;
  /** Seed of the query sample and umap-js [0]. */
  readonly seed?: number;
  /** Called after each row (progress). */
  readonly onRow?: (row: EvalRow) => void;
}

/** Neighbourhood size of every score. */
const K = 15;

function trainOf(set: EpochSet): EpochData {
  return set.splits.find((s) => s.split === 'train') ?? set.splits[0];
}

/**
 * Evaluate a sequence of epochs (in arrival order; runs may interleave).
 * @param sets the epochs, e.g. assembled from a recording
 */
export async function evaluateEpochs(sets: Iterable<EpochSet> | AsyncIterable<EpochSet>, opts: EvalOptions = {}): Promise<EvalRow[]> {
  const { tf } = await initTf();
  const engine = new ProjectionEngine(opts.engine ?? {});
  const seed = opts.seed ?? 0;
  const queriesWanted = opts.queries ?? 1000;
  const umapWhen = opts.umap ?? 'all';
  const rows: EvalRow[] = [];
  // Per run: the previous layouts (by id) of both methods.
  const prevOurs = new Map<string, { ids: Float64Array; pos: Float32Array }>();
  const prevUmap = new Map<string, { ids: Float64Array; pos: Float32Array; index: number }>();
  let index = 0;
  for await (const set of sets) {
    const train = trainOf(set);
    const layout = await engine.update(set);
    // The train split's rows of the engine's layout (splits are concatenated in input order).
    let offset = 0;
    for (const s of set.splits) {
      if (s === train) break;
      offset += s.n;
    }
    const ours = layout.positions.slice(offset * 2, (offset + train.n) * 2);
    const high = matrix(train.x, train.n, train.dim);
    const qrng = createRng(deriveSeed(seed, 'eval-queries', set.run, set.epoch));
    const queries = sampleIndices(train.n, Math.min(train.n, queriesWanted), qrng).sort();
    const degenerate = layout.metrics.degenerate === true || train.n < K + 2;
    const f = degenerate ? { nn: NaN, trust: NaN } : faithfulness(tf, high, ours, K, queries);
    const po = prevOurs.get(set.run);
    const stab = po ? stability(po.ids, po.pos, train.ids, ours, layoutDiameter(ours)) : NaN;
    prevOurs.set(set.run, { ids: train.ids, pos: ours });
    let row: EvalRow = {
      run: set.run,
      epoch: set.epoch,
      n: train.n,
      update_ms: layout.metrics.update_ms,
      nn15: f.nn,
      trust15: f.trust,
      ...(Number.isFinite(stab) ? { stability: stab } : {}),
    };
    const doUmap = !degenerate && (umapWhen === 'all' || (typeof umapWhen === 'function' && umapWhen(set.epoch, index)));
    if (doUmap) {
      const fit = umapFit(train.x, train.n, train.dim, { seed: deriveSeed(seed, 'umap', set.run, set.epoch) });
      const uf = faithfulness(tf, high, fit.positions, K, queries);
      const pu = prevUmap.get(set.run);
      let ustab = NaN;
      let aligned = fit.positions;
      if (pu) {
        aligned = alignToPrevious(pu.ids, pu.pos, train.ids, fit.positions);
        ustab = stability(pu.ids, pu.pos, train.ids, aligned, layoutDiameter(aligned));
      }
      prevUmap.set(set.run, { ids: train.ids, pos: aligned, index });
      row = {
        ...row,
        umap_ms: fit.ms,
        umap_nn15: uf.nn,
        umap_trust15: uf.trust,
        ...(Number.isFinite(ustab) ? { umap_stability: ustab } : {}),
      };
    }
    rows.push(row);
    opts.onRow?.(row);
    index++;
  }
  return rows;
}

/** Column order and headings of the table. */
const COLUMNS: readonly [keyof EvalRow, string, number][] = [
  ['run', 'run', 0],
  ['epoch', 'epoch', 0],
  ['n', 'n', 0],
  ['update_ms', 'ms', 0],
  ['nn15', 'nn15', 3],
  ['trust15', 'trust15', 3],
  ['stability', 'stab', 4],
  ['umap_ms', 'umap_ms', 0],
  ['umap_nn15', 'u_nn15', 3],
  ['umap_trust15', 'u_trust15', 3],
  ['umap_stability', 'u_stab', 4],
];

function cell(v: unknown, digits: number): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
  return String(v);
}

/** Means over the rows that have each field (degenerate NaNs excluded). */
export function summariseEval(rows: readonly EvalRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key] of COLUMNS) {
    if (key === 'run' || key === 'epoch') continue;
    const vals = rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vals.length > 0) out[key] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return out;
}

/** A fixed-width text table with a mean row. */
export function formatEvalTable(rows: readonly EvalRow[]): string {
  const mean = summariseEval(rows);
  const body = rows.map((r) => COLUMNS.map(([key, , digits]) => cell(r[key], digits)));
  body.push(COLUMNS.map(([key, , digits]) => (key === 'run' ? 'mean' : key === 'epoch' ? '' : cell(mean[key], digits))));
  const head = COLUMNS.map(([, h]) => h);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const fmt = (line: string[]) => line.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n') + '\n';
}

/** One JSON object per line; non-finite numbers become null. */
export function formatEvalJson(rows: readonly EvalRow[]): string {
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))).join('\n') + '\n';
}
