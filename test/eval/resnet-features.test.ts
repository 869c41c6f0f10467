/**
 * Evidence on real deep features (issue 12): the recorded ResNet-18 avgpool run
 * (fixtures/runs/torch-resnet18-avgpool-digits-s0.scamrec.gz, 512-D, 3 epochs) through eval with
 * the refinement work of `eval --reproducible`: the live layout keeps about as many raw-space
 * neighbours as a umap-js refit of each epoch and is far steadier. Measured (seed 1): see
 * docs/evaluation.md#resnet-18-features.
 */
import test from 'ava';
import { evaluateEpochs, summariseEval } from '../../src/eval/eval.js';
import { recordingEpochs } from '../../src/session/recording-epochs.js';

const FIXTURE = new URL('../../fixtures/runs/torch-resnet18-avgpool-digits-s0.scamrec.gz', import.meta.url).pathname;

test('ResNet-18 features: the shown layout keeps umap-js\'s neighbours (within 0.03) at a fraction of its movement', async (t) => {
  // umap-js fits plus the engine's 300 cold refinement epochs take minutes on a loaded machine.
  t.timeout(600_000);
  // The refinement of --reproducible (it makes the picture); the projector gets a token 2 steps.
  const fixedWork = { steps: 2, coldSteps: 2, refineEpochs: 60, coldRefineEpochs: 300, anchorSteps: 2, coldAnchorSteps: 2 };
  const rows = await evaluateEpochs(recordingEpochs(FIXTURE), { engine: { seed: 1, fixedWork }, warmUmap: false, seed: 1 });
  t.deepEqual(rows.map((r) => [r.epoch, r.n]), [[0, 441], [1, 441], [2, 441]]);
  const s = summariseEval(rows);
  t.true(s.nn15 >= s.umap_nn15! - 0.03, `nn15 ${s.nn15} vs umap-js ${s.umap_nn15}`);
  t.true(s.trust15 > 0.95, `trust15 ${s.trust15}`);
  t.true(s.stability! * 5 <= s.umap_stability!, `stability ${s.stability} vs umap-js ${s.umap_stability}`);
});
