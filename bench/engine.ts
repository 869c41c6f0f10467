/**
 * Engine benchmark: a synthetic drifting stream (N=5000, D=512, 10 clusters in a rank-16
 * subspace, seeded) for 12 epochs through the live engine, and umap-js fits of two consecutive
 * epochs for the baseline (a fit takes ~20 s here, so not every epoch: the whole bench stays
 * under ~4 minutes). Scores use the same raw-D queries for both methods (src/engine/eval.ts).
 *
 * Fields: update_ms_p50/p95 over the warm updates (the cold first update is reported apart as
 * cold_update_ms), umap_fit_ms (mean of the fits), speedup = umap_fit_ms / update_ms_p50,
 * nn15/stability (means over the warm epochs), umap_nn15 (mean of the fits), umap_stability
 * (the second fit aligned to the first by Procrustes). Run alone: `npx tsx bench/engine.ts`.
 */
import { evaluateEpochs, type EvalRow } from '../src/eval/eval.js';
import type { EngineOptions } from '../src/engine/engine.js';
import type { EpochSet } from '../src/model/epoch-data.js';
import { SyntheticStream } from './synthetic-stream.js';

/** Bench settings (defaults: the issue's). */
export interface EngineBenchOptions {
  readonly n?: number;
  readonly dim?: number;
  readonly epochs?: number;
  /** Epoch indices that get a umap-js fit (two consecutive ones give umap_stability). */
  readonly umapEpochs?: readonly number[];
  readonly engine?: EngineOptions;
  readonly queries?: number;
  readonly log?: (line: string) => void;
}

function quantile(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const num = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Run the benchmark and return its figures. */
export async function benchEngine(opts: EngineBenchOptions = {}): Promise<Record<string, number>> {
  const n = opts.n ?? 5000;
  const dim = opts.dim ?? 512;
  const epochs = opts.epochs ?? 12;
  const umapEpochs = new Set(opts.umapEpochs ?? [epochs - 2, epochs - 1]);
  const stream = new SyntheticStream({ n, dim, clusters: 10, rank: 16, seed: 7 });
  const sets: EpochSet[] = [];
  for (let e = 0; e < epochs; e++) sets.push({ run: 'bench', epoch: e, splits: stream.next() });
  const rows: EvalRow[] = await evaluateEpochs(sets, {
    engine: { seed: 7, budgetMs: 1000, ...opts.engine },
    umap: (epoch) => umapEpochs.has(epoch),
    queries: opts.queries ?? 500,
    seed: 7,
    onRow: (r) =>
      opts.log?.(
        `epoch ${r.epoch}: ${r.update_ms.toFixed(0)} ms nn15 ${r.nn15.toFixed(3)} stab ${r.stability?.toFixed(4) ?? '-'}` +
          (r.umap_ms !== undefined ? ` | umap ${r.umap_ms.toFixed(0)} ms nn15 ${r.umap_nn15?.toFixed(3)} stab ${r.umap_stability?.toFixed(4) ?? '-'}` : ''),
      ),
  });
  const warm = rows.slice(1);
  const updateP50 = quantile(warm.map((r) => r.update_ms), 0.5);
  const umapRows = rows.filter((r) => num(r.umap_ms));
  const umapFitMs = mean(umapRows.map((r) => r.umap_ms!));
  return {
    n,
    dim,
    epochs,
    update_ms_p50: updateP50,
    update_ms_p95: quantile(warm.map((r) => r.update_ms), 0.95),
    cold_update_ms: rows[0].update_ms,
    umap_fit_ms: umapFitMs,
    speedup: umapFitMs / updateP50,
    nn15: mean(warm.map((r) => r.nn15).filter(num)),
    trust15: mean(warm.map((r) => r.trust15).filter(num)),
    umap_nn15: mean(umapRows.map((r) => r.umap_nn15!).filter(num)),
    umap_trust15: mean(umapRows.map((r) => r.umap_trust15!).filter(num)),
    stability: mean(warm.map((r) => r.stability).filter(num)),
    umap_stability: mean(rows.map((r) => r.umap_stability).filter(num)),
  };
}

// Run alone: print progress on stderr and the JSON on the last line of stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchEngine({ log: (l) => process.stderr.write(l + '\n') });
  process.stdout.write(JSON.stringify(result) + '\n');
}
