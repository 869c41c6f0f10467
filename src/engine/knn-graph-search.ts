/**
 * kNN of new points (another split) among the train rows without a quadratic search: each query
 * starts from its nearest rows of a small random pool of train rows (one exact blocked search), then
 * walks the train rows' own kNN graph: the nearest entry of its list not yet expanded has its graph
 * neighbours offered, until every entry of the list has been expanded (a best-first search on the
 * graph, the base layer of HNSW). The pool puts every query in the right region, the walk finds its
 * neighbours there. Distances are exact; recall is held by test/engine/knn-graph-search.test.ts.
 * At 10,000 test x 50,000 train rows this costs a few hundred distances per query where the exact
 * search costs 50,000 (issue 12: placing the test split took 4-7 s). A query may instead start from
 * given rows (its neighbours of the previous epoch, place-memory.ts): the walk from there finds the
 * same neighbours when they moved little, and the pool search, a third of the cost, is skipped.
 */
import type { Tf } from '../tf/backend.js';
import { sampleIndices, type Rng } from '../util/random.js';
import { knnSearch, takeRows, type KnnResult, type Matrix } from './knn.js';

/**
 * Train rows in the start pool. The nearest of 1,000 random rows lies, in clustered data, in the
 * query's own cluster (a cluster of 1% of the rows still holds ~10 of them); the pool search costs
 * queries x 1,000 distances, a fiftieth of the exact search at 50,000 rows.
 */
const POOL = 1000;

/**
 * @param tf tfjs (the pool search)
 * @param queries rows to place, in the same coordinates as ref
 * @param ref train rows
 * @param graph ref's own kNN lists (the layout graph's)
 * @param k neighbours wanted per query
 * @param rng picks the pool
 * @param starts optional start rows per query (starts.k per query, -1 for none): a query with at
 *   least one starts its walk there instead of at its nearest pool rows
 */
export function knnGraphSearch(tf: Tf, queries: Matrix, ref: Matrix, graph: KnnResult, k: number, rng: Rng, starts?: KnnResult): KnnResult {
  const nr = ref.rows;
  const nq = queries.rows;
  const cols = ref.cols;
  if (queries.cols !== cols) throw new Error(`knnGraphSearch: queries have ${queries.cols} columns, reference ${cols}`);
  if (graph.indices.length !== nr * graph.k) throw new Error(`knnGraphSearch: graph lists ${graph.indices.length / graph.k} rows, reference has ${nr}`);
  if (!Number.isInteger(k) || k < 1 || k > nr) throw new Error(`knnGraphSearch: need 1 <= k <= reference rows, got k=${k}`);
  if (starts && starts.indices.length !== nq * starts.k) throw new Error(`knnGraphSearch: start rows for ${starts.indices.length / starts.k} queries, ${nq} given`);
  const pool = sampleIndices(nr, Math.min(nr, Math.max(POOL, k)), rng).sort();
  const start = poolStarts(tf, queries, ref, pool, k, starts);
  const indices = new Int32Array(nq * k).fill(-1);
  const distances = new Float32Array(nq * k).fill(Infinity);
  const stamp = new Int32Array(nr).fill(-1);
  const bestI = new Int32Array(k);
  const bestD = new Float64Array(k);
  const done = new Uint8Array(k);
  const q = queries.data;
  const x = ref.data;
  const gk = graph.k;
  const dist = (qi: number, j: number): number => {
    let s = 0;
    const qo = qi * cols;
    const jo = j * cols;
    for (let c = 0; c < cols; c++) {
      const u = q[qo + c] - x[jo + c];
      s += u * u;
    }
    return s;
  };
  for (let i = 0; i < nq; i++) {
    let filled = 0;
    const offer = (j: number, d: number): void => {
      if (filled === k && d >= bestD[k - 1]) return;
      let p = filled < k ? filled++ : k - 1;
      while (p > 0 && (bestD[p - 1] > d || (bestD[p - 1] === d && bestI[p - 1] > j))) {
        bestD[p] = bestD[p - 1];
        bestI[p] = bestI[p - 1];
        done[p] = done[p - 1];
        p--;
      }
      bestD[p] = d;
      bestI[p] = j;
      done[p] = 0;
    };
    for (let t = 0; t < start.k; t++) {
      const r = start.indices[i * start.k + t];
      if (r < 0 || r >= nr || stamp[r] === i) continue;
      stamp[r] = i;
      offer(r, dist(i, r));
    }
    for (;;) {
      let a = 0;
      while (a < filled && done[a]) a++;
      if (a === filled) break;
      done[a] = 1;
      const from = bestI[a];
      for (let t = 0; t < gk; t++) {
        const h = graph.indices[from * gk + t];
        if (h < 0 || stamp[h] === i) continue;
        stamp[h] = i;
        offer(h, dist(i, h));
      }
    }
    for (let t = 0; t < filled; t++) {
      indices[i * k + t] = bestI[t];
      distances[i * k + t] = Math.sqrt(bestD[t]);
    }
  }
  return { k, indices, distances };
}

/**
 * Each query's start rows (ref rows, -1 padded): the given ones where a query has any, else its
 * nearest pool rows (one exact search over the queries without a start).
 */
function poolStarts(tf: Tf, queries: Matrix, ref: Matrix, pool: Int32Array, k: number, starts?: KnnResult): KnnResult {
  const nq = queries.rows;
  const sk = Math.max(k, starts?.k ?? 0);
  const out = new Int32Array(nq * sk).fill(-1);
  const cold: number[] = [];
  for (let i = 0; i < nq; i++) {
    let any = false;
    for (let t = 0; starts && t < starts.k; t++) {
      const r = starts.indices[i * starts.k + t];
      if (r >= 0 && r < ref.rows) {
        out[i * sk + t] = r;
        any = true;
      }
    }
    if (!any) cold.push(i);
  }
  if (cold.length > 0) {
    const found = knnSearch(tf, cold.length === nq ? queries : takeRows(queries, Int32Array.from(cold)), takeRows(ref, pool), k);
    cold.forEach((i, c) => {
      for (let t = 0; t < k; t++) {
        const j = found.indices[c * k + t];
        out[i * sk + t] = j < 0 ? -1 : pool[j];
      }
    });
  }
  return { k: sk, indices: out, distances: new Float32Array(0) };
}
