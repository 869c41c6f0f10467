/**
 * Placing the splits that were not trained on (e.g. 'test'): standardised with the train split's
 * statistics, projected into its basis, put through the encoder, then moved by the displacement
 * that refinement gave their nearest train points (docs/method.md#placement).
 */
import type { Tensor2D } from '@tensorflow/tfjs';
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
    if (!projector || !layout.encoder) {
      // No projector: the fuzzy-weighted mean position of the train neighbours (zero displacement base).
      parts.push({ data: s, pos: placeByDisplacement(new Float32Array(s.n * 2), nn, new Float32Array(n * 2), layout.pos) });
      continue;
    }
    const encO = projector.apply(tf, 'enc', zo, s.n);
    layout.encoder.rows(nn.indices);
    parts.push({ data: s, pos: o.refine !== 'off' ? placeByDisplacement(encO, nn, layout.encoder.pos, layout.pos) : encO });
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
