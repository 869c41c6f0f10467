/**
 * The engine on real deep features (issue 12): a torchvision ResNet-18's 512-D avgpool features,
 * recorded through the Python client (fixtures/runs/torch-resnet18-avgpool-digits-s0.scamrec.gz:
 * sklearn's digits upsampled to 32x32, 441 train and 68 held-out samples per epoch, 3 epochs;
 * fixtures/runs/README.md says how it was made). The live engine beside a umap-js refit of every
 * epoch, scored alike (exact raw 512-D neighbours of the same query rows, means over the epochs).
 * Fields: resnet_nn15, resnet_umap_nn15, resnet_trust15, resnet_umap_trust15, resnet_test_nn15,
 * resnet_stability, resnet_umap_stability. Run alone: `npx tsx bench/engine-resnet.ts`.
 */
import { fileURLToPath } from 'node:url';
import { evaluateEpochs } from '../src/eval/eval.js';
import { recordingEpochs } from '../src/session/recording-epochs.js';
import { benchFields, rowLine } from './engine.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/runs/torch-resnet18-avgpool-digits-s0.scamrec.gz', import.meta.url));

export async function benchEngineResnet(log?: (line: string) => void): Promise<Record<string, number>> {
  const rows = await evaluateEpochs(recordingEpochs(FIXTURE), {
    engine: { seed: 7, budgetMs: 1000 },
    umap: 'all',
    warmUmap: false,
    onRow: (r) => log?.(rowLine(r)),
  });
  const f = benchFields(rows);
  return {
    resnet_n: rows[0]?.n ?? 0,
    resnet_epochs: rows.length,
    resnet_nn15: f.nn15,
    resnet_umap_nn15: f.umap_nn15,
    resnet_trust15: f.trust15,
    resnet_umap_trust15: f.umap_trust15,
    resnet_test_nn15: f.test_nn15,
    resnet_stability: f.stability,
    resnet_umap_stability: f.umap_stability,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(await benchEngineResnet((l) => process.stderr.write(l + '\n'))) + '\n');
}
