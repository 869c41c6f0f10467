/**
 * Quantitative validation (`sentrycam eval`): per epoch, SentryCam's shown layout beside its fair
 * baselines on the same points (docs/evaluation.md):
 * - the encoder alone (the projector's own layout of the train rows, from the same update);
 * - warm UMAP refinement alone (a second engine with the projector off);
 * - a umap-js refit of the epoch.
 * Every layout is scored with the engine's own metric definitions (docs/method.md#metrics): nn15
 * and trust15 against the exact raw-D neighbours of the same seeded query rows the live engine
 * uses, and stability between consecutive epochs (umap-js layouts first aligned to their
 * predecessor by Procrustes, so that only real change counts). Means are taken over the epochs
 * where every method was scored (summariseEval).
 */
import type { EngineOptions } from '../engine/engine.js';
import type { EpochSet } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { ProjectionEngine } from '../engine/engine.js';
import { initTf } from '../tf/backend.js';
import { matrix } from '../engine/knn.js';
import { layoutDiameter, metricQueryRows, scoreLayouts, stability } from '../engine/metrics.js';
import { alignToPrevious } from '../engine/procrustes.js';
import { umapFit } from './umap-baseline.js';
import { deriveSeed } from '../util/random.js';
import type { EpochData } from '../model/epoch-data.js';
import { TemporalRanking, type MethodLayout } from './temporal-ranking.js';

/** One row of the validation table. Absent fields: that method was not run (or not scorable) on that epoch. */
export interface EvalRow {
  readonly run: string;
  readonly epoch: number;
  /** Train points (what every method lays out and is scored on). */
  readonly n: number;
  /** SentryCam as shown. */
  readonly update_ms: number;
  readonly nn15: number;
  readonly trust15: number;
  readonly stability?: number;
  /** The encoder alone, the placed test split, and the decoder's metrics (the engine's own). */
  readonly encoder_nn15?: number;
  readonly encoder_trust15?: number;
  readonly test_nn15?: number;
  readonly ppr?: number;
  readonly region_agreement?: number;
  /** Warm UMAP refinement alone (projector off). */
  readonly warm_umap_ms?: number;
  readonly warm_umap_nn15?: number;
  readonly warm_umap_trust15?: number;
  readonly warm_umap_stability?: number;
  /** The test split placed without a projector (its train neighbours' mean position). */
  readonly warm_umap_test_nn15?: number;
  /** A umap-js refit; umap_stability only when the previous epoch was fitted too (1-epoch gap). */
  readonly umap_ms?: number;
  readonly umap_nn15?: number;
  readonly umap_trust15?: number;
  readonly umap_stability?: number;
  /**
   * Temporal ranking (docs/method.md#temporal-ranking), anchored at this epoch against the run's earlier
   * epochs that every method of this row laid out: top-5 overlap (from 10 such epochs) and Spearman
   * correlation (from 3) of raw vs 2-D distances to the anchor, per method.
   */
  readonly temporal_top5?: number;
  readonly temporal_spearman?: number;
  readonly warm_umap_temporal_top5?: number;
  readonly warm_umap_temporal_spearman?: number;
  readonly umap_temporal_top5?: number;
  readonly umap_temporal_spearman?: number;
}

/** Settings of an evaluation. */
export interface EvalOptions {
  /** Engine settings (seed, budget, ...); the baseline engine takes the same with the projector off. */
  readonly engine?: EngineOptions;
  /** Which epochs get a umap-js fit: all (default), none, or a predicate. */
  readonly umap?: 'all' | 'none' | ((epoch: number, index: number) => boolean);
  /** Run the warm-UMAP-alone baseline [true]. */
  readonly warmUmap?: boolean;
  /**
   * Query rows of the scores [the engine's metricQueries, 200]: the same rows as the live metrics,
   * so `eval` and the live nn15 agree.
   */
  readonly queries?: number;
  /** Seed of umap-js [the engine's seed]. The query rows always follow the engine's seed. */
  readonly seed?: number;
  /** Called after each row (progress). */
  readonly onRow?: (row: EvalRow) => void;
}

/** Neighbourhood size of every score. */
const K = 15;

function trainOf(set: EpochSet): EpochData {
  return set.splits.find((s) => s.split === 'train') ?? set.splits[0];
}

/** The train split's rows of a layout (splits are concatenated in input order). */
function trainPositions(set: EpochSet, train: EpochData, layout: EpochLayout): Float32Array {
  let offset = 0;
  for (const s of set.splits) {
    if (s === train) break;
    offset += s.n;
  }
  return layout.positions.slice(offset * 2, (offset + train.n) * 2);
}

/** A method's previous train layout per run, to measure stability. */
type Previous = Map<string, { ids: Float64Array; pos: Float32Array; index: number }>;

