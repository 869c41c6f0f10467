/**
 * A seeded drifting stream with real local structure, for the CIFAR-size bench (bench/scale.ts):
 * C clusters, each a curved 2-D sheet (latent u in [-1, 1]^2 mapped by a few random sine waves)
 * in a rank-r subspace of D-space, plus small isotropic noise. Unlike SyntheticStream (isotropic
 * Gaussian clusters, where the 15 nearest neighbours are close to random and no 2-D layout keeps
 * them), a point's raw-space neighbours here are its neighbours on the sheet, which a good 2-D
 * layout can keep: the setting in which "nn15 >= umap-js" means something.
 * Drift per epoch: each cluster centre takes a random step, each sheet's waves shift phase a
 * little and each point moves a little on its sheet; ids are stable. Epoch t depends only on the
 * options and t (generated in order).
 */
import { createRng } from '../src/util/random.js';
import type { EpochData } from '../src/model/epoch-data.js';

/** Shape of the stream. */
export interface ManifoldOptions {
  /** Points per epoch, train and test together. */
  readonly n: number;
  readonly dim: number;
  readonly seed: number;
  /** Clusters (sheets) [20]. */
  readonly clusters?: number;
  /** Rank of the subspace the sheets live in [24]. */
  readonly rank?: number;
  /** Share of points in a 'test' split [1/6: 50,000 train + 10,000 test of 60,000]. */
  readonly testShare?: number;
  /** Isotropic noise per raw coordinate, relative to a sheet's extent [0.02]. */
  readonly noise?: number;
  readonly run?: string;
}

/** Sine waves per sheet: enough to curve it, few enough that nearby u stay nearby in D-space. */
const WAVES = 4;
/** Spread of cluster centres relative to a sheet's extent (clusters apart, but not by miles). */
const SEPARATION = 3;
/** Per-epoch drift: centre step, wave phase step (radians), latent step (u units). */
const CENTRE_STEP = 0.08;
const PHASE_STEP = 0.05;
const LATENT_STEP = 0.004;

export class ManifoldStream {
  private readonly n: number;
  private readonly dim: number;
  private readonly c: number;
  private readonly r: number;
  private readonly noise: number;
  private readonly testShare: number;
  private readonly run: string;
  private readonly rng;
  /** rank x dim, rows nearly orthonormal. */
  private readonly basis: Float32Array;
  private readonly centres: Float64Array;
  /** Per cluster and wave: frequency (2), phase, amplitude vector (rank). */
  private readonly freq: Float64Array;
  private readonly phase: Float64Array;
  private readonly amp: Float64Array;
  private readonly u: Float64Array;
  private readonly labels: Int32Array;
  private t = 0;

  constructor(o: ManifoldOptions) {
    for (const k of ['n', 'dim'] as const) if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new Error(`ManifoldStream: ${k} must be a positive integer, got ${o[k]}`);
    this.n = o.n;
    this.dim = o.dim;
    this.c = o.clusters ?? 20;
    this.r = o.rank ?? 24;
    if (this.r > this.dim) throw new Error(`ManifoldStream: rank ${this.r} exceeds dim ${this.dim}`);
    this.noise = o.noise ?? 0.02;
    this.testShare = o.testShare ?? 1 / 6;
    this.run = o.run ?? 'scale';
    const rng = (this.rng = createRng(o.seed));
    const { c, r, dim } = this;
    this.basis = Float32Array.from({ length: r * dim }, () => rng.normal() / Math.sqrt(dim));
    this.centres = Float64Array.from({ length: c * r }, () => rng.normal() * SEPARATION);
    this.freq = Float64Array.from({ length: c * WAVES * 2 }, () => rng.normal() * 1.5);
    this.phase = Float64Array.from({ length: c * WAVES }, () => rng.next() * 2 * Math.PI);
    // Amplitudes ~1/sqrt(rank) per coordinate, so a sheet spans about 1-2 units.
    this.amp = Float64Array.from({ length: c * WAVES * r }, () => rng.normal() / Math.sqrt(r));
    this.u = Float64Array.from({ length: this.n * 2 }, () => rng.next() * 2 - 1);
    this.labels = Int32Array.from({ length: this.n }, (_, i) => i % c);
  }

  /** The next epoch's splits: train, and test when testShare > 0. */
  next(): EpochData[] {
    const { n, dim, c, r, rng } = this;
    const t = this.t++;
    if (t > 0) {
      for (let i = 0; i < this.centres.length; i++) this.centres[i] += CENTRE_STEP * rng.normal();
      for (let i = 0; i < this.phase.length; i++) this.phase[i] += PHASE_STEP * rng.normal();
      for (let i = 0; i < this.u.length; i++) this.u[i] = Math.max(-1, Math.min(1, this.u[i] + LATENT_STEP * rng.normal()));
    }
    const x = new Float32Array(n * dim);
    const f = new Float64Array(r);
    // Noise per coordinate: `noise` of a sheet's extent spread over all coordinates.
    const sd = this.noise / Math.sqrt(dim / r);
    for (let i = 0; i < n; i++) {
      const k = this.labels[i];
      const u0 = this.u[2 * i];
      const u1 = this.u[2 * i + 1];
      for (let q = 0; q < r; q++) f[q] = this.centres[k * r + q];
      for (let w = 0; w < WAVES; w++) {
        const kw = k * WAVES + w;
        const s = Math.sin(this.freq[2 * kw] * u0 + this.freq[2 * kw + 1] * u1 + this.phase[kw]);
        // The latent coordinates themselves enter linearly too, so a sheet never folds onto itself.
        for (let q = 0; q < r; q++) f[q] += s * this.amp[kw * r + q];
      }
      f[0] += u0;
      f[1] += u1;
      const row = i * dim;
      for (let q = 0; q < r; q++) {
        const fq = f[q];
        const bo = q * dim;
        for (let j = 0; j < dim; j++) x[row + j] += fq * this.basis[bo + j];
      }
      for (let j = 0; j < dim; j++) x[row + j] += sd * rng.normal();
    }
    const ids = Float64Array.from({ length: n }, (_, i) => i);
    const nTest = Math.floor(n * this.testShare);
    const nTrain = n - nTest;
    const part = (split: 'train' | 'test', from: number, to: number): EpochData => ({
      run: this.run,
      epoch: t,
      split,
      n: to - from,
      dim,
      x: x.slice(from * dim, to * dim),
      ids: ids.slice(from, to),
      labels: this.labels.slice(from, to),
    });
    return nTest > 0 ? [part('train', 0, nTrain), part('test', nTrain, n)] : [part('train', 0, n)];
  }
}
