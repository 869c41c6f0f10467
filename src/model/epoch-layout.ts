/** What the engine hands on per epoch: 2-D positions of every received point and its metrics. */

/** Per-epoch engine metrics; also the extra fields of the headless `epoch` event. */
export interface EpochMetrics {
  /** Share of points sampled for the graph (r). */
  readonly sample_rate: number;
  /** Relative density rho(r) at the chosen r. */
  readonly rel_density: number;
  /**
   * True when the density search found no tipping point and used its fallback rate (the largest
   * candidate); false when the rate met the limit, was fixed, or the epoch was taken whole.
   */
  readonly sample_fallback?: boolean;
  /** Wall time of the whole update in the engine, ms. */
  readonly update_ms: number;
  /** Projector optimiser steps taken in the update (before and after refinement). */
  readonly train_steps: number;
  /** Of those, the steps anchored to the shown layout after refinement. */
  readonly anchor_steps?: number;
  /** Loss of the last training round of the update. */
  readonly loss: number;
  /**
   * Neighbour preservation @15 of the shown train layout, 0-1: the share of a query row's 15
   * nearest raw-D neighbours (exact) that are among its 15 nearest in the layout, on a seeded
   * sample of train rows (docs/method.md#metrics). `eval` computes the same.
   */
  readonly nn15: number;
  /** Trustworthiness @15 of the shown train layout on the same queries, 0-1. */
  readonly trust15: number;
  /** nn15 / trust15 of the encoder's own layout of the train rows (the projector alone). */
  readonly encoder_nn15?: number;
  readonly encoder_trust15?: number;
  /** nn15 of the test split as placed: its rows' raw-D neighbours among train + test vs 2-D ones. */
  readonly test_nn15?: number;
  /** Prediction-preserving rate: head(dec(enc(x))) = head(x), when a head was sent. */
  readonly ppr?: number;
  /** Share of train queries whose decision region at their shown position is head(x), with a head. */
  readonly region_agreement?: number;
  /** Relative reconstruction error of dec(enc(x)), when the projector has a decoder. */
  readonly recon?: number;
  /** Mean displacement of the same train ids since the previous epoch / layout diameter. */
  readonly stability?: number;
  /** Inter-class distance of the layout, scaled by its diameter. */
  readonly D?: number;
  /** Intra-class variance of the layout, scaled by the squared diameter. */
  readonly V?: number;
  /** True when every point landed on one spot (e.g. a dead network): other metrics are masked. */
  readonly degenerate?: boolean;
  /** Where the update's milliseconds went, per engine phase (the profile; added by the engine). */
  readonly phases_ms?: Readonly<Record<string, number>>;
}

/** Decision regions: the head's class for the decoder's reconstruction of each grid cell centre. */
export interface RegionGrid {
  /** Layout-space bounds the grid covers. */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly cols: number;
  readonly rows: number;
  /** rows*cols class indices, row 0 at y0. */
  readonly cls: Int16Array;
}

export interface EpochLayout {
  readonly run: string;
  readonly epoch: number;
  /** Points of all splits received for the epoch, in one order. */
  readonly n: number;
  readonly ids: Float64Array;
  /** n*2 float32: x0,y0,x1,y1,... */
  readonly positions: Float32Array;
  /** 0 = train, 1 = test, n. */
  readonly split: Uint8Array;
  readonly labels?: Int32Array;
  readonly preds?: Int32Array;
  /** Task of each point (continual learning), -1 where unknown; absent when no batch carried tasks. */
  readonly tasks?: Int32Array;
  readonly metrics: EpochMetrics;
  readonly regions?: RegionGrid;
}
