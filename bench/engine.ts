/**
 * Engine benchmark: a synthetic drifting stream (5,000 train points + 1,000 test points, D = 512,
 * 10 clusters in a rank-16 subspace, seeded) for 12 epochs through the live engine, beside its
 * baselines on the same epochs (src/eval/eval.ts): the encoder alone, warm UMAP refinement alone
 * (projector off) and umap-js fits of two consecutive epochs (a fit takes ~20 s here, so not every
 * epoch). Every layout is scored the way the live metrics are: exact raw-D neighbours of the same
 * seeded query rows.
 *
 * Fields: update_ms_p50/p95 over the warm updates (the cold first update apart as cold_update_ms),
 * umap_fit_ms (mean of the fits), speedup = umap_fit_ms / update_ms_p50; then, all averaged over
 * the same epochs (the two umap-js epochs): nn15 / trust15 of the shown layout, encoder_nn15 (the
 * projector's own layout of the train points), test_nn15 (the placed test split among train + test),
 * warm_umap_nn15 and warm_umap_test_nn15 (projector off), umap_nn15 / umap_trust15 (refit); stability, warm_umap_stability
 * and umap_stability over the one 1-epoch gap between the fits (umap-js Procrustes-aligned).
 * nn15_warm: the shown layout's nn15 over every warm epoch. Run alone: `npx tsx bench/engine.ts`.
 */
import { evaluateEpochs, summariseEval, type EvalRow } from '../src/eval/eval.js';
import type { EngineOptions } from '../src/engine/engine.js';
import type { EpochSet } from '../src/model/epoch-data.js';
import { SyntheticStream } from './synthetic-stream.js';

/** Bench settings (defaults: the issue's). */
export interface EngineBenchOptions {
  /** Train points [5000]; the test split adds a fifth of that. */
  readonly n?: number;
  readonly dim?: number;
  readonly epochs?: number;
  /** Epoch indices that get a umap-js fit (two consecutive ones give umap_stability). */
  readonly umapEpochs?: readonly number[];
  readonly engine?: EngineOptions;
  /** Run the warm-UMAP-alone baseline [true]. */
  readonly warmUmap?: boolean;
  readonly log?: (line: string) => void;
}

export function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
export const num = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** One progress line per epoch. */
export function rowLine(r: EvalRow): string {
  const f = (v: number | undefined, d = 3) => (num(v) ? v.toFixed(d) : '-');
  return (
    `epoch ${r.epoch}: ${r.update_ms.toFixed(0)} ms nn15 ${f(r.nn15)} enc ${f(r.encoder_nn15)} test ${f(r.test_nn15)} stab ${f(r.stability, 4)}` +
    ` | warm umap ${f(r.warm_umap_nn15)} stab ${f(r.warm_umap_stability, 4)}` +
    (r.umap_ms !== undefined ? ` | umap ${r.umap_ms.toFixed(0)} ms nn15 ${f(r.umap_nn15)} stab ${f(r.umap_stability, 4)}` : '')
  );
}

/** The shared fields of a bench over evaluation rows, same-epoch means included (summariseEval). */
export function benchFields(rows: readonly EvalRow[]): Record<string, number> {
  const warm = rows.slice(1);
  const same = summariseEval(rows);
  const updateP50 = quantile(warm.map((r) => r.update_ms), 0.5);
  const umapFitMs = mean(rows.map((r) => r.umap_ms).filter(num));
  return {
    update_ms_p50: updateP50,
    update_ms_p95: quantile(warm.map((r) => r.update_ms), 0.95),
    cold_update_ms: rows[0]?.update_ms ?? NaN,
    warm_umap_ms_p50: quantile(warm.map((r) => r.warm_umap_ms).filter(num), 0.5),
    umap_fit_ms: umapFitMs,
    speedup: umapFitMs / updateP50,
    same_epochs: same.epochs,
    nn15: same.nn15,
    trust15: same.trust15,
    encoder_nn15: same.encoder_nn15 ?? NaN,
    test_nn15: same.test_nn15 ?? NaN,
    warm_umap_nn15: same.warm_umap_nn15 ?? NaN,
    warm_umap_test_nn15: same.warm_umap_test_nn15 ?? NaN,
    umap_nn15: same.umap_nn15 ?? NaN,
    umap_trust15: same.umap_trust15 ?? NaN,
    stability: same.stability ?? NaN,
    warm_umap_stability: same.warm_umap_stability ?? NaN,
    umap_stability: same.umap_stability ?? NaN,
    region_agreement: same.region_agreement ?? NaN,
    nn15_warm: mean(warm.map((r) => r.nn15).filter(num)),
  };
}

/** Run the benchmark and return its figures. */
export async function benchEngine(opts: EngineBenchOptions = {}): Promise<Record<string, number>> {
  const n = opts.n ?? 5000;
  const dim = opts.dim ?? 512;
  const epochs = opts.epochs ?? 12;
  const umapEpochs = new Set(opts.umapEpochs ?? [epochs - 2, epochs - 1]);
  // A sixth of the points form the test split: 5,000 train and 1,000 test points by default.
  const stream = new SyntheticStream({ n: Math.round(n * 1.2), dim, clusters: 10, rank: 16, seed: 7, testShare: 1 / 6 });
  const sets: EpochSet[] = [];
  for (let e = 0; e < epochs; e++) sets.push({ run: 'bench', epoch: e, splits: stream.next() });
  const rows = await evaluateEpochs(sets, {
    engine: { seed: 7, budgetMs: 1000, ...opts.engine },
    umap: (epoch) => umapEpochs.has(epoch),
    warmUmap: opts.warmUmap ?? true,
    onRow: (r) => opts.log?.(rowLine(r)),
  });
  return { n: rows[0]?.n ?? 0, dim, epochs, ...benchFields(rows) };
}

// Run alone: print progress on stderr and the JSON on the last line of stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchEngine({ log: (l) => process.stderr.write(l + '\n') });
  process.stdout.write(JSON.stringify(result) + '\n');
}
