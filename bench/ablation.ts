/**
 * Ablation: what each part of the engine adds to what the user sees. The engine runs with each
 * part switched off in turn, on the 5,000 x 512 synthetic stream (bench/synthetic-stream.ts, 12
 * epochs, with a 1,000-point test split) and on the demo's recorded run
 * (fixtures/runs/demo-mnist-s1.scamrec.gz, 30 epochs), under the normal 1 s budget:
 *
 * | part | off |
 * |---|---|
 * | `density` | density-guided sampling: the projector trains on every point (sampleRate 1) |
 * | `temporal` | cosine temporal edges to the working memory (temporalEdges false) |
 * | `identity` | identity edges to the same id one epoch earlier (identityWeight 0) |
 * | `anchors` | the projector's anchored steps after refinement (anchors false) |
 * | `warm_knn` | the warm-started layout kNN: exact every update (layoutKnn 'exact') |
 * | `projector` | the projector altogether: warm UMAP alone (projector false) |
 *
 * Fields: `ablation_<data>_<part>_<metric>` with data `synth` or `real`, part `full` (nothing off)
 * or one of the above, and metric `nn15` (shown layout), `stability`, `encoder_nn15`, `test_nn15`
 * (means over the warm epochs) and `update_ms` (median over the warm epochs). nn15 and the others
 * are the live metrics, which are the `eval` metrics (docs/method.md#metrics).
 * Run alone: `npx tsx bench/ablation.ts [synth|real] [part...]`.
 */
import { fileURLToPath } from 'node:url';
import { ProjectionEngine, type EngineOptions } from '../src/engine/engine.js';
import type { EpochSet } from '../src/model/epoch-data.js';
import type { EpochMetrics } from '../src/model/epoch-layout.js';
import { recordingEpochs } from '../src/session/recording-epochs.js';
import { SyntheticStream } from './synthetic-stream.js';
import { mean, num, quantile } from './engine.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/runs/demo-mnist-s1.scamrec.gz', import.meta.url));

/** Each part and the options that switch it off. */
export const PARTS: Readonly<Record<string, EngineOptions>> = {
  full: {},
  density: { sampleRate: 1 },
  temporal: { temporalEdges: false },
  identity: { identityWeight: 0 },
  anchors: { anchors: false },
  warm_knn: { layoutKnn: 'exact' },
  projector: { projector: false },
};

/** The two data sets, each a fresh sequence of epochs per call. */
const DATA: Readonly<Record<string, () => Iterable<EpochSet> | AsyncIterable<EpochSet>>> = {
  synth: () => {
    const s = new SyntheticStream({ n: 6000, dim: 512, clusters: 10, rank: 16, seed: 7, testShare: 1 / 6 });
    return Array.from({ length: 12 }, (_, e) => ({ run: 'ablation', epoch: e, splits: s.next() }));
  },
  real: () => recordingEpochs(FIXTURE),
};

/** Means over a variant's warm epochs. */
function summarise(ms: readonly EpochMetrics[]): Record<string, number> {
  const warm = ms.slice(1);
  const avg = (f: (m: EpochMetrics) => number | undefined) => mean(warm.map(f).filter(num));
  return {
    nn15: avg((m) => m.nn15),
    stability: avg((m) => m.stability),
    encoder_nn15: avg((m) => m.encoder_nn15),
    test_nn15: avg((m) => m.test_nn15),
    update_ms: quantile(warm.map((m) => m.update_ms), 0.5),
  };
}

/**
 * @param data which data sets [both]
 * @param parts which parts [all, full included]
 * @param log progress lines
 */
export async function benchAblation(data = Object.keys(DATA), parts = Object.keys(PARTS), log?: (line: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const d of data) {
    for (const part of parts) {
      const engine = new ProjectionEngine({ seed: 7, budgetMs: 1000, ...PARTS[part] });
      const metrics: EpochMetrics[] = [];
      for await (const set of DATA[d]()) metrics.push((await engine.update(set)).metrics);
      const s = summarise(metrics);
      for (const [k, v] of Object.entries(s)) out[`ablation_${d}_${part}_${k}`] = v;
      log?.(`ablation ${d} ${part} off: ${Object.entries(s).map(([k, v]) => `${k} ${num(v) ? v.toFixed(k === 'update_ms' ? 0 : 4) : '-'}`).join(' ')}`);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const data = args.filter((a) => a in DATA);
  const parts = args.filter((a) => a in PARTS);
  const result = await benchAblation(data.length ? data : undefined, parts.length ? ['full', ...parts.filter((p) => p !== 'full')] : undefined, (l) => process.stderr.write(l + '\n'));
  process.stdout.write(JSON.stringify(result) + '\n');
}
