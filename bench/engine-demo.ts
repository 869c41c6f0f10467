/**
 * The engine on the demo's real recorded run (fixtures/runs/demo-mnist-s1.scamrec.gz: a tfjs MLP on
 * MNIST, 64-D layer, 508 training samples kept per epoch, 30 epochs), beside umap-js fits of two
 * consecutive late epochs (Procrustes-aligned, so umap stability counts only real change).
 * Fields carry a demo_ prefix. Run alone: `npx tsx bench/engine-demo.ts`.
 */
import { fileURLToPath } from 'node:url';
import { evaluateEpochs } from '../src/eval/eval.js';
import { recordingEpochs } from '../src/session/recording-epochs.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/runs/demo-mnist-s1.scamrec.gz', import.meta.url));

const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const num = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export async function benchEngineDemo(): Promise<Record<string, number>> {
  // Two consecutive late epochs for umap-js: a fit per epoch would dominate the bench's time.
  const umapEpochs = new Set([27, 28]);
  const rows = await evaluateEpochs(recordingEpochs(FIXTURE), { engine: { seed: 7, budgetMs: 1000 }, umap: (epoch) => umapEpochs.has(epoch), seed: 7 });
  const warm = rows.slice(1);
  const fits = rows.filter((r) => num(r.umap_ms));
  return {
    demo_epochs: rows.length,
    demo_n: rows[0]?.n ?? 0,
    demo_update_ms_p50: median(warm.map((r) => r.update_ms)),
    demo_umap_fit_ms: mean(fits.map((r) => r.umap_ms!)),
    demo_nn15: mean(warm.map((r) => r.nn15).filter(num)),
    demo_umap_nn15: mean(fits.map((r) => r.umap_nn15!).filter(num)),
    demo_stability: mean(warm.map((r) => r.stability).filter(num)),
    demo_umap_stability: mean(rows.map((r) => r.umap_stability).filter(num)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(await benchEngineDemo()) + '\n');
}
