/**
 * The neighbours of the points to place (the test split) among train + test rows, given their
 * neighbours among the train rows. The test split is scored against exactly this set (measure.ts
 * `testScore`), and about a sixth of a test row's neighbours there are other test rows, which a
 * train-only list never shows to settling. Indices: j < f is train row j, f + r is test row r.
 * Exact while q x q is cheap; beyond, the test candidates of a row are the test rows that share one
 * of its train neighbours (NN-descent's "a neighbour of a neighbour is likely a neighbour", through
 * the train rows). On the 50,000 + 10,000 manifold stream this found 98% of the exact test
 * neighbours; a second round through the test lists themselves added 0.1% for a third more time
 * (scratch measurement, issue 15).
 */
import type { Tf } from '../tf/backend.js';
import { knnSearch, type KnnResult, type Matrix } from './knn.js';
import { emptyLists, offer, rowDist2 } from './knn-heap.js';

/**
 * Up to this many test x test pairs the test neighbours are searched exactly (3,000 test rows);
 * the candidates cost about q * k * (k q / f) distances instead of q * q.
 */
const EXACT_TEST_PAIRS = 9_000_000;
/** Most test rows that list one train row kept in its inverse list (a hub would cost q^2 otherwise). */
const MAX_INVERSE = 64;

/**
 * @param tf tfjs (the exact search)
 * @param test the test rows (queries), in the same coordinates as the train rows
 * @param trainNn their neighbours among the f train rows
 * @param f train rows
 * @param k neighbours wanted in the joint lists
 * @param exactPairs up to this many test x test pairs, the test neighbours are searched exactly
 * @returns k joint neighbours per test row, nearest first
 */
export function jointKnn(tf: Tf, test: Matrix, trainNn: KnnResult, f: number, k: number, exactPairs = EXACT_TEST_PAIRS): KnnResult {
  const q = test.rows;
  if (trainNn.indices.length !== q * trainNn.k) throw new Error(`jointKnn: train lists for ${trainNn.indices.length / trainNn.k} rows, ${q} test rows`);
  const kt = Math.min(k, q - 1);
  const testNn = kt < 1 ? undefined : q * q <= exactPairs ? exactTestKnn(tf, test, kt) : candidateTestKnn(test, trainNn, f, kt);
  return mergeLists(trainNn, testNn, f, k);
}

function exactTestKnn(tf: Tf, test: Matrix, k: number): KnnResult {
  return knnSearch(tf, test, test, k, { exclude: Int32Array.from({ length: test.rows }, (_, i) => i) });
}

/** Test neighbours from the test rows that share a train neighbour (each pair offered both ways). */
function candidateTestKnn(test: Matrix, trainNn: KnnResult, f: number, k: number): KnnResult {
  const q = test.rows;
  const kt = trainNn.k;
  const inverse = inverseLists(trainNn, f, q);
  const l = emptyLists(q, k);
  // A pair of near rows shares several train neighbours: its distance is computed once (stamp).
  const seen = new Int32Array(q).fill(-1);
  for (let i = 0; i < q; i++) {
    for (let t = 0; t < kt; t++) {
      const r = trainNn.indices[i * kt + t];
      if (r < 0) continue;
      for (let u = inverse.start[r]; u < inverse.start[r + 1]; u++) {
        const j = inverse.rows[u];
        if (j <= i || seen[j] === i) continue;
        seen[j] = i;
        const d = rowDist2(test.data, test.cols, i, j);
        offer(l, i, j, d);
        offer(l, j, i, d);
      }
    }
  }
  return { k, indices: l.idx, distances: l.d2.map(Math.sqrt) };
}

/** For each train row, the test rows listing it (at most MAX_INVERSE, the first ones), as CSR. */
function inverseLists(trainNn: KnnResult, f: number, q: number): { readonly start: Int32Array; readonly rows: Int32Array } {
  const kt = trainNn.k;
  const count = new Int32Array(f);
  for (let e = 0; e < q * kt; e++) {
    const r = trainNn.indices[e];
    if (r >= 0 && count[r] < MAX_INVERSE) count[r]++;
  }
  const start = new Int32Array(f + 1);
  for (let r = 0; r < f; r++) start[r + 1] = start[r] + count[r];
  const fill = start.slice(0, f);
  const rows = new Int32Array(start[f]);
  for (let e = 0; e < q * kt; e++) {
    const r = trainNn.indices[e];
    if (r >= 0 && fill[r] < start[r + 1]) rows[fill[r]++] = Math.floor(e / kt);
  }
  return { start, rows };
}

/** The k nearest of a row's train list and test list, test rows shifted by f. */
function mergeLists(trainNn: KnnResult, testNn: KnnResult | undefined, f: number, k: number): KnnResult {
  const q = trainNn.indices.length / trainNn.k;
  const indices = new Int32Array(q * k).fill(-1);
  const distances = new Float32Array(q * k).fill(Infinity);
  const ka = trainNn.k;
  const kb = testNn?.k ?? 0;
  for (let i = 0; i < q; i++) {
    let a = 0;
    let b = 0;
    for (let t = 0; t < k; t++) {
      const da = a < ka && trainNn.indices[i * ka + a] >= 0 ? trainNn.distances[i * ka + a] : Infinity;
      const db = testNn && b < kb && testNn.indices[i * kb + b] >= 0 ? testNn.distances[i * kb + b] : Infinity;
      if (da === Infinity && db === Infinity) break;
      if (da <= db) {
        indices[i * k + t] = trainNn.indices[i * ka + a++];
        distances[i * k + t] = da;
      } else {
        indices[i * k + t] = f + testNn!.indices[i * kb + b++];
        distances[i * k + t] = db;
      }
    }
  }
  return { k, indices, distances };
}
