/**
 * The engine on the demo's real recorded run (fixtures/runs/demo-mnist-s1.scamrec.gz: a tfjs MLP on
 * MNIST, 64-D layer, 508 train and 119 test samples per epoch, 30 epochs), beside the same baselines
 * as bench/engine.ts: the encoder alone, warm UMAP alone, and umap-js fits of two consecutive late
 * epochs (Procrustes-aligned). Faithfulness and stability are averaged over the same epochs (the
 * umap-js pair). Fields carry a demo_ prefix. Run alone: `npx tsx bench/engine-demo.ts`.
 */
import { fileURLToPath } from 'node:url';
import { evaluateEpochs } from '../src/eval/eval.js';
import { recordingEpochs } from '../src/session/recording-epochs.js';
import { benchFields, rowLine } from './engine.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/runs/demo-mnist-s1.scamrec.gz', import.meta.url));

export async function benchEngineDemo(log?: (line: string) => void): Promise<Record<string, number>> {
  // Two consecutive late epochs for umap-js: a fit per epoch would dominate the bench's time.
  const umapEpochs = new Set([27, 28]);
  const rows = await evaluateEpochs(recordingEpochs(FIXTURE), {
    engine: { seed: 7, budgetMs: 1000 },
    umap: (epoch) => umapEpochs.has(epoch),
    onRow: (r) => log?.(rowLine(r)),
  });
  const fields = benchFields(rows);
  const out: Record<string, number> = { demo_epochs: rows.length, demo_n: rows[0]?.n ?? 0 };
  for (const key of ['update_ms_p50', 'umap_fit_ms', 'nn15', 'trust15', 'encoder_nn15', 'test_nn15', 'warm_umap_nn15', 'warm_umap_test_nn15', 'umap_nn15', 'stability', 'warm_umap_stability', 'umap_stability', 'region_agreement', 'nn15_warm']) {
    out[`demo_${key}`] = fields[key];
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(await benchEngineDemo((l) => process.stderr.write(l + '\n'))) + '\n');
}