function stabilityAgainst(prev: Previous, run: string, index: number, ids: Float64Array, pos: Float32Array): number {
  const p = prev.get(run);
  prev.set(run, { ids, pos, index });
  return p && p.index === index - 1 ? stability(p.ids, p.pos, ids, pos, layoutDiameter(pos)) : NaN;
}

/** The value when finite, else nothing (spread into a row). */
function opt<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return typeof v === 'number' && Number.isFinite(v) ? ({ [key]: v } as Record<K, number>) : {};
}

/**
 * Evaluate a sequence of epochs (in arrival order; runs may interleave).
 * @param sets the epochs, e.g. assembled from a recording
 */
export async function evaluateEpochs(sets: Iterable<EpochSet> | AsyncIterable<EpochSet>, opts: EvalOptions = {}): Promise<EvalRow[]> {
  const { tf } = await initTf();
  const engineOpts = opts.engine ?? {};
  const engineSeed = engineOpts.seed ?? 0;
  const engine = new ProjectionEngine(engineOpts);
  const warmEngine = opts.warmUmap === false ? undefined : new ProjectionEngine({ ...engineOpts, projector: false });
  const seed = opts.seed ?? engineSeed;
  const queriesWanted = opts.queries ?? engineOpts.metricQueries ?? 200;
  const umapWhen = opts.umap ?? 'all';
  const rows: EvalRow[] = [];
  const prevOurs: Previous = new Map();
  const prevWarm: Previous = new Map();
  const prevUmap: Previous = new Map();
  const temporal = new TemporalRanking();
  let index = 0;
  for await (const set of sets) {
    const train = trainOf(set);
    // The warm baseline reads the same arrays (the engine only keeps references to them).
    const layout = await engine.update(set);
    const ours = trainPositions(set, train, layout);
    const degenerate = layout.metrics.degenerate === true || train.n < K + 2;
    const warmLayout = warmEngine && !degenerate ? await warmEngine.update(set) : undefined;
    const warm = warmLayout && !warmLayout.metrics.degenerate ? trainPositions(set, train, warmLayout) : undefined;
    const doUmap = !degenerate && (umapWhen === 'all' || (typeof umapWhen === 'function' && umapWhen(set.epoch, index)));
    const fit = doUmap ? umapFit(train.x, train.n, train.dim, { seed: deriveSeed(seed, 'umap', set.run, set.epoch) }) : undefined;
    const layouts = [ours, ...(warm ? [warm] : []), ...(fit ? [fit.positions] : [])];
    const queries = metricQueryRows(engineSeed, set.run, train.n, queriesWanted);
    const scores = degenerate ? undefined : scoreLayouts(tf, matrix(train.x, train.n, train.dim), layouts, Math.min(K, train.n - 2), queries);
    const m = layout.metrics;
    let row: EvalRow = {
      run: set.run,
      epoch: set.epoch,
      n: train.n,
      update_ms: m.update_ms,
      nn15: scores ? scores[0].nn : NaN,
      trust15: scores ? scores[0].trust : NaN,
      ...opt('stability', degenerate ? NaN : stabilityAgainst(prevOurs, set.run, index, train.ids, ours)),
      ...opt('encoder_nn15', m.encoder_nn15),
      ...opt('encoder_trust15', m.encoder_trust15),
      ...opt('test_nn15', m.test_nn15),
      ...opt('ppr', m.ppr),
      ...opt('region_agreement', m.region_agreement),
    };
    if (warm && scores && warmLayout) {
      row = {
        ...row,
        warm_umap_ms: warmLayout.metrics.update_ms,
        warm_umap_nn15: scores[1].nn,
        warm_umap_trust15: scores[1].trust,
        ...opt('warm_umap_stability', stabilityAgainst(prevWarm, set.run, index, train.ids, warm)),
        ...opt('warm_umap_test_nn15', warmLayout.metrics.test_nn15),
      };
    }
    const pu = prevUmap.get(set.run);
    const aligned = fit && (pu && pu.index === index - 1 ? alignToPrevious(pu.ids, pu.pos, train.ids, fit.positions) : fit.positions);
    if (!degenerate) row = { ...row, ...temporalFields(temporal, set, train, queries, ours, warm, aligned) };
    if (fit && scores && aligned) {
      const u = scores[scores.length - 1];
      row = {
        ...row,
        umap_ms: fit.ms,
        umap_nn15: u.nn,
        umap_trust15: u.trust,
        ...opt('umap_stability', stabilityAgainst(prevUmap, set.run, index, train.ids, aligned)),
      };
    }
    rows.push(row);
    opts.onRow?.(row);
    index++;
  }
  return rows;
}

