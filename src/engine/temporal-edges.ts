/**
 * The temporal half of the spatio-temporal graph (docs/method.md#graph): from every current sample
 * row to its 5 nearest (cosine) historical rows of the working-memory epochs, weight (1 - d)/2,
 * pruned below max/2; plus identity edges (ours): a current row to the same id's row in the
 * previous epoch. Historical rows come with their layout positions and margins for the anchor loss.
 */
import type { Tf } from '../tf/backend.js';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Basis } from './pca.js';
import { knnSearch, matrix } from './knn.js';
import { epochMargin, type TemporalMemory } from './temporal-memory.js';
import type { TemporalSet } from './trainer.js';

/** Settings of the temporal graph. */
export interface TemporalEdgeOptions {
  /** Historical neighbours per current row (the reference's: 5). */
  readonly k?: number;
  /** Edges with w < max(w) / pruneEpochs are dropped (the reference's: 2). */
  readonly pruneEpochs?: number;
  /** Weight of an identity edge (0 disables them). */
  readonly identityWeight?: number;
  /** Cosine edges to the working-memory rows [true]; false leaves only the identity edges (ablation). */
  readonly cosine?: boolean;
}

/** The current epoch's side. */
export interface CurrentSide {
  /** Update counter of this update. */
  readonly index: number;
  /** Sample rows in the current input space (rows*m) and their ids. */
  readonly z: Float32Array;
  readonly ids: Float64Array;
  /** Current raw per-feature statistics. */
  readonly mean: Float32Array;
  readonly sd: Float32Array;
}

/** Project standardised raw rows onto the basis: rows*dim -> rows*m. */
function toBasis(tf: Tf, x: Float32Array, rows: number, basis: Basis): Float32Array {
  if (rows === 0) return new Float32Array(0);
  const z = tf.tidy(() => {
    const vt = tf.transpose(tf.tensor2d(basis.rows, [basis.m, basis.dim])) as Tensor2D;
    return tf.matMul(tf.tensor2d(x, [rows, basis.dim]), vt);
  });
  const out = z.dataSync() as Float32Array;
  z.dispose();
  return out;
}

/**
 * Build the temporal set, or undefined when there is no history yet.
 * @param tf tfjs
 * @param memory the run's working memory
 * @param cur the current sample
 * @param basis the current PCA basis (historical rows are stored standardised in raw space)
 */
export function temporalSet(tf: Tf, memory: TemporalMemory, cur: CurrentSide, basis: Basis, opts: TemporalEdgeOptions = {}): TemporalSet | undefined {
  const k = opts.k ?? 5;
  const prune = opts.pruneEpochs ?? 2;
  const idw = opts.identityWeight ?? 1;
  const m = basis.m;
  const nCur = cur.ids.length;
  if (cur.z.length !== nCur * m) throw new Error(`temporalSet: current rows hold ${cur.z.length} values for ${nCur}x${m}`);
  const records = memory.workingSet(cur.index);
  const prev = memory.previous();
  if (records.length === 0 && !prev) return undefined;
  // Historical rows: all working-set kept rows, then identity rows from the previous epoch.
  const parts: { x: Float32Array; y: Float32Array; margin: number; rows: number }[] = [];
  for (const r of records) parts.push({ x: r.x, y: r.y, margin: epochMargin(r.mean, r.sd, cur.mean, cur.sd), rows: r.ids.length });
  const keptRows = parts.reduce((s, p) => s + p.rows, 0);
  const idFrom: number[] = [];
  let idX: Float32Array | undefined;
  let idY: Float32Array | undefined;
  let prevMargin = 0.1;
  if (prev && idw > 0) {
    const prevRec = records.find((r) => r.index === prev.index);
    prevMargin = prevRec ? parts[records.indexOf(prevRec)].margin : 0.1;
    const dim = basis.dim;
    const rows: number[] = [];
    for (let i = 0; i < nCur; i++) {
      const r = prev.rowOf.get(cur.ids[i]);
      if (r !== undefined) {
        idFrom.push(i);
        rows.push(r);
      }
    }
    idX = new Float32Array(rows.length * dim);
    idY = new Float32Array(rows.length * 2);
    const inv = 1 / prev.scale;
    rows.forEach((r, i) => {
      for (let j = 0; j < dim; j++) idX![i * dim + j] = (prev.raw[r * dim + j] - prev.mean[j]) * inv;
      idY![2 * i] = prev.y[2 * r];
      idY![2 * i + 1] = prev.y[2 * r + 1];
    });
  }
  const nId = idFrom.length;
  const total = keptRows + nId;
  if (total === 0) return undefined;
  // One matrix product projects every historical row.
  const rawAll = new Float32Array(total * basis.dim);
  const target = new Float32Array(total * 2);
  const margin = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    rawAll.set(p.x, off * basis.dim);
    target.set(p.y, off * 2);
    margin.fill(p.margin, off, off + p.rows);
    off += p.rows;
  }
  if (idX && idY) {
    rawAll.set(idX, off * basis.dim);
    target.set(idY, off * 2);
    margin.fill(prevMargin, off, off + nId);
  }
  const z = toBasis(tf, rawAll, total, basis);
  // Cosine kNN from the current rows to the kept historical rows.
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  if (keptRows > 0 && nCur > 0 && opts.cosine !== false) {
    const res = knnSearch(tf, matrix(cur.z, nCur, m), matrix(z.subarray(0, keptRows * m), keptRows, m), Math.min(k, keptRows), { metric: 'cosine' });
    let max = 0;
    const cand: [number, number, number][] = [];
    for (let i = 0; i < nCur; i++) {
      for (let t = 0; t < res.k; t++) {
        const j = res.indices[i * res.k + t];
        if (j < 0) continue;
        const w = Math.max(0, 1 - res.distances[i * res.k + t]) / 2;
        cand.push([i, j, w]);
        if (w > max) max = w;
      }
    }
    for (const [i, j, w] of cand) {
      if (w > 0 && w >= max / prune) {
        from.push(i);
        to.push(j);
        weight.push(w);
      }
    }
  }
  for (let e = 0; e < nId; e++) {
    from.push(idFrom[e]);
    to.push(keptRows + e);
    weight.push(idw);
  }
  return {
    x: z,
    rows: total,
    target,
    margin,
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    weight: Float32Array.from(weight),
  };
}
