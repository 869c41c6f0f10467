/**
 * Placing the splits that were not trained on (e.g. 'test'): standardised with the train split's
 * statistics, projected into its basis, put through the encoder, then moved by the displacement
 * that refinement gave their nearest train points (docs/method.md#placement).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from '../tf/backend.js';
import type { EpochData } from '../model/epoch-data.js';
import { projectRows, type Basis } from './pca.js';
import { knnSearch, matrix } from './knn.js';
import { placeByDisplacement } from './placement.js';
import type { Standardisation } from './standardise.js';
import type { Projector } from './projector.js';
import { selectColumns, type Reduced } from './reduce.js';
import type { PlacedSplit } from './assemble.js';
import type { TrainLayout } from './train-layout.js';
import type { EngineSettings } from './engine-options.js';
import { settlePoints } from './transform.js';
import type { Rng } from '../util/random.js';

/** What settling needs (engine's curve and the update's generator); absent: no settling. */
export interface SettleWith {
  readonly ab: { readonly a: number; readonly b: number };
  readonly rng: Rng;
}

/** umap-learn's transform starts at a quarter of UMAP's learning rate. */
const SETTLE_ALPHA = 0.25;

/**
 * @param tf tfjs
 * @param splits every split, in output order
 * @param trainSplit the one trained on (placed already: `layout`)
 * @param reduced the train split reduced
 * @param projector this update's projector
 * @param layout the train split's layout and encoder
 * @param o settings: k, refine (with refinement off, the encoder's output is the position)
 * @returns every split with its positions, in the order given
 */
export function placeSplits(
  tf: Tf,
  splits: readonly EpochData[],
  trainSplit: EpochData,
  reduced: Reduced,
  projector: Projector | undefined,
  layout: TrainLayout,
  o: EngineSettings,
  settle?: SettleWith,
): PlacedSplit[] {
  const { n, dim } = trainSplit;
  const m = reduced.basis.m;
  const parts: PlacedSplit[] = [];
  for (const s of splits) {
    if (s === trainSplit) {
      parts.push({ data: s, pos: layout.pos });
      continue;
    }
    if (s.dim !== dim) throw new Error(`ProjectionEngine: split ${s.split} has dimension ${s.dim}, train has ${dim}`);
    const zo = projectStandardised(tf, s, reduced.stats, reduced.basis);
    const nn = knnSearch(tf, selectColumns(matrix(zo, s.n, m), reduced.graphCols), reduced.zg, Math.min(o.k, n));
    let pos: Float32Array;
    if (!projector || !layout.encoder) {
      // No projector: the fuzzy-weighted mean position of the train neighbours (zero displacement base).
      pos = placeByDisplacement(new Float32Array(s.n * 2), nn, new Float32Array(n * 2), layout.pos);
    } else {
      const encO = projector.apply(tf, 'enc', zo, s.n);
      layout.encoder.rows(nn.indices);
      pos = o.refine !== 'off' ? placeByDisplacement(encO, nn, layout.encoder.pos, layout.pos) : encO;
    }
    // Settle into the shown layout as UMAP's transform does (docs/method.md#placement).
    if (settle && o.settleEpochs > 0 && o.refine !== 'off') settlePoints(pos, nn, layout.pos, settle.rng, { ...settle.ab, epochs: o.settleEpochs, alpha: SETTLE_ALPHA });
    parts.push({ data: s, pos });
  }
  return parts;
}

/** Standardise another split with the train split's statistics and project it. */
function projectStandardised(tf: Tf, s: EpochData, stats: Standardisation, basis: Basis): Float32Array {
  const x = tf.tensor2d(s.x, [s.n, s.dim]);
  try {
    return projectRows(tf, x as Tensor2D, stats.mean, stats.scale, basis);
  } finally {
    x.dispose();
  }
}
