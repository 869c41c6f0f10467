/**
 * The umap-js baseline: a full UMAP fit of one epoch's points (what SentryCam is compared with in
 * `eval` and the benchmark), seeded. umap-js wants number[][] input; converting costs little next
 * to the fit itself.
 */
import { UMAP } from 'umap-js';
import { createRng } from '../util/random.js';

/** A fitted layout and how long it took. */
export interface UmapFit {
  /** n*2 positions. */
  readonly positions: Float32Array;
  readonly ms: number;
}

/** umap-js settings (its defaults otherwise: 15 neighbours, min_dist 0.1, spread 1). */
export interface UmapOptions {
  readonly seed: number;
  readonly nNeighbors?: number;
  readonly minDist?: number;
  /** Optimisation epochs (umap-js chooses by n when absent). */
  readonly nEpochs?: number;
}

/**
 * Fit umap-js on rows x (n x dim).
 * @param x row-major activations
 * @param n rows
 * @param dim columns
 */
export function umapFit(x: Float32Array, n: number, dim: number, opts: UmapOptions): UmapFit {
  if (x.length !== n * dim) throw new Error(`umapFit: ${n}x${dim} needs ${n * dim} values, got ${x.length}`);
  const nNeighbors = opts.nNeighbors ?? 15;
  if (n <= nNeighbors) throw new Error(`umapFit: need more than ${nNeighbors} points, got ${n}`);
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(x.subarray(i * dim, (i + 1) * dim));
  const rng = createRng(opts.seed);
  const t0 = performance.now();
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: opts.minDist ?? 0.1,
    spread: 1,
    random: () => rng.next(),
    ...(opts.nEpochs !== undefined ? { nEpochs: opts.nEpochs } : {}),
  });
  const emb = umap.fit(rows);
  const ms = performance.now() - t0;
  const positions = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    positions[2 * i] = emb[i][0];
    positions[2 * i + 1] = emb[i][1];
  }
  return { positions, ms };
}