/** The row's temporal ranking fields, one pair per method laid out this epoch. */
function temporalFields(t: TemporalRanking, set: EpochSet, train: EpochData, queries: Int32Array, ours: Float32Array, warm?: Float32Array, umap?: Float32Array): Partial<EvalRow> {
  const layouts: MethodLayout[] = [{ method: '', positions: ours }];
  if (warm) layouts.push({ method: 'warm_umap_', positions: warm });
  if (umap) layouts.push({ method: 'umap_', positions: umap });
  const scores = t.score(set.run, set.epoch, train.ids, train.x, train.dim, queries, layouts);
  let out: Partial<EvalRow> = {};
  for (const [prefix, s] of scores) out = { ...out, ...opt(`${prefix}temporal_top5`, s.top5), ...opt(`${prefix}temporal_spearman`, s.spearman) };
  return out;
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
  ['encoder_nn15', 'enc_nn15', 3],
  ['test_nn15', 'test_nn15', 3],
  ['warm_umap_nn15', 'w_nn15', 3],
  ['warm_umap_stability', 'w_stab', 4],
  ['umap_ms', 'umap_ms', 0],
  ['umap_nn15', 'u_nn15', 3],
  ['umap_trust15', 'u_trust15', 3],
  ['umap_stability', 'u_stab', 4],
  ['temporal_spearman', 't_rho', 3],
  ['umap_temporal_spearman', 'u_t_rho', 3],
];

/** Every numeric field of a row, in a stable order (the summary's keys). */
const NUMERIC: readonly (keyof EvalRow)[] = [
  'n', 'update_ms', 'nn15', 'trust15', 'stability', 'encoder_nn15', 'encoder_trust15', 'test_nn15', 'ppr', 'region_agreement',
  'warm_umap_ms', 'warm_umap_nn15', 'warm_umap_trust15', 'warm_umap_stability', 'warm_umap_test_nn15', 'umap_ms', 'umap_nn15', 'umap_trust15', 'umap_stability',
  'temporal_top5', 'temporal_spearman', 'warm_umap_temporal_top5', 'warm_umap_temporal_spearman', 'umap_temporal_top5', 'umap_temporal_spearman',
];

function cell(v: unknown, digits: number): string {
  if (v === undefined) return '-';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
  return String(v);
}

const has = (r: EvalRow, key: keyof EvalRow): boolean => typeof r[key] === 'number' && Number.isFinite(r[key] as number);

/**
 * Means over the same epochs for every method: the faithfulness and time fields over the epochs
 * where every method present in the rows was scored (the umap-js epochs when umap-js ran), the
 * stability fields over the epochs where every method has a 1-epoch stability, the temporal ranking
 * fields over the epochs where every method has a temporal Spearman. `epochs`, `stability_epochs` and
 * `temporal_epochs` say how many epochs each mean covers.
 */
export function summariseEval(rows: readonly EvalRow[]): Record<string, number> {
  const present = (key: keyof EvalRow) => rows.some((r) => has(r, key));
  const scoreKeys = (['nn15', 'warm_umap_nn15', 'umap_nn15'] as const).filter(present);
  const stabKeys = (['stability', 'warm_umap_stability', 'umap_stability'] as const).filter(present);
  const rhoKeys = (['temporal_spearman', 'warm_umap_temporal_spearman', 'umap_temporal_spearman'] as const).filter(present);
  const scored = rows.filter((r) => scoreKeys.every((k) => has(r, k)));
  const steady = rows.filter((r) => stabKeys.length > 0 && stabKeys.every((k) => has(r, k)));
  const ranked = rows.filter((r) => rhoKeys.length > 0 && rhoKeys.every((k) => has(r, k)));
  const out: Record<string, number> = { epochs: scored.length, stability_epochs: steady.length, temporal_epochs: ranked.length };
  for (const key of NUMERIC) {
    const over = key.endsWith('stability') ? steady : key.includes('temporal_') ? ranked : scored;
    const vals = over.map((r) => r[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (vals.length > 0) out[key] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return out;
}

/** A fixed-width text table with a same-epoch mean row (see summariseEval). */
export function formatEvalTable(rows: readonly EvalRow[]): string {
  const mean = summariseEval(rows);
  const body = rows.map((r) => COLUMNS.map(([key, , digits]) => cell(r[key], digits)));
  body.push(COLUMNS.map(([key, , digits]) => (key === 'run' ? 'mean' : key === 'epoch' ? '' : cell(mean[key], digits))));
  const head = COLUMNS.map(([, h]) => h);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  const fmt = (line: string[]) => line.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  const note = `mean: faithfulness and time over the ${mean.epochs} epochs every method was scored on; stability over the ${mean.stability_epochs} with a 1-epoch gap for every method; temporal ranking over the ${mean.temporal_epochs} with 3+ earlier epochs for every method`;
  return [fmt(head), ...body.map(fmt), note].join('\n') + '\n';
}

/** One JSON object per line; non-finite numbers become null. */
export function formatEvalJson(rows: readonly EvalRow[]): string {
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))).join('\n') + '\n';
}
