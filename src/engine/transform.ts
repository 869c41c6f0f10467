/**
 * Settling placed points into a fixed layout, as UMAP's `transform` does: each new point is pulled
 * towards its input-space neighbours among the laid-out points (fuzzy membership weights, UMAP's
 * edge schedule) and pushed from random laid-out points, which do not move. Used after placement
 * for points the refinement never saw (the test split); measured in docs/engine-choices.md#test-placement.
 */
import type { KnnResult } from './knn.js';
import { smoothKnn } from './fuzzy-graph.js';
import type { Rng } from '../util/random.js';
import { kernelTables, lookup } from './refine.js';

/** Settings of a settling run. */
export interface SettleOptions {
  /** q(d) curve. */
  readonly a: number;
  readonly b: number;
  /** Epochs of the schedule (umap-learn's transform: 30 for large data). */
  readonly epochs: number;
  /** Initial learning rate, decayed linearly to 0 (umap-learn's transform: 1/4). */
  readonly alpha: number;
  /** Negative samples per positive one [5]. */
  readonly negatives?: number;
}

/** UMAP clips every gradient component at 4. */
const CLIP = 4;

const clip = (v: number): number => (v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

/**
 * Move the points in place.
 * @param pos q*2 start positions of the points to settle (changed in place)
 * @param nn their neighbours among the fixed points (indices into fixed)
 * @param fixed f*2 positions of the laid-out points (not changed)
 * @param rng negative samples
 */
export function settlePoints(pos: Float32Array, nn: KnnResult, fixed: Float32Array, rng: Rng, opts: SettleOptions): void {
  const q = pos.length / 2;
  const f = fixed.length / 2;
  if (nn.indices.length !== q * nn.k) throw new Error(`settlePoints: neighbour lists for ${nn.indices.length / nn.k} points, ${q} to settle`);
  if (q === 0 || f < 2 || opts.epochs <= 0) return;
  const { a, b } = opts;
  const negRate = opts.negatives ?? 5;
  const s = smoothKnn(nn);
  const k = nn.k;
  const w = new Float64Array(q * k);
  let wmax = 0;
  for (let i = 0; i < q; i++) {
    for (let t = 0; t < k; t++) {
      const j = nn.indices[i * k + t];
      if (j < 0) continue;
      const d = nn.distances[i * k + t] - s.rho[i];
      w[i * k + t] = d > 0 ? Math.exp(-d / s.sigma[i]) : 1;
      wmax = Math.max(wmax, w[i * k + t]);
    }
  }
  if (!(wmax > 0)) return;
  // Tabulated kernels, as in refine.ts: Math.pow was most of the loop (at 10,000 test points it made placement take seconds).
  const { att, rep } = kernelTables(a, b);
  const next = new Float64Array(q * k);
  for (let e = 0; e < q * k; e++) next[e] = w[e] > 0 ? wmax / w[e] : Infinity;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const alpha = opts.alpha * (1 - epoch / opts.epochs);
    const t1 = epoch + 1;
    for (let i = 0; i < q; i++) {
      let xi = pos[2 * i];
      let yi = pos[2 * i + 1];
      for (let t = 0; t < k; t++) {
        const e = i * k + t;
        if (next[e] > t1) continue;
        next[e] += wmax / w[e];
        const j = nn.indices[e];
        const dx = xi - fixed[2 * j];
        const dy = yi - fixed[2 * j + 1];
        const d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const c = lookup(att, d2, a, b, true);
          xi += clip(c * dx) * alpha;
          yi += clip(c * dy) * alpha;
        }
        for (let r = 0; r < negRate; r++) {
          const m = rng.int(f);
          const ex = xi - fixed[2 * m];
          const ey = yi - fixed[2 * m + 1];
          const q2 = ex * ex + ey * ey;
          if (q2 > 0) {
            const c = lookup(rep, q2, a, b, false);
            xi += clip(c * ex) * alpha;
            yi += clip(c * ey) * alpha;
          }
        }
      }
      pos[2 * i] = xi;
      pos[2 * i + 1] = yi;
    }
  }
}
