/**
 * kNN warm-started from the previous epoch's graph: between consecutive epochs the same samples
 * mostly keep their neighbours, so each point's candidates are its previous neighbours, their
 * previous neighbours (one NN-descent round) and a few random rows; distances are exact. Rows
 * without a previous list get an exact search. On 5000 x 64 this costs a fraction of the exact
 * all-pairs product (which dominated the update here); its recall is checked in the tests and the
 * exact graph is recomputed periodically by the engine.
 */
import type { Tf } from '../tf/backend.js';
import { knnSearch, takeRows, type KnnResult, type Matrix } from './knn.js';
import type { Rng } from '../util/random.js';
import { insertNearest } from './nearest-list.js';

/**
 * @param tf tfjs (exact search of rows without history)
 * @param m current rows
 * @param k neighbours per row
 * @param prev previous neighbour lists mapped to current rows: rows*kPrev entries, -1 = unknown;
 *   a row whose entries are all -1 counts as new
 * @param kPrev entries per row in prev
 * @param rng random extra candidates
 * @param extra random candidates per row
 * @param hop second-hop candidates: the nearest `hop` entries of each previous neighbour's list
 *   (all by default; fewer at scale, see layout-graph.ts)
 */
export function knnWarm(tf: Tf, m: Matrix, k: number, prev: Int32Array, kPrev: number, rng: Rng, extra = 8, hop = kPrev): KnnResult {
  const n = m.rows;
  const d = m.cols;
  if (prev.length !== n * kPrev) throw new Error(`knnWarm: previous lists hold ${prev.length} entries for ${n}x${kPrev}`);
  if (!Number.isInteger(k) || k < 1 || k >= n) throw new Error(`knnWarm: need 1 <= k < n, got k=${k}, n=${n}`);
  const indices = new Int32Array(n * k).fill(-1);
  const distances = new Float32Array(n * k).fill(Infinity);
  const stamp = new Int32Array(n).fill(-1);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  const fresh: number[] = [];
  const cand = new Int32Array(kPrev + kPrev * kPrev + extra);
  const x = m.data;
  for (let i = 0; i < n; i++) {
    let known = false;
    for (let t = 0; t < kPrev; t++) if (prev[i * kPrev + t] >= 0) known = true;
    if (!known) {
      fresh.push(i);
      continue;
    }
    // Candidate list: previous neighbours, then theirs, then random rows (deduplicated by stamp).
    let nc = 0;
    stamp[i] = i;
    for (let t = 0; t < kPrev; t++) {
      const j = prev[i * kPrev + t];
      if (j >= 0 && stamp[j] !== i) {
        stamp[j] = i;
        cand[nc++] = j;
      }
    }
    const direct = nc;
    for (let a = 0; a < direct; a++) {
      const j = cand[a];
      for (let u = 0; u < hop; u++) {
        const h = prev[j * kPrev + u];
        if (h >= 0 && stamp[h] !== i) {
          stamp[h] = i;
          cand[nc++] = h;
        }
      }
    }
    for (let e = 0; e < extra; e++) {
      const h = rng.int(n);
      if (stamp[h] !== i) {
        stamp[h] = i;
        cand[nc++] = h;
      }
    }
    let filled = 0;
    let worst = Infinity;
    const io = i * d;
    for (let a = 0; a < nc; a++) {
      const j = cand[a];
      const jo = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const u = x[io + c] - x[jo + c];
        s += u * u;
      }
      if (filled === k && s >= worst) continue;
      filled = insertNearest(bestD, bestI, filled, k, s, j);
      if (filled === k) worst = bestD[k - 1];
    }
    for (let t = 0; t < filled; t++) {
      indices[i * k + t] = bestI[t];
      distances[i * k + t] = Math.sqrt(bestD[t]);
    }
  }
  if (fresh.length > 0) {
    const q = takeRows(m, fresh);
    const res = knnSearch(tf, q, m, k, { exclude: Int32Array.from(fresh) });
    fresh.forEach((i, qi) => {
      indices.set(res.indices.subarray(qi * k, (qi + 1) * k), i * k);
      distances.set(res.distances.subarray(qi * k, (qi + 1) * k), i * k);
    });
  }
  return { k, indices, distances };
}
