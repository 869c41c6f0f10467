/**
 * A seeded synthetic drifting stream for tests, the benchmark and `eval`: C clusters in a rank-r
 * subspace of D-space, drifting a little each epoch, with a slowly growing activation scale (as in
 * real training) and small isotropic noise. Sample ids are stable across epochs.
 */
import { createRng } from '../src/util/random.js';
import type { EpochData } from '../src/model/epoch-data.js';

/** Shape of the stream. */
export interface SyntheticOptions {
  readonly n: number;
  readonly dim: number;
  readonly clusters: number;
  /** Rank of the subspace the clusters live in. */
  readonly rank: number;
  readonly seed: number;
  /** Cluster-centre spread relative to within-cluster spread (separation). */
  readonly separation?: number;
  /** Per-epoch random step of each centre, relative to within-cluster spread. */
  readonly drift?: number;
  /** Per-epoch random step of each point's own offset, relative to within-cluster spread. */
  readonly jitter?: number;
  /** Isotropic noise in D-space relative to within-cluster spread. */
  readonly noise?: number;
  /** Activation scale growth per epoch (multiplicative). */
  readonly growth?: number;
  /** Share of points in a 'test' split (0 = train only). */
  readonly testShare?: number;
  readonly run?: string;
}

/** A generator of epochs; epoch t's data depends only on the options and t (generated in order). */
export class SyntheticStream {
  private readonly o: Required<SyntheticOptions>;
  private readonly basis: Float32Array;
  private readonly centres: Float64Array;
  private readonly offsets: Float64Array;
  private readonly labels: Int32Array;
  private readonly rng;
  private epochNo = 0;

  constructor(opts: SyntheticOptions) {
    const o: Required<SyntheticOptions> = {
      separation: 4,
      drift: 0.15,
      jitter: 0.05,
      noise: 0.05,
      growth: 1.03,
      testShare: 0,
      run: 'synthetic',
      ...opts,
    };
    for (const k of ['n', 'dim', 'clusters', 'rank'] as const) {
      if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new Error(`SyntheticStream: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (o.rank > o.dim) throw new Error(`SyntheticStream: rank ${o.rank} exceeds dim ${o.dim}`);
    this.o = o;
    this.rng = createRng(o.seed);
    const r = this.rng;
    // Random directions; at D >> rank they are nearly orthogonal, which is all we need.
    this.basis = Float32Array.from({ length: o.rank * o.dim }, () => r.normal() / Math.sqrt(o.dim));
    this.centres = Float64Array.from({ length: o.clusters * o.rank }, () => r.normal() * o.separation);
    this.offsets = Float64Array.from({ length: o.n * o.rank }, () => r.normal());
    this.labels = Int32Array.from({ length: o.n }, (_, i) => i % o.clusters);
  }

  /** The next epoch's splits (train, and test when testShare > 0). */
  next(): EpochData[] {
    const o = this.o;
    const r = this.rng;
    const t = this.epochNo++;
    if (t > 0) {
      for (let i = 0; i < this.centres.length; i++) this.centres[i] += o.drift * r.normal();
      for (let i = 0; i < this.offsets.length; i++) this.offsets[i] += o.jitter * r.normal();
    }
    const scale = Math.pow(o.growth, t);
    const x = new Float32Array(o.n * o.dim);
    const z = new Float64Array(o.rank);
    for (let i = 0; i < o.n; i++) {
      const c = this.labels[i];
      for (let q = 0; q < o.rank; q++) z[q] = this.centres[c * o.rank + q] + this.offsets[i * o.rank + q];
      const row = i * o.dim;
      for (let q = 0; q < o.rank; q++) {
        const zq = z[q];
        const bo = q * o.dim;
        for (let j = 0; j < o.dim; j++) x[row + j] += zq * this.basis[bo + j];
      }
      for (let j = 0; j < o.dim; j++) x[row + j] = scale * (x[row + j] + (o.noise / Math.sqrt(o.dim)) * Math.sqrt(o.rank) * r.normal());
    }
    const ids = Float64Array.from({ length: o.n }, (_, i) => i);
    const nTest = Math.floor(o.n * o.testShare);
    const nTrain = o.n - nTest;
    const part = (split: 'train' | 'test', from: number, to: number): EpochData => ({
      run: o.run,
      epoch: t,
      split,
      n: to - from,
      dim: o.dim,
      x: x.slice(from * o.dim, to * o.dim),
      ids: ids.slice(from, to),
      labels: this.labels.slice(from, to),
    });
    return nTest > 0 ? [part('train', 0, nTrain), part('test', nTrain, o.n)] : [part('train', 0, o.n)];
  }
}
