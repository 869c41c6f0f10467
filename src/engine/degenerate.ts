/**
 * The layout of a degenerate epoch (every row alike, e.g. a dead network, or too few rows for a
 * k-graph): every point on one spot, the centre of the previous layout, so the view does not jump;
 * metrics masked (NaN) and flagged; the run's state is left untouched so the next good epoch
 * continues from the last good one.
 */
import type { EpochData, EpochSet } from '../model/epoch-data.js';
import type { EpochLayout } from '../model/epoch-layout.js';
import { epochLayout, joinSplits } from './assemble.js';

/**
 * @param set the epoch
 * @param splits its checked splits
 * @param previous the run's previous layout positions (n*2), if any
 * @param updateMs time the update took so far
 */
export function degenerateLayout(set: EpochSet, splits: readonly EpochData[], previous: Float32Array | undefined, updateMs: number): EpochLayout {
  let cx = 0;
  let cy = 0;
  if (previous && previous.length > 0) {
    for (let i = 0; i < previous.length; i += 2) {
      cx += previous[i];
      cy += previous[i + 1];
    }
    cx /= previous.length / 2;
    cy /= previous.length / 2;
  }
  const parts = splits.map((s) => {
    const pos = new Float32Array(s.n * 2);
    for (let i = 0; i < s.n; i++) {
      pos[2 * i] = cx;
      pos[2 * i + 1] = cy;
    }
    return { data: s, pos };
  });
  return epochLayout(set, joinSplits(parts), {
    sample_rate: NaN,
    rel_density: NaN,
    update_ms: updateMs,
    train_steps: 0,
    loss: NaN,
    nn15: NaN,
    trust15: NaN,
    degenerate: true,
  });
}
